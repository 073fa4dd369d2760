using System.Numerics;
using System.Numerics.Tensors;

namespace Spike.Cpu;

public sealed partial class CpuBackend
{
    public void Im2Col(Tensor x, Tensor col, ConvGeometry g)
    {
        if (Float16Widening.Widen(this, [x], [col], w => Im2Col(w[0], w[1], g))) return;
        switch (x.DType)
        {
            case DType.Float32: Im2Col<float>(x, col, g); break;
            case DType.Float64: Im2Col<double>(x, col, g); break;
            default: throw new NotSupportedException($"im2col: not defined for {x.DType} tensors");
        }
    }

    public void Col2Im(Tensor col, Tensor dx, ConvGeometry g)
    {
        if (Float16Widening.Widen(this, [col], [dx], w => Col2Im(w[0], w[1], g))) return;
        switch (dx.DType)
        {
            case DType.Float32: Col2Im<float>(col, dx, g); break;
            case DType.Float64: Col2Im<double>(col, dx, g); break;
            default: throw new NotSupportedException($"col2im: not defined for {dx.DType} tensors");
        }
    }

    /// <summary>The output positions [lo, hi) whose input coordinate o·s − p + offset falls inside [0, size).</summary>
    internal static (int Lo, int Hi) ValidRange(int outSize, int size, int stride, int start)
    {
        // start = −pad + kernelIndex·dilation; need 0 ≤ o·stride + start < size.
        int lo = start >= 0 ? 0 : (-start + stride - 1) / stride;
        int hi = size - start <= 0 ? 0 : Math.Min(outSize, (size - start - 1) / stride + 1);
        return (Math.Min(lo, hi), hi);
    }

    /// <summary>Runs body(n, c) for every image plane, on several threads when the work is large.</summary>
    static void ForPlanes(int n, int c, long perPlane, Action<int, int> body)
    {
        if ((long)n * c * perPlane < Strided.ParallelThreshold || Environment.ProcessorCount == 1)
        {
            for (int i = 0; i < n * c; i++) body(i / c, i % c);
            return;
        }
        WorkerTeam.For(0, n * c, i => body(i / c, i % c));
    }

    // x: [N, C, H, W] any strides; col: [N, C·KH·KW, OH·OW], each sample's matrix contiguous, any batch stride.
    static void Im2Col<T>(Tensor x, Tensor col, ConvGeometry g) where T : unmanaged, INumber<T>
    {
        var src = Data<T>(x); var dst = Data<T>(col);
        var lx = x.Layout;
        int kk = g.KH * g.KW, plane = g.OH * g.OW;
        ForPlanes(lx.Shape[0], g.C, (long)kk * plane, (ni, ci) =>
            Im2ColPlane(src, lx.Offset + ni * lx.Strides[0] + ci * lx.Strides[1], lx.Strides[2], lx.Strides[3],
                dst.AsSpan(col.Layout.Offset + ni * col.Layout.Strides[0] + ci * kk * plane, kk * plane), g));
    }

    // col: [N, C·KH·KW, OH·OW], each sample's matrix contiguous; dx: [N, C, H, W] any strides, accumulated into.
    static void Col2Im<T>(Tensor col, Tensor dx, ConvGeometry g) where T : unmanaged, INumber<T>
    {
        var src = Data<T>(col); var dst = Data<T>(dx);
        var lx = dx.Layout;
        int kk = g.KH * g.KW, plane = g.OH * g.OW;
        // Each (n, c) plane of dx is written by one thread only, so no two threads add into one pixel.
        ForPlanes(lx.Shape[0], g.C, (long)kk * plane, (ni, ci) =>
            Col2ImPlane(src.AsSpan(col.Layout.Offset + ni * col.Layout.Strides[0] + ci * kk * plane, kk * plane),
                dst, lx.Offset + ni * lx.Strides[0] + ci * lx.Strides[1], lx.Strides[2], lx.Strides[3], g));
    }

    /// <summary>The KH·KW column rows of one image channel: rows[(i·KW + j)·OH·OW + oh·OW + ow] =
    /// x[xBase + (oh·SH − PH + i·DH)·sh + (ow·SW − PW + j·DW)·sw], 0 outside the image.</summary>
    static void Im2ColPlane<T>(T[] src, int xBase, int sh, int sw, Span<T> rows, ConvGeometry g) where T : unmanaged, INumber<T>
    {
        int oh = g.OH, ow = g.OW, plane = oh * ow;
        for (int i = 0; i < g.KH; i++)
        {
            var (hLo, hHi) = ValidRange(oh, g.H, g.SH, i * g.DH - g.PH);
            for (int j = 0; j < g.KW; j++)
            {
                var (wLo, wHi) = ValidRange(ow, g.W, g.SW, j * g.DW - g.PW);
                int wStart = j * g.DW - g.PW;
                var rowSpan = rows.Slice((i * g.KW + j) * plane, plane);
                rowSpan[..(hLo * ow)].Clear();
                rowSpan[(hHi * ow)..].Clear();
                for (int o = hLo; o < hHi; o++)
                {
                    var d = rowSpan.Slice(o * ow, ow);
                    d[..wLo].Clear();
                    d[wHi..].Clear();
                    int rowBase = xBase + (o * g.SH - g.PH + i * g.DH) * sh;
                    if (g.SW == 1 && sw == 1)
                        src.AsSpan(rowBase + wLo + wStart, wHi - wLo).CopyTo(d[wLo..wHi]);
                    else
                        for (int q = wLo; q < wHi; q++) d[q] = src[rowBase + (q * g.SW + wStart) * sw];
                }
            }
        }
    }

    /// <summary>The adjoint of <see cref="Im2ColPlane{T}"/>: adds the KH·KW column rows of one channel into its image plane.</summary>
    static void Col2ImPlane<T>(ReadOnlySpan<T> rows, T[] dst, int xBase, int sh, int sw, ConvGeometry g) where T : unmanaged, INumber<T>
    {
        int oh = g.OH, ow = g.OW, plane = oh * ow;
        for (int i = 0; i < g.KH; i++)
        {
            var (hLo, hHi) = ValidRange(oh, g.H, g.SH, i * g.DH - g.PH);
            for (int j = 0; j < g.KW; j++)
            {
                var (wLo, wHi) = ValidRange(ow, g.W, g.SW, j * g.DW - g.PW);
                int wStart = j * g.DW - g.PW;
                int rowStart = (i * g.KW + j) * plane;
                for (int o = hLo; o < hHi; o++)
                {
                    int rowBase = xBase + (o * g.SH - g.PH + i * g.DH) * sh;
                    var s = rows.Slice(rowStart + o * ow + wLo, wHi - wLo);
                    if (g.SW == 1 && sw == 1)
                    {
                        var d = dst.AsSpan(rowBase + wLo + wStart, wHi - wLo);
                        TensorPrimitives.Add(d, s, d);
                    }
                    else
                        for (int q = 0; q < s.Length; q++) dst[rowBase + ((q + wLo) * g.SW + wStart) * sw] += s[q];
                }
            }
        }
    }
}
