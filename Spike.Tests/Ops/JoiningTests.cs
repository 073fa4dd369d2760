using FluentAssertions;
using NUnit.Framework;

namespace Spike.Tests.Ops;

using static TestUtil;

public class JoiningTests
{
    static Tensor A(int rows, int cols, double start) => Tensor.Arange(start, start + rows * cols, 1, DType.Float64).Reshape(rows, cols);

    [Test]
    public void CatAndStack()
    {
        var a = A(2, 2, 0);   // [[0, 1], [2, 3]]
        var b = A(1, 2, 10);  // [[10, 11]]
        Tensor.Cat([a, b], 0).ToArray<double>().Should().Equal(0, 1, 2, 3, 10, 11);
        Tensor.Cat([a, A(2, 1, 20)], -1).ToArray<double>().Should().Equal(0, 1, 20, 2, 3, 21);
        // Dtypes promote; empty pieces and strided views are fine.
        var c = Tensor.Cat([Tensor.FromArray(new[] { 1, 2 }, 1, 2), a.Transpose(0, 1), Tensor.Zeros([0, 2], DType.Float32)], 0);
        c.DType.Should().Be(DType.Float64);
        c.ToArray<double>().Should().Equal(1, 2, 0, 2, 1, 3);
        var s = Tensor.Stack([a, a * 10], 1);
        s.Shape.Should().Equal(2, 2, 2);
        s.ToArray<double>().Should().Equal(0, 1, 0, 10, 2, 3, 20, 30);
        Tensor.Stack([a, a], -1).Shape.Should().Equal(2, 2, 2);
        Tensor.Stack([Tensor.Scalar(1), Tensor.Scalar(2)]).ToArray<float>().Should().Equal(1f, 2f);
    }

    [Test]
    public void SplitAndChunkAreViews()
    {
        var x = A(7, 2, 0);
        var pieces = x.Split(3);
        pieces.Select(p => p.Shape[0]).Should().Equal(3, 3, 1);
        pieces[2].ToArray<double>().Should().Equal(12, 13);
        pieces[1].Storage.Should().BeSameAs(x.Storage);
        x.Split([2, 5]).Select(p => p.Shape[0]).Should().Equal(2, 5);
        x.Split([1, 1], axis: 1)[1].ToArray<double>().Should().Equal(1, 3, 5, 7, 9, 11, 13);
        // torch.chunk(7, 3) -> 3, 3, 1; chunk(6 rows, 4) -> 2, 2, 2 (fewer than asked).
        x.Chunk(3).Select(p => p.Shape[0]).Should().Equal(3, 3, 1);
        A(6, 1, 0).Chunk(4).Select(p => p.Shape[0]).Should().Equal(2, 2, 2);
        A(2, 5, 0).Chunk(2, -1).Select(p => p.Shape[1]).Should().Equal(3, 2);
    }

    [Test]
    public void PadInPyTorchOrderWithCrops()
    {
        var x = A(2, 3, 1); // [[1, 2, 3], [4, 5, 6]]
        // (left 1, right 0) on the last axis, (top 0, bottom 1) on the first.
        var p = x.Pad([1, 0, 0, 1], value: -1);
        p.Shape.Should().Equal(3, 4);
        p.ToArray<double>().Should().Equal(-1, 1, 2, 3, -1, 4, 5, 6, -1, -1, -1, -1);
        // Negative pads crop: drop the first column, add two on the right.
        x.Pad([-1, 2]).ToArray<double>().Should().Equal(2, 3, 0, 0, 5, 6, 0, 0);
        x.Pad([0, 0, -1, 0]).ToArray<double>().Should().Equal(4, 5, 6);
        x.Pad([-3, 1]).ToArray<double>().Should().Equal(0, 0);
        x.Pad([]).ToArray<double>().Should().Equal(x.ToArray<double>());
        x.Transpose(0, 1).Pad([1, 1]).ToArray<double>().Should().Equal(0, 1, 4, 0, 0, 2, 5, 0, 0, 3, 6, 0);
    }

