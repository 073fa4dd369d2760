using FluentAssertions;
using NUnit.Framework;

namespace Spike.Tests.NnOps;

using static TestUtil;

public class PoolingTests
{
    static double[] D(Tensor t) => Raw.ToDType(t, DType.Float64).ToArray<double>();

    // (kh, kw, sh, sw, ph, pw, dh, dw, ceil)
    static readonly (int, int, int, int, int, int, int, int, bool)[] MaxCases =
    [
        (2, 2, 2, 2, 0, 0, 1, 1, false), (3, 3, 2, 2, 1, 1, 1, 1, false), (3, 3, 2, 2, 1, 1, 1, 1, true),
        (3, 2, 1, 2, 1, 0, 1, 1, true), (2, 3, 2, 1, 0, 1, 2, 2, false), (3, 3, 3, 3, 1, 0, 2, 1, true),
        (2, 2, 3, 3, 0, 0, 1, 1, true), (4, 3, 3, 2, 2, 1, 1, 1, true),
    ];

    [Test]
    public void MaxPool2dMatchesDirectLoopsWithIndices([Range(0, 7)] int which)
    {
        var (kh, kw, sh, sw, ph, pw, dh, dw, ceil) = MaxCases[which];
        var x = RandomF64(which + 10, 2, 3, 7, 6);
        var (y, idx) = x.MaxPool2dWithIndices((kh, kw), (sh, sw), (ph, pw), (dh, dw), ceil);
        var (ry, ridx, oh, ow) = PoolReference.Max(D(x), 6, 7, 6, kh, kw, sh, sw, ph, pw, dh, dw, ceil);
        y.Shape.Should().Equal(2, 3, oh, ow);
        idx.DType.Should().Be(DType.Int64);
        D(y).ShouldBeClose(ry);
        idx.ToArray<long>().Should().Equal(ridx);
        // Float32 picks the same windows.
        var (y32, idx32) = Raw.ToDType(x, DType.Float32).MaxPool2dWithIndices((kh, kw), (sh, sw), (ph, pw), (dh, dw), ceil);
        idx32.ToArray<long>().Should().Equal(ridx);
        y32.ToArray<float>().ShouldBeClose(ry.Select(v => (float)v).ToArray());
    }

    [Test]
    public void MaxPool1dMatchesDirectLoops([Values(false, true)] bool ceil)
    {
        foreach (var (k, s, p, d) in new[] { (2, 2, 0, 1), (3, 2, 1, 1), (3, 1, 1, 2), (4, 3, 2, 1) })
        {
            var x = RandomF64(k * 7 + s, 3, 2, 11);
            var (y, idx) = x.MaxPool1dWithIndices(k, s, p, d, ceil);
            var (ry, ridx, _, ow) = PoolReference.Max(D(x), 6, 1, 11, 1, k, 1, s, 0, p, 1, d, ceil);
            y.Shape.Should().Equal(3, 2, ow);
            D(y).ShouldBeClose(ry);
            idx.ToArray<long>().Should().Equal(ridx);
        }
    }

    [Test]
    public void MaxPoolIndicesAndNaNFollowPyTorch()
    {
        // torch.nn.functional.max_pool2d(torch.arange(16.).view(1, 1, 4, 4), 2, return_indices=True) -> [[5, 7], [13, 15]].
        var (y, idx) = Tensor.Arange(0, 16, dtype: DType.Float64).Reshape(1, 1, 4, 4).MaxPool2dWithIndices((2, 2));
        D(y).Should().Equal(5, 7, 13, 15);
        idx.ToArray<long>().Should().Equal(5, 7, 13, 15);
        // Ties: the first maximum in row-major window order; NaN propagates.
        var (ty, tidx) = F64([1, 3, 3, 0, double.NaN, 2], 1, 1, 6).MaxPool1dWithIndices(3);
        D(ty)[0].Should().Be(3);
        tidx.ToArray<long>().Should().Equal(1, 4);
        double.IsNaN(D(ty)[1]).Should().BeTrue();
        // Unbatched [C, H, W] keeps its rank.
        Tensor.Zeros(3, 4, 4).MaxPool2d(2).Shape.Should().Equal(3, 2, 2);
    }

    static readonly (int, int, int, int, int, int, bool, bool, int)[] AvgCases =
    [
        (2, 2, 2, 2, 0, 0, false, true, 0), (3, 3, 2, 2, 1, 1, false, true, 0), (3, 3, 2, 2, 1, 1, true, true, 0),
        (3, 3, 2, 2, 1, 1, true, false, 0), (3, 2, 2, 1, 1, 1, true, false, 0), (2, 3, 3, 2, 1, 1, true, true, 0),
        (3, 3, 2, 2, 1, 1, true, true, 5), (4, 4, 3, 3, 2, 2, true, false, 0),
    ];

