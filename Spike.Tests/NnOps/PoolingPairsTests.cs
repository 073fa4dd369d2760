using FluentAssertions;
using NUnit.Framework;
using Spike.Cpu;

namespace Spike.Tests.NnOps;

/// <summary>
/// The Float32 pair kernels (window 2 / stride 2 along W, up to sixteen outputs per vector) give bit-identical values,
/// indices and gradients to the scalar window loops: same combination order, ties to the first element, NaN winning.
/// </summary>
public class PoolingPairsTests
{
    // Max pooling covers narrow rows with masked vectors: 14 and 28 (the Fashion-MNIST planes) and odd tails.
    static readonly int[] Widths = [2, 3, 5, 14, 15, 17, 28, 29, 31, 32, 33, 34, 47, 63, 64, 65, 96, 130];

    // (kh, sh, ph, ceil) along H.
    static readonly (int KH, int SH, int PH, bool Ceil)[] RowWindows = [(2, 2, 0, false), (3, 2, 1, true), (1, 1, 0, false), (3, 1, 1, false)];

    /// <summary>Small integers (ties everywhere), −∞ runs, a NaN, and random values in the last plane.</summary>
    static Tensor Input(int w)
    {
        const int planes = 3, h = 6;
        var v = new float[planes * h * w];
        var r = Tensor.Randn([v.Length], new Generator((ulong)w)).ToArray<float>();
        for (int i = 0; i < v.Length; i++)
            v[i] = i >= 2 * h * w ? r[i] : i % 13 == 5 ? float.NegativeInfinity : (i / 3 + i / 5) % 3;
        v[h * w + 2 * w + w / 3] = float.NaN;
        return Tensor.FromArray(v, 1, planes, h, w);
    }

    static T Scalar<T>(Func<T> body)
    {
        CpuBackend.PairPooling = false;
        try { return body(); }
        finally { CpuBackend.PairPooling = true; }
    }

    static int[] Bits(Tensor t) => t.ToArray<float>().Select(BitConverter.SingleToInt32Bits).ToArray();

    [Test]
    public void MaxPoolMatchesTheScalarKernel()
    {
        foreach (int w in Widths)
            foreach (var (kh, sh, ph, ceil) in RowWindows)
            {
                var x = Input(w);
                var (y, idx) = x.MaxPool2dWithIndices((kh, 2), (sh, 2), (ph, 0), ceilMode: ceil);
                var (sy, sidx) = Scalar(() => x.MaxPool2dWithIndices((kh, 2), (sh, 2), (ph, 0), ceilMode: ceil));
                string what = $"W={w} window ({kh}, {sh}, {ph}, {ceil})";
                Bits(y).Should().Equal(Bits(sy), what);
                idx.ToArray<long>().Should().Equal(sidx.ToArray<long>(), what);
            }
    }

    [Test]
    public void AvgPoolAndItsBackwardMatchTheScalarKernel([Values(true, false)] bool includePad, [Values(0, 3)] int divisor)
    {
        foreach (int w in Widths)
            foreach (var (kh, sh, ph, ceil) in RowWindows)
            {
                var values = Tensor.Randn([1, 3, 6, w], new Generator((ulong)(w + kh)));
                Tensor Pool(Tensor x) => x.AvgPool2d((kh, 2), (sh, 2), (ph, 0), ceil, includePad, divisor > 0 ? divisor : null);
                var x = values.Detach().RequiresGrad_();
                var sx = values.Detach().RequiresGrad_();
                var y = Pool(x);
                var sy = Scalar(() => Pool(sx));
                var gy = Tensor.Randn([.. y.Shape], new Generator(7));
                y.Backward(gy);
                Scalar(() => { sy.Backward(gy); return 0; });
                string what = $"W={w} window ({kh}, {sh}, {ph}, {ceil}) pad {includePad} divisor {divisor}";
                Bits(y).Should().Equal(Bits(sy), what);
                Bits(x.Grad!).Should().Equal(Bits(sx.Grad!), what);
            }
    }
}