    [Test]
    public void RepeatLikeTorch()
    {
        var x = Tensor.FromArray(new[] { 1.0, 2, 3 });
        // torch: x.repeat(4, 2) -> [4, 6], each row [1, 2, 3, 1, 2, 3].
        var r = x.Repeat(4, 2);
        r.Shape.Should().Equal(4, 6);
        r.ToArray<double>().Should().Equal(Enumerable.Repeat(new[] { 1.0, 2, 3, 1, 2, 3 }, 4).SelectMany(v => v));
        var m = A(2, 2, 0).Repeat(2, 1);
        m.ToArray<double>().Should().Equal(0, 1, 2, 3, 0, 1, 2, 3);
        A(2, 2, 0).Repeat(1, 2).ToArray<double>().Should().Equal(0, 1, 0, 1, 2, 3, 2, 3);
        x.Repeat(0).Shape.Should().Equal(0);
        x.Repeat(2, 1, 1).Shape.Should().Equal(2, 1, 3);
    }

    [Test]
    public void GradChecks()
    {
        var a = RandomF64(11, 2, 3);
        var b = RandomF64(12, 2, 2);
        var c = RandomF64(13, 3, 2);
        CheckGrad(t => Tensor.Cat([t[0], t[1], t[0] * 2], 1), a, b);
        CheckGrad(t => Tensor.Cat([t[0].Transpose(0, 1), t[1]], 0), a, c);
        CheckGrad(t => Tensor.Stack([t[0], t[1].Transpose(0, 1)], 1), a, c);
        CheckGrad(t => Tensor.Stack([t[0], t[0].Exp()], -1), a);
        CheckGrad(t => t[0].Split(2, 1)[1] * t[0].Chunk(2, 1)[0].Narrow(1, 0, 1), a);
        CheckGrad(t => t[0].Pad([1, -1, -1, 2], 0.5), a);
        CheckGrad(t => t[0].Transpose(0, 1).Pad([2, 0]), a);
        CheckGrad(t => t[0].Repeat(2, 1, 3), a);
        CheckGrad(t => t[0].Transpose(0, 1).Repeat(2, 2), a);
        // A tensor that needs no grad mixed in gets none.
        var x = Tensor.FromArray(new[] { 1.0, 2 }).RequiresGrad_();
        Tensor.Cat([x, Tensor.FromArray(new[] { 5.0 })]).Sum().Backward();
        x.Grad!.ToArray<double>().Should().Equal(1, 1);
    }

    [Test]
    public void Errors()
    {
        var a = Tensor.Zeros(2, 3);
        FluentActions.Invoking(() => Tensor.Cat([a, Tensor.Zeros(2, 4)], 0)).Should().Throw<ArgumentException>()
            .WithMessage("cat: tensor 1 has shape [2, 4] but tensor 0 has shape [2, 3]; sizes must match except along axis 0");
        FluentActions.Invoking(() => Tensor.Cat([a, Tensor.Zeros(6)], 1)).Should().Throw<ArgumentException>().WithMessage("cat: tensor 1 has shape [6]*");
        FluentActions.Invoking(() => Tensor.Cat([], 0)).Should().Throw<ArgumentException>().WithMessage("cat: expects at least one tensor");
        FluentActions.Invoking(() => Tensor.Cat([a], 2)).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*cat: axis 2 is out of range*");
        FluentActions.Invoking(() => Tensor.Stack([a, Tensor.Zeros(3, 2)])).Should().Throw<ArgumentException>()
            .WithMessage("stack: tensor 1 has shape [3, 2] but tensor 0 has shape [2, 3]; all must be equal");
        FluentActions.Invoking(() => Tensor.Stack([a], 3)).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*stack: axis 3*");
        FluentActions.Invoking(() => a.Split([1, 1], 1)).Should().Throw<ArgumentException>()
            .WithMessage("split: sizes [1, 1] must be non-negative and sum to 3, the size of axis 1 of shape [2, 3]");
        FluentActions.Invoking(() => a.Split(0)).Should().Throw<ArgumentException>().WithMessage("split: split size 0 must be positive*");
        FluentActions.Invoking(() => a.Chunk(0)).Should().Throw<ArgumentException>().WithMessage("chunk: number of chunks 0 must be positive*");
        FluentActions.Invoking(() => a.Pad([1, 2, 3])).Should().Throw<ArgumentException>()
            .WithMessage("pad: 3 pad values for shape [2, 3]; expected (left, right) pairs for at most 2 axes");
        FluentActions.Invoking(() => a.Pad([-2, -2])).Should().Throw<ArgumentException>()
            .WithMessage("pad: pads (-2, -2) on axis 1 of shape [2, 3] give a negative size -1");
        FluentActions.Invoking(() => a.Repeat(2)).Should().Throw<ArgumentException>()
            .WithMessage("repeat: 1 repeat counts for shape [2, 3]; need at least one per axis");
    }
}