    [Test]
    public void AvgPool2dMatchesDirectLoopsForwardAndBackward([Range(0, 7)] int which)
    {
        var (kh, kw, sh, sw, ph, pw, ceil, includePad, div) = AvgCases[which];
        var x = RandomF64(which + 30, 1, 2, 7, 6);
        int? divisor = div > 0 ? div : null;
        var y = x.AvgPool2d((kh, kw), (sh, sw), (ph, pw), ceil, includePad, divisor);
        var (ry, oh, ow) = PoolReference.Avg(D(x), 2, 7, 6, kh, kw, sh, sw, ph, pw, ceil, includePad, div);
        y.Shape.Should().Equal(1, 2, oh, ow);
        D(y).ShouldBeClose(ry);
        // Backward against the transpose of the (linear) reference map, column by column.
        var g = RandomF64(which + 40, 1, 2, oh, ow);
        var xg = Raw.Clone(x).RequiresGrad_();
        xg.AvgPool2d((kh, kw), (sh, sw), (ph, pw), ceil, includePad, divisor).Backward(g);
        var gd = D(g);
        var expected = new double[x.Numel];
        for (int e = 0; e < x.Numel; e++)
        {
            var unit = new double[x.Numel]; unit[e] = 1;
            var col = PoolReference.Avg(unit, 2, 7, 6, kh, kw, sh, sw, ph, pw, ceil, includePad, div).Y;
            for (int o = 0; o < col.Length; o++) expected[e] += col[o] * gd[o];
        }
        D(xg.Grad!).ShouldBeClose(expected);
        CheckGrad(t => t[0].AvgPool2d((kh, kw), (sh, sw), (ph, pw), ceil, includePad, divisor), RandomF64(which + 50, 1, 2, 5, 6));
    }

    [Test]
    public void AvgPool1dFollowsPyTorchDivisorRules()
    {
        var x = F64([1, 2, 3, 4, 5], 1, 1, 5);
        // F.avg_pool1d(x, 2, 2, ceil_mode=True): the last window is clipped to one element -> [1.5, 3.5, 5].
        D(x.AvgPool1d(2, ceilMode: true)).Should().Equal(1.5, 3.5, 5);
        // k=3, s=2, p=1, ceil: windows [-1,2), [1,4), [3,6)=[3,5)+pad -> sums 3, 9, 9 over 3 (pad counted) or 2, 3, 2.
        D(x.AvgPool1d(3, 2, 1, ceilMode: true)).Should().Equal(1, 3, 3);
        D(x.AvgPool1d(3, 2, 1, ceilMode: true, countIncludePad: false)).Should().Equal(1.5, 3, 4.5);
        // L=6: the 4th ceil window [5, 8) is cut at L + p = 7, so even count_include_pad divides by 2, not 3.
        var x6 = F64([1, 2, 3, 4, 5, 6], 1, 6);
        D(x6.AvgPool1d(3, 2, 1, ceilMode: true)).Should().Equal(1, 3, 5, 3);
        foreach (var (k, s, p, ceil, inc) in new[] { (3, 2, 1, true, true), (2, 3, 1, true, false), (4, 1, 2, false, false), (3, 3, 0, true, true) })
        {
            var xr = RandomF64(k + s * 3, 2, 3, 9);
            var (ry, _, ow) = PoolReference.Avg(D(xr), 6, 1, 9, 1, k, 1, s, 0, p, ceil, inc);
            var y = xr.AvgPool1d(k, s, p, ceil, inc);
            y.Shape.Should().Equal(2, 3, ow);
            D(y).ShouldBeClose(ry);
            CheckGrad(t => t[0].AvgPool1d(k, s, p, ceil, inc), RandomF64(k, 1, 2, 9));
        }
    }

    [Test]
    public void MaxPoolBackwardScattersToArgmaxAndPassesGradCheck()
    {
        // Overlapping windows (stride 1) send several gradients to one input: they add up.
        var x = F64([0, 5, 1, 2, 4, 3], 1, 1, 6);
        var xg = Raw.Clone(x).RequiresGrad_();
        xg.MaxPool1d(3, 1).Backward(F64([1, 10, 100, 1000], 1, 1, 4));
        // windows [0,5,1] [5,1,2] [1,2,4] [2,4,3] -> argmax 1, 1, 4, 4.
        D(xg.Grad!).Should().Equal(0, 11, 0, 0, 1100, 0);
        foreach (var (k, s, p, d, ceil) in new[] { (2, 2, 0, 1, false), (3, 2, 1, 1, true), (2, 1, 1, 2, false), (3, 3, 1, 1, true) })
        {
            CheckGrad(t => t[0].MaxPool2d((k, k), (s, s), (p, p), (d, d), ceil), RandomF64(k * 5 + s, 1, 2, 6, 5));
            CheckGrad(t => t[0].MaxPool1d(k, s, p, d, ceil), RandomF64(k * 3 + s, 2, 1, 9));
        }
    }

