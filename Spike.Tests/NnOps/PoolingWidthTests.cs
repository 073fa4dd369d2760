using FluentAssertions;
using NUnit.Framework;

namespace Spike.Tests.NnOps;

/// <summary>
/// Max and average pooling with kernel 2 and stride 2 along W (MaxPool2d(2), AvgPool1d(2), ...) and assorted windows
/// along H, at every width 1..70 and 257, Float32 and Float64, with ties, −∞ and a NaN: max values and indices, average
/// values and the average's backward against the direct loops.
/// </summary>
public class PoolingWidthTests
{
    const int Planes = 2, H = 5;

    static readonly int[] Widths = [.. Enumerable.Range(1, 70), 257];

    // (kh, sh, ph, dh, ceil) along H; along W always kernel 2, stride 2.
    static readonly (int KH, int SH, int PH, int DH, bool Ceil)[] RowWindows =
        [(2, 2, 0, 1, false), (3, 2, 1, 1, true), (1, 1, 0, 1, false), (2, 1, 1, 2, true)];

    /// <summary>Values from a small set (ties in most windows), a few −∞, and one NaN per plane.</summary>
    static double[] Plane(int w)
    {
        var v = new double[Planes * H * w];
        for (int i = 0; i < v.Length; i++) v[i] = i % 11 == 3 ? double.NegativeInfinity : (i / 2 + i / 7) % 4 - 2;
        for (int p = 0; p < Planes; p++) v[p * H * w + 2 * w + w / 2] = double.NaN;
        return v;
    }

    static double[] D(Tensor t) => Raw.ToDType(t, DType.Float64).ToArray<double>();

    [Test]
    public void MaxPoolAtEveryWidth([Values(DType.Float32, DType.Float64)] DType dtype)
    {
        foreach (int w in Widths)
            foreach (var (kh, sh, ph, dh, ceil) in RowWindows)
            {
                var xv = Plane(w);
                var (ry, ridx, oh, ow) = PoolReference.Max(xv, Planes, H, w, kh, 2, sh, 2, ph, 0, dh, 1, ceil);
                if (oh < 1 || ow < 1) continue;
                var x = Raw.ToDType(Tensor.FromArray(xv, 1, Planes, H, w), dtype);
                var (y, idx) = x.MaxPool2dWithIndices((kh, 2), (sh, 2), (ph, 0), (dh, 1), ceil);
                string what = $"{dtype} W={w} window ({kh}, {sh}, {ph}, {dh}, {ceil})";
                D(y).Should().Equal(ry, (a, b) => a.Equals(b), what);
                idx.ToArray<long>().Should().Equal(ridx, what);
            }
    }

    [Test]
    public void AvgPoolAndItsBackwardAtEveryWidth([Values(DType.Float32, DType.Float64)] DType dtype, [Values(true, false)] bool includePad)
    {
        double tol = dtype == DType.Float32 ? 1e-5 : 1e-12;
        foreach (int w in Widths)
            foreach (var (kh, sh, ph, _, ceil) in RowWindows)
                foreach (int divisor in new[] { 0, 3 })
                {
                    var xv = TestUtil.Values(Planes * H * w, w);
                    var (ry, oh, ow) = PoolReference.Avg(xv, Planes, H, w, kh, 2, sh, 2, ph, 0, ceil, includePad, divisor);
                    if (oh < 1 || ow < 1) continue;
                    var x = Raw.ToDType(Tensor.FromArray(xv, 1, Planes, H, w), dtype).RequiresGrad_();
                    var y = x.AvgPool2d((kh, 2), (sh, 2), (ph, 0), ceil, includePad, divisor > 0 ? divisor : null);
                    string what = $"{dtype} W={w} window ({kh}, {sh}, {ph}, {ceil}) divisor {divisor}";
                    Close.All(D(y), ry, tol);
                    // Backward: each window hands g/divisor to its in-range elements (the reference's windows).
                    var gv = TestUtil.Values(Planes * oh * ow, w + 1);
                    y.Backward(Raw.ToDType(Tensor.FromArray(gv, 1, Planes, oh, ow), dtype));
                    var dx = new double[xv.Length];
                    for (int p = 0; p < Planes; p++)
                        for (int i = 0; i < oh; i++)
                            for (int j = 0; j < ow; j++)
                            {
                                int r0 = i * sh - ph, c0 = 2 * j, rPad = Math.Min(r0 + kh, H + ph) - r0, cPad = Math.Min(c0 + 2, w) - c0;
                                var cells = Enumerable.Range(r0, rPad).Where(r => r >= 0 && r < H)
                                    .SelectMany(r => Enumerable.Range(c0, cPad).Select(c => p * H * w + r * w + c)).ToArray();
                                int div = divisor > 0 ? divisor : includePad ? rPad * cPad : cells.Length;
                                foreach (var at in cells) dx[at] += gv[(p * oh + i) * ow + j] / div;
                            }
                    Close.All(D(x.Grad!), dx, tol);
                }
    }
}
