using System.Runtime.InteropServices;

namespace Spike.Cuda;

/// <summary>Mirror of <c>spk_conv</c> (kernels/conv.cu).</summary>
[StructLayout(LayoutKind.Sequential)]
internal readonly record struct ConvParams(int C, int H, int W, int KH, int KW, int SH, int SW, int PH, int PW, int DH, int DW, int OH, int OW)
{
    public static ConvParams From(ConvGeometry g) => new(g.C, g.H, g.W, g.KH, g.KW, g.SH, g.SW, g.PH, g.PW, g.DH, g.DW, g.OH, g.OW);
}

/// <summary>Mirror of <c>spk_pool</c> (kernels/pooling.cu).</summary>
[StructLayout(LayoutKind.Sequential)]
internal readonly record struct PoolParams(int H, int W, int OH, int OW, int KH, int KW, int SH, int SW, int PH, int PW, int DH, int DW,
    int CountIncludePad, int DivisorOverride)
{
    public static PoolParams From(PoolGeometry g)
    {
        var k = g.Window;
        return new(g.H, g.W, g.OH, g.OW, k.KH, k.KW, k.SH, k.SW, k.PH, k.PW, k.DH, k.DW, k.CountIncludePad ? 1 : 0, k.DivisorOverride);
    }
}
