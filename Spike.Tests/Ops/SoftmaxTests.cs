using FluentAssertions;
using NUnit.Framework;

namespace Spike.Tests.Ops;

using static TestUtil;

public class SoftmaxTests
{
    static double[] SoftmaxRef(double[] v)
    {
        if (v.Length == 0) return [];
        double m = v.Max();
        var e = v.Select(x => Math.Exp(x - m)).ToArray();
        double s = e.Sum();
        return e.Select(x => x / s).ToArray();
    }

    [Test]
    public void RowKernelsAtAwkwardLengths()
    {
        foreach (var n in Enumerable.Range(0, 258))
        {
            // Three rows so the row offsets matter too.
            var rows = Enumerable.Range(0, 3).Select(r => Reference.Row(n, r)).ToArray();
            var x = Tensor.FromArray(rows.SelectMany(r => r).ToArray(), 3, n);
            var expected = rows.SelectMany(SoftmaxRef).ToArray();
            var expectedLog = rows.SelectMany(r => r.Select(e => e - Reference.LogSumExp(r))).ToArray();
            x.Softmax().ToArray<double>().ShouldBeClose(expected, 1e-14);
            x.LogSoftmax(1).ToArray<double>().ShouldBeClose(expectedLog, 1e-13);
            var x32 = x.To(DType.Float32);
            x32.Softmax().ToArray<float>().ShouldBeClose(expected.Select(e => (float)e).ToArray(), 1e-6f);
            x32.LogSoftmax().ToArray<float>().ShouldBeClose(expectedLog.Select(e => (float)e).ToArray(), 2e-6f);
            var cums = rows.SelectMany(r => r.Select((_, i) => r.Take(i + 1).Sum())).ToArray();
            x.Cumsum(1).ToArray<double>().ShouldBeClose(cums, 1e-13);
        }
    }

    [Test]
    public void ManyRowsSplitAcrossThreadsGiveTheSameRows()
    {
        // 300 × 257 = 77,100 elements: above the parallel threshold, so rows are spread over threads.
        var rows = Enumerable.Range(0, 300).Select(r => Reference.Row(257, r)).ToArray();
        var x = Tensor.FromArray(rows.SelectMany(r => r).ToArray(), 300, 257);
        var y = x.Softmax().ToArray<double>();
        var c = x.Cumsum(1).ToArray<double>();
        var l = x.LogSumExp(1).ToArray<double>();
        for (int r = 0; r < 300; r += 37)
        {
            y.AsSpan(r * 257, 257).ToArray().ShouldBeClose(SoftmaxRef(rows[r]), 1e-14);
            c[r * 257 + 256].Should().BeApproximately(rows[r].Sum(), 1e-12);
            l[r].Should().BeApproximately(Reference.LogSumExp(rows[r]), 1e-12);
        }
    }

    [Test]
    public void LeadingAxisRunsByColumnsAtAwkwardWidths()
    {
        // Along axis 0 of [3, n]: the column kernels fold whole rows; compare with plain loops per column.
        foreach (var n in Enumerable.Range(2, 256).Append(9000))
        {
            int rows = n == 9000 ? 8 : 3; // 8 × 9000 crosses the parallel threshold and the 4096-column blocks
            var data = Enumerable.Range(0, rows).SelectMany(r => Reference.Row(n, r)).ToArray();
            var x = Tensor.FromArray(data, rows, n);
            var sm = x.Softmax(0).ToArray<double>();
            var ls = x.LogSoftmax(0).ToArray<double>();
            var cs = x.Cumsum(0).ToArray<double>();
            for (int c = 0; c < n; c += n > 300 ? 97 : 1)
            {
                var col = Enumerable.Range(0, rows).Select(r => data[r * n + c]).ToArray();
                var expected = SoftmaxRef(col);
                double lse = Reference.LogSumExp(col);
                for (int r = 0; r < rows; r++)
                {
                    sm[r * n + c].Should().BeApproximately(expected[r], 1e-14, $"n={n} c={c}");
                    ls[r * n + c].Should().BeApproximately(col[r] - lse, 1e-13, $"n={n} c={c}");
                    cs[r * n + c].Should().BeApproximately(col.Take(r + 1).Sum(), 1e-13, $"n={n} c={c}");
                }
            }
            // Backward by columns equals backward by rows on the transposed problem.
            var g = Tensor.FromArray(Reference.Row(rows * n, 9), rows, n);
            var y = Raw.Softmax(x, 0);
            var yl = Raw.Softmax(x, 0, log: true);
            Raw.SoftmaxBackward(y, g, 0).ToArray<double>().ShouldBeClose(
                Raw.Transpose(Raw.SoftmaxBackward(Raw.Contiguous(Raw.Transpose(y, 0, 1)), Raw.Contiguous(Raw.Transpose(g, 0, 1)), 1), 0, 1).ToArray<double>(), 1e-13);
            Raw.SoftmaxBackward(yl, g, 0, log: true).ToArray<double>().ShouldBeClose(
                Raw.Transpose(Raw.SoftmaxBackward(Raw.Contiguous(Raw.Transpose(yl, 0, 1)), Raw.Contiguous(Raw.Transpose(g, 0, 1)), 1, log: true), 0, 1).ToArray<double>(), 1e-13);
            Raw.Cumsum(x, 0, reverse: true).ToArray<double>().ShouldBeClose(x.Flip(0).Cumsum(0).Flip(0).ToArray<double>(), 1e-13);
        }
        var masked = Tensor.FromArray(new[] { float.NegativeInfinity, 1f, float.NegativeInfinity, 1f }, 2, 2).Softmax(0).ToArray<float>();
        float.IsNaN(masked[0]).Should().BeTrue();
        masked[1].Should().Be(0.5f);
        Tensor.FromArray(new[] { 1, 2, 3, 4 }, 2, 2).Cumsum(0).ToArray<long>().Should().Equal(1, 2, 4, 6);
    }

