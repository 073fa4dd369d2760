using FluentAssertions;
using NUnit.Framework;

namespace Spike.Tests.Ops;

using static TestUtil;

public class MaxMinTests
{
    [Test]
    public void MaxAlongAxisGivesValuesAndFirstIndices()
    {
        // [[1, 5, 5], [7, 2, 7]]: ties resolve to the first index, as torch.
        var x = Tensor.FromArray(new[] { 1.0, 5, 5, 7, 2, 7 }, 2, 3);
        var (v, i) = x.Max(1);
        v.ToArray<double>().Should().Equal(5, 7);
        i.DType.Should().Be(DType.Int64);
        i.ToArray<long>().Should().Equal(1, 0);
        var (v0, i0) = x.Max(0, keepDim: true);
        v0.Shape.Should().Equal(1, 3);
        v0.ToArray<double>().Should().Equal(7, 5, 7);
        i0.ToArray<long>().Should().Equal(1, 0, 1);
        var (mn, mi) = x.Min(-1);
        mn.ToArray<double>().Should().Equal(1, 2);
        mi.ToArray<long>().Should().Equal(0, 1);
        x.ArgMax().Item<long>().Should().Be(3);
        x.ArgMax(keepDim: true).Shape.Should().Equal(1, 1);
        x.ArgMin(0).ToArray<long>().Should().Equal(0, 1, 0);
        x.ArgMax(1, keepDim: true).Shape.Should().Equal(2, 1);
    }

    [Test]
    public void MaxAlongEveryAxisOfAStridedTensorMatchesLoops()
    {
        int[] shape = [4, 3, 5];
        var data = Values(60, 21);
        var x = Tensor.FromArray(data, shape);
        for (int axis = 0; axis < 3; axis++)
        {
            var (v, i) = x.Max(axis);
            v.ToArray<double>().Should().Equal(Reference.ReduceSlices(data, shape, [axis], s => s.Max()));
            i.ToArray<long>().Select(e => (double)e).Should().Equal(Reference.ReduceSlices(data, shape, [axis], s => Array.IndexOf(s, s.Max())));
            var (w, j) = x.Transpose(0, 2).Min(axis);
            var td = x.Transpose(0, 2).ToArray<double>();
            w.ToArray<double>().Should().Equal(Reference.ReduceSlices(td, [5, 3, 4], [axis], s => s.Min()));
            j.ToArray<long>().Select(e => (double)e).Should().Equal(Reference.ReduceSlices(td, [5, 3, 4], [axis], s => Array.IndexOf(s, s.Min())));
        }
    }

    [Test]
    public void IntegerAndBoolInputs()
    {
        var x = Tensor.FromArray(new long[] { 3, -1, 9, 9 });
        var (v, i) = x.Max(0);
        v.Item<long>().Should().Be(9);
        i.Item<long>().Should().Be(2);
        var b = Tensor.FromArray(new[] { false, true, true });
        b.ArgMax().Item<long>().Should().Be(1);
        var (bv, bi) = b.Min(0);
        bv.DType.Should().Be(DType.Bool);
        bv.Item<bool>().Should().BeFalse();
        bi.Item<long>().Should().Be(0);
        Tensor.Scalar(4).Max(0).Values.Item().Should().Be(4);
    }

    [Test]
    public void DimMaxGradientGoesToTheReturnedIndexOnly()
    {
        // Row 0 has a tie at 1 and 2: torch.max(x, 1) sends the whole gradient to index 1.
        var x = Tensor.FromArray(new[] { 1.0, 5, 5, 7, 2, 3 }, 2, 3).RequiresGrad_();
        var (v, _) = x.Max(1);
        (v * Tensor.FromArray(new[] { 10.0, 20.0 })).Sum().Backward();
        x.Grad!.ToArray<double>().Should().Equal(0, 10, 0, 20, 0, 0);
        var y = Tensor.FromArray(new[] { 1.0, 5, 5, 7, 2, 3 }, 2, 3).RequiresGrad_();
        y.Min(0, keepDim: true).Values.Sum().Backward();
        y.Grad!.ToArray<double>().Should().Equal(1, 0, 0, 0, 1, 1);
    }

    [Test]
    public void AmaxGradientIsSplitEvenlyAmongTies()
    {
        // Full reduction with three tied maxima: each gets 1/3, as torch.amax / torch.max().
        var x = Tensor.FromArray(new[] { 4.0, 1, 4, 4, 0, 2 }, 2, 3).RequiresGrad_();
        x.Max().Backward();
        x.Grad!.ToArray<double>().ShouldBeClose([1 / 3.0, 0, 1 / 3.0, 1 / 3.0, 0, 0]);
        var y = Tensor.FromArray(new[] { 4.0, 1, 4, 4, 0, 2 }, 2, 3).RequiresGrad_();
        y.Min([1]).Sum().Backward();
        y.Grad!.ToArray<double>().Should().Equal(0, 1, 0, 0, 1, 0);
        var z = Tensor.FromArray(new[] { 4.0, 1, 4, 4, 0, 2 }, 2, 3).RequiresGrad_();
        z.Max([0], keepDim: true).Sum().Backward();
        z.Grad!.ToArray<double>().Should().Equal(0.5, 1, 1, 0.5, 0, 0);
    }

    [Test]
    public void GradChecksWithDistinctValues()
    {
        var x = RandomF64(8, 3, 4, 5);
        CheckGrad(t => t[0].Max(1).Values, x);
        CheckGrad(t => t[0].Min(-1, keepDim: true).Values * t[0], x);
        CheckGrad(t => t[0].Transpose(0, 2).Max(0).Values, x);
        CheckGrad(t => t[0].Max(), x);
        CheckGrad(t => t[0].Amax([0, 2]), x);
        CheckGrad(t => t[0].Amin([1], keepDim: true), x);
        CheckGrad(t => t[0].Permute(1, 2, 0).Min([0, 1]), x);
    }

    [Test]
    public void Errors()
    {
        var x = Tensor.Zeros(2, 3);
        FluentActions.Invoking(() => x.Max(2)).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*max: axis 2 is out of range for a tensor of rank 2*");
        FluentActions.Invoking(() => x.ArgMin(-3)).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*argmin: axis -3*");
        FluentActions.Invoking(() => Tensor.Zeros(0, 3).Min(0)).Should().Throw<ArgumentException>().WithMessage("min: cannot reduce over axes [0] of shape [0, 3]*");
        FluentActions.Invoking(() => Tensor.Zeros(0).ArgMax()).Should().Throw<ArgumentException>().WithMessage("argmax: cannot reduce*shape [0]*");
    }
}
