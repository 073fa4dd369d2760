using NUnit.Framework;

namespace Spike.Tests.Linalg;

using static TestUtil;
using O = ConvReference.Options;

/// <summary>
/// The Float32 convolution paths against the Float64 direct loops: forward and all three gradients. A batch of one
/// takes the chunked im2col + batched GEMM; larger batches take the per-image path (one image per worker, its own
/// column buffer, single-threaded GEMM), in both of its GEMM orientations, or on AVX-512 the fused path (runs of
/// images packed straight into GEMM panels; the input gradient as a convolution with flipped weights).
/// </summary>
public class ConvFloat32Tests
{
    static readonly (int[] X, int[] W, O Opt)[] Cases =
    [
        ([3, 3, 7, 6], [4, 3, 3, 3], new O()),
        ([3, 3, 7, 6], [4, 3, 3, 2], new O(SH: 2, SW: 1, PH: 1, PW: 2)),
        ([2, 4, 9, 8], [6, 2, 3, 3], new O(SH: 2, SW: 3, PH: 2, PW: 1, DH: 2, DW: 1, Groups: 2)),
        ([5, 4, 5, 4], [5, 4, 1, 1], new O()),                      // 1×1
        ([3, 1, 6, 5], [12, 1, 2, 2], new O(PH: 1, PW: 1)),         // Cout > C·KH·KW: dWᵀ product
        ([3, 8, 6, 6], [64, 8, 3, 3], new O(PH: 1, PW: 1)),         // 36 positions × 64 channels: yᵀ = colᵀ·Wᵀ
        ([4, 16, 10, 9], [24, 8, 3, 3], new O(PH: 1, PW: 1, Groups: 2)),
        // Runs of images whose panels cross image boundaries, two depth blocks, 20 = 12 + 8 output rows.
        ([16, 48, 7, 5], [20, 48, 3, 3], new O(PH: 1, PW: 1)),
        // Dilated and unevenly padded; the input gradient's depth 70·6 = 420 takes two blocks.
        ([16, 40, 9, 8], [70, 40, 3, 2], new O(SH: 1, SW: 1, PH: 2, PW: 1, DH: 2, DW: 1)),
    ];

    [Test]
    public void MatchesTheFloat64Loops([Range(0, 8)] int which, [Values(true, false)] bool batchOfOne, [Values(true, false)] bool withBias)
    {
        var (xs0, ws, o) = Cases[which];
        int[] xs = batchOfOne ? [1, .. xs0[1..]] : xs0;
        var x = Values(Layout.NumelOf(xs), 1); var w = Values(Layout.NumelOf(ws), 2);
        var b = withBias ? Values(ws[0], 3) : null;
        var r = ConvReference.Conv2d(x, xs, w, ws, b, o, s => Values(Layout.NumelOf(s), 4));
        var xt = Tensor.FromArray(x, xs).To(DType.Float32).RequiresGrad_();
        var wt = Tensor.FromArray(w, ws).To(DType.Float32).RequiresGrad_();
        var bt = b is null ? null : Tensor.FromArray(b, ws[0]).To(DType.Float32).RequiresGrad_();
        var y = xt.Conv2d(wt, bt, (o.SH, o.SW), (o.PH, o.PW), (o.DH, o.DW), o.Groups);
        Close(y, r.Y);
        y.Backward(Tensor.FromArray(Values(Layout.NumelOf(r.YShape), 4), r.YShape).To(DType.Float32));
        Close(xt.Grad!, r.Dx);
        Close(wt.Grad!, r.Dw);
        if (bt is not null) Close(bt.Grad!, r.Db);
    }

    /// <summary>
    /// Views as convolution inputs give what their contiguous copies give, forward and both gradients: a channel slice
    /// (unit stride along W, other strides not those of a dense tensor: the fused path) and a view transposed in H
    /// and W (stride ≠ 1 along W: the per-image path).
    /// </summary>
    [Test]
    public void ViewsMatchTheirContiguousCopies([Values(true, false)] bool channelSlice)
    {
        var baseX = Tensor.FromArray(Values(8 * 12 * 9 * 9, 6), [8, 12, 9, 9]).To(DType.Float32);
        Tensor View(Tensor b) => channelSlice ? b.Narrow(1, 3, 7) : b.Narrow(1, 0, 7).Transpose(2, 3);
        var w = Tensor.FromArray(Values(10 * 7 * 3 * 3, 7), [10, 7, 3, 3]).To(DType.Float32);
        var gy = Tensor.FromArray(Values(8 * 10 * 9 * 9, 8), [8, 10, 9, 9]).To(DType.Float32);
        (float[] Y, float[] Dx, float[] Dw) Run(bool copy)
        {
            var xb = Raw.Clone(baseX).RequiresGrad_();
            var wt = Raw.Clone(w).RequiresGrad_();
            var x = View(xb);
            if (copy) x = x.Contiguous();
            var y = x.Conv2d(wt, null, (1, 1), (1, 1), (1, 1), 1);
            y.Backward(gy);
            return (y.ToArray<float>(), xb.Grad!.ToArray<float>(), wt.Grad!.ToArray<float>());
        }
        var (view, copy) = (Run(false), Run(true));
        view.Y.Select(v => (double)v).ToArray().ShouldBeClose(copy.Y.Select(v => (double)v).ToArray(), 1e-5);
        view.Dx.Select(v => (double)v).ToArray().ShouldBeClose(copy.Dx.Select(v => (double)v).ToArray(), 1e-5);
        view.Dw.Select(v => (double)v).ToArray().ShouldBeClose(copy.Dw.Select(v => (double)v).ToArray(), 1e-5);
    }

    /// <summary>Float32 sums of up to a few hundred products of values in [−2, 2): 5e-4 absolute plus relative.</summary>
    static void Close(Tensor actual, double[] expected) => actual.To(DType.Float64).ToArray<double>().ShouldBeClose(expected, 5e-4);
}