    [Test]
    public void AdaptivePoolsMatchDirectLoops()
    {
        foreach (var (h, w, oh, ow) in new[] { (7, 6, 3, 4), (5, 5, 5, 5), (4, 9, 1, 1), (6, 3, 4, 2), (3, 3, 5, 7) })
        {
            var x = RandomF64(h * w + oh, 2, 2, h, w);
            var (ra, _) = PoolReference.Adaptive(D(x), 4, h, w, oh, ow, max: false);
            var (rm, ridx) = PoolReference.Adaptive(D(x), 4, h, w, oh, ow, max: true);
            D(x.AdaptiveAvgPool2d((oh, ow))).ShouldBeClose(ra);
            var (m, idx) = x.AdaptiveMaxPool2dWithIndices((oh, ow));
            m.Shape.Should().Equal(2, 2, oh, ow);
            D(m).ShouldBeClose(rm);
            idx.ToArray<long>().Should().Equal(ridx);
            CheckGrad(t => t[0].AdaptiveAvgPool2d((oh, ow)), RandomF64(h + w, 1, 2, h, w));
            CheckGrad(t => t[0].AdaptiveMaxPool2d((oh, ow)), RandomF64(h + w + 1, 1, 1, h, w));
        }
        var x1 = RandomF64(3, 2, 3, 10);
        D(x1.AdaptiveAvgPool1d(4)).ShouldBeClose(PoolReference.Adaptive(D(x1), 6, 1, 10, 1, 4, max: false).Y);
        D(x1.AdaptiveMaxPool1d(3)).ShouldBeClose(PoolReference.Adaptive(D(x1), 6, 1, 10, 1, 3, max: true).Y);
        CheckGrad(t => t[0].AdaptiveAvgPool1d(3), RandomF64(4, 1, 2, 7));
    }

    [Test]
    public void StridedInputsAndLargeParallelInputsGiveTheSameNumbers()
    {
        // A transposed (non-contiguous) view pools like its contiguous copy.
        var x = RandomF64(60, 2, 3, 6, 7);
        var view = x.Transpose(2, 3);
        D(view.MaxPool2d(2, 1, 1)).Should().Equal(D(Raw.Contiguous(view).MaxPool2d(2, 1, 1)));
        CheckGrad(t => t[0].Transpose(2, 3).AvgPool2d(3, 2, 1, ceilMode: true), RandomF64(61, 1, 2, 5, 4));
        // 4·16·32·32 elements: above the threshold, planes run on several threads.
        var big = Tensor.Randn([4, 16, 32, 32], new Generator(3), dtype: DType.Float64);
        var (ry, ridx, _, _) = PoolReference.Max(D(big), 64, 32, 32, 3, 3, 2, 2, 1, 1, 1, 1, true);
        var (y, idx) = big.MaxPool2dWithIndices((3, 3), (2, 2), (1, 1), null, true);
        Close.All(D(y), ry, 0);
        idx.ToArray<long>().Should().Equal(ridx);
        Close.All(D(big.AvgPool2d(3, 2, 1, true, false)), PoolReference.Avg(D(big), 64, 32, 32, 3, 3, 2, 2, 1, 1, true, false).Y, 1e-12);
    }

    [Test]
    public void EmptyBatchGivesEmptyOutputsAndGradients()
    {
        var x = Tensor.Zeros([0, 3, 4, 4], DType.Float64).RequiresGrad_();
        var y = x.MaxPool2d(2) + x.AvgPool2d(2) + x.AdaptiveAvgPool2d(2) + x.AdaptiveMaxPool2d(2);
        y.Shape.Should().Equal(0, 3, 2, 2);
        y.Backward(Tensor.Zeros([0, 3, 2, 2], DType.Float64));
        x.Grad!.Shape.Should().Equal(0, 3, 4, 4);
    }

    [Test]
    public void BadArgumentsNameTheOpAndShapes()
    {
        var x = Tensor.Zeros(2, 3, 4, 4);
        FluentActions.Invoking(() => Tensor.Zeros(4, 4).MaxPool2d(2)).Should().Throw<ArgumentException>()
            .WithMessage("max_pool2d: expects a 3-D or 4-D input*[4, 4]*");
        FluentActions.Invoking(() => x.MaxPool2d(2, padding: 2)).Should().Throw<ArgumentException>()
            .WithMessage("max_pool2d: padding (2, 2) must be between 0 and half the kernel size (2, 2)*[2, 3, 4, 4]*");
        FluentActions.Invoking(() => x.AvgPool2d(5)).Should().Throw<ArgumentException>()
            .WithMessage("avg_pool2d: input of shape [2, 3, 4, 4] with kernel (5, 5)*too small");
        FluentActions.Invoking(() => Tensor.Zeros(2, 3, 8).AvgPool1d(0)).Should().Throw<ArgumentException>()
            .WithMessage("avg_pool1d: kernel size 0 must be positive (input [2, 3, 8])");
        FluentActions.Invoking(() => Tensor.Zeros([2, 3, 8], DType.Int64).MaxPool1d(2)).Should().Throw<ArgumentException>()
            .WithMessage("max_pool1d: expects a Float32 or Float64 input, got Int64*");
        FluentActions.Invoking(() => x.AdaptiveAvgPool2d((0, 2))).Should().Throw<ArgumentException>()
            .WithMessage("adaptive_avg_pool2d: output size [0, 2]*[2, 3, 4, 4]*");
    }
}