    [Test]
    public void AlongEveryAxisOfAStridedTensor()
    {
        int[] shape = [3, 4, 5];
        var data = Values(60, 4);
        var x = Tensor.FromArray(data, shape);
        for (int axis = 0; axis < 3; axis++)
        {
            var y = x.Softmax(axis).ToArray<double>();
            var cs = x.Cumsum(axis).ToArray<double>();
            for (int flat = 0; flat < 60; flat++)
            {
                var idx = Reference.Unravel(flat, shape);
                var slice = Enumerable.Range(0, shape[axis]).Select(k => { var j = (int[])idx.Clone(); j[axis] = k; return data[Reference.Ravel(j, shape)]; }).ToArray();
                y[flat].Should().BeApproximately(SoftmaxRef(slice)[idx[axis]], 1e-14);
                cs[flat].Should().BeApproximately(slice.Take(idx[axis] + 1).Sum(), 1e-13);
            }
        }
        // A transposed view: the same as its contiguous copy.
        var t = x.Transpose(0, 2);
        t.LogSoftmax(1).ToArray<double>().ShouldBeClose(t.Contiguous().LogSoftmax(1).ToArray<double>(), 0);
        t.Softmax(0).Shape.Should().Equal(5, 4, 3);
        t.Softmax(0).IsContiguous.Should().BeTrue();
    }

    [Test]
    public void StableForHugeAndMaskedInputs()
    {
        var x = Tensor.FromArray(new[] { 1000f, 1001f, float.NegativeInfinity, 999f });
        var y = x.Softmax().ToArray<float>();
        double z = 1 + Math.Exp(-1) + Math.Exp(-2);
        y.ShouldBeClose([(float)(Math.Exp(-1) / z), (float)(1 / z), 0f, (float)(Math.Exp(-2) / z)]);
        x.LogSoftmax().ToArray<float>()[2].Should().Be(float.NegativeInfinity);
        // A fully masked row gives NaN (as PyTorch), not an exception.
        float.IsNaN(Tensor.Full([2], float.NegativeInfinity).Softmax().ToArray<float>()[0]).Should().BeTrue();
    }

    [Test]
    public void CumsumDTypesAndEdgeCases()
    {
        var i = Tensor.FromArray(new[] { 1, 2, 3, 4 }, 2, 2);
        i.Cumsum(0).DType.Should().Be(DType.Int64);
        i.Cumsum(0).ToArray<long>().Should().Equal(1, 2, 4, 6);
        Tensor.FromArray(new[] { true, false, true }).Cumsum(0).ToArray<long>().Should().Equal(1, 1, 2);
        Tensor.Scalar(3).Cumsum(0).Item().Should().Be(3);
        Tensor.Zeros(0, 3).Cumsum(1).Shape.Should().Equal(0, 3);
        Tensor.FromArray(new[] { 1, 2, 3 }).Softmax().DType.Should().Be(DType.Float32);
    }

    [Test]
    public void GradChecks()
    {
        var x = RandomF64(5, 3, 4, 5);
        for (int axis = -1; axis < 3; axis++)
        {
            CheckGrad(t => t[0].Softmax(axis), x);
            CheckGrad(t => t[0].LogSoftmax(axis), x);
            CheckGrad(t => t[0].Cumsum(axis), x);
        }
        CheckGrad(t => t[0].Transpose(0, 2).Softmax(1) * t[0].Transpose(0, 2), x);
        CheckGrad(t => t[0].Permute(1, 2, 0).LogSoftmax(0), x);
        CheckGrad(t => t[0].Narrow(2, 1, 3).Cumsum(2), x);
    }

    [Test]
    public void Errors()
    {
        var x = Tensor.Zeros(2, 3);
        FluentActions.Invoking(() => x.Softmax(2)).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*softmax: axis 2 is out of range for a tensor of rank 2*");
        FluentActions.Invoking(() => x.LogSoftmax(-3)).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*log_softmax: axis -3*");
        FluentActions.Invoking(() => x.Cumsum(5)).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*cumsum: axis 5*");
        FluentActions.Invoking(() => Raw.SoftmaxBackward(x, Tensor.Zeros(3, 2), 1)).Should().Throw<ArgumentException>()
            .WithMessage("softmax backward: output shape [2, 3] and gradient shape [3, 2] differ");
    }
}
