using FluentAssertions;
using NUnit.Framework;

namespace Spike.Tests.Core;


public class LayoutTests
{
    [Test]
    public void ViewsShareStorage()
    {
        var x = Tensor.Arange(0, 24, 1, DType.Float32).Reshape(2, 3, 4);
        var t = x.Transpose(0, 2);
        t.Storage.Should().BeSameAs(x.Storage);
        t.Shape.Should().Equal(4, 3, 2);
        t.IsContiguous.Should().BeFalse();
        x.Narrow(2, 1, 2).Storage.Should().BeSameAs(x.Storage);
        x.Select(1, 2).Storage.Should().BeSameAs(x.Storage);
        x.Unsqueeze(0).Expand(5, 2, 3, 4).Storage.Should().BeSameAs(x.Storage);
        // A write through a view is visible in the base.
        Raw.Fill(x.Select(0, 1).Select(0, 2), -1);
        x.ToArray<float>()[20..24].Should().Equal(-1, -1, -1, -1);
    }

    [Test]
    public void EveryViewOpSharesStorageAndSeesWrites()
    {
        // Each view, then a write of 100 through it at its first element: the base must see it at that element's offset.
        var views = new (string Name, Func<Tensor, Tensor> View, int BaseIndex)[]
        {
            ("view", x => x.View(6, 4), 0), ("reshape", x => x.Reshape(4, -1), 0), ("flatten", x => x.Flatten(1), 0),
            ("permute", x => x.Permute(2, 0, 1), 0), ("transpose", x => x.Transpose(1, 2).Narrow(0, 1, 1), 12),
            ("narrow", x => x.Narrow(2, 3, 1), 3), ("select", x => x.Select(1, 2), 8), ("expand", x => x.Narrow(0, 1, 1).Expand(5, 3, 4), 12),
            ("broadcast_to", x => x.Select(2, 1).Unsqueeze(0).BroadcastTo(2, 2, 3), 1), ("unsqueeze", x => x.Unsqueeze(1), 0),
            ("squeeze", x => x.Narrow(1, 1, 1).Squeeze(1), 4), ("split", x => x.Split(2, 2)[1], 2), ("chunk", x => x.Chunk(3, 1)[2], 8),
            ("T", x => x.Select(0, 1).T, 12), ("contiguous of contiguous", x => x.Contiguous(), 0),
        };
        foreach (var (name, view, at) in views)
        {
            var x = Tensor.Arange(0, 24, 1, DType.Float32).Reshape(2, 3, 4);
            var v = view(x);
            v.Storage.Should().BeSameAs(x.Storage, name);
            var first = v;
            while (first.Rank > 0) first = Raw.Select(first, 0, 0);
            Raw.Fill(first, 100);
            x.ToArray<float>()[at].Should().Be(100, name);
        }
    }

    [Test]
    public void TransposedValuesAreRead()
    {
        var x = Tensor.Arange(0, 6, 1, DType.Float32).Reshape(2, 3);
        x.T.ToArray<float>().Should().Equal(0, 3, 1, 4, 2, 5);
        x.Narrow(1, 1, 2).ToArray<float>().Should().Equal(1, 2, 4, 5);
        x.Select(1, -1).ToArray<float>().Should().Equal(2, 5);
        x.Unsqueeze(1).Expand(2, 2, 3).ToArray<float>().Should().Equal(0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5);
    }

    [Test]
    public void ReshapeCopiesOnlyWhenItMust()
    {
        var x = Tensor.Arange(0, 24, 1, DType.Float32).Reshape(2, 3, 4);
        x.Reshape(6, 4).Storage.Should().BeSameAs(x.Storage);
        x.Reshape(-1).Storage.Should().BeSameAs(x.Storage);
        // Permuted (0,2,1): merging the last two dims is impossible without a copy ...
        var p = x.Permute(0, 2, 1);
        var r = p.Reshape(2, 12);
        r.Storage.Should().NotBeSameAs(x.Storage);
        r.ToArray<float>()[..6].Should().Equal(0, 4, 8, 1, 5, 9);
        // ... but splitting the leading dim of a permuted tensor is a view.
        x.Permute(1, 0, 2).Reshape(3, 2, 2, 2).Storage.Should().BeSameAs(x.Storage);
        FluentActions.Invoking(() => p.View(2, 12)).Should().Throw<InvalidOperationException>().WithMessage("*view*");
    }

    [Test]
    public void SqueezeUnsqueeze()
    {
        var x = Tensor.Zeros(2, 1, 3, 1);
        x.Squeeze().Shape.Should().Equal(2, 3);
        x.Squeeze(1).Shape.Should().Equal(2, 3, 1);
        x.Squeeze(0).Shape.Should().Equal(2, 1, 3, 1);
        x.Unsqueeze(-1).Shape.Should().Equal(2, 1, 3, 1, 1);
        x.Unsqueeze(0).Shape.Should().Equal(1, 2, 1, 3, 1);
    }

    [Test]
    public void ZeroDimTensorsTakeAxisZeroAsPyTorchDoes()
    {
        // torch.tensor(2.).sum(0), .prod(-1), .squeeze(0), .flip(0), .transpose(0, -1), .softmax(0), .cumsum(0), .gather(0, tensor(0)).
        var s = Tensor.Scalar(2, DType.Float64);
        foreach (var y in new[] { s.Sum(0), s.Prod(-1), s.Mean(0), s.Amax([0]), s.Squeeze(0), s.Flip(0), s.Transpose(0, -1), s.Cumsum(0),
                     s.Gather(0, Tensor.Zeros([], DType.Int64)), s.Max(0).Values })
        {
            y.Rank.Should().Be(0);
            y.Item().Should().Be(2);
        }
        s.Softmax(0).Item().Should().Be(1);
        s.Sum(0, keepDim: true).Rank.Should().Be(0);
        var acc = Tensor.Scalar(1, DType.Float64);
        Raw.ScatterAdd_(acc, 0, Tensor.Zeros([], DType.Int64), s);
        acc.Item().Should().Be(3);
        // Gradients flow through the axis-0 forms too.
        var x = Tensor.Scalar(3, DType.Float64).RequiresGrad_();
        (x.Sum(0) * x.Prod(0) + x.Flip(0)).Backward();
        x.Grad!.Item().Should().Be(7);
        // Ops that need a real axis say so.
        FluentActions.Invoking(() => s.Select(0, 0)).Should().Throw<ArgumentOutOfRangeException>().WithMessage("select: a 0-d tensor has no axis 0*");
        FluentActions.Invoking(() => s.Sum(1)).Should().Throw<ArgumentOutOfRangeException>().WithMessage("sum: axis 1 is out of range for a tensor of rank 0*");
    }

    [Test]
    public void ExpandKeepsAxesGivenAsMinusOne()
    {
        var x = Tensor.Arange(0, 3, 1, DType.Float64).Reshape(3, 1);
        var e = x.Expand(2, -1, 4);
        e.Shape.Should().Equal(2, 3, 4);
        e.Storage.Should().BeSameAs(x.Storage);
        e.Layout.Strides.Should().Equal(0, 1, 0);
        e.Sum([0, 2]).ToArray<double>().Should().Equal(0, 8, 16);
        FluentActions.Invoking(() => x.Expand(-1, 3, 4)).Should().Throw<ArgumentException>().WithMessage("expand:*[3, 1]*[-1, 3, 4]*");
    }

    [Test]
    public void BadShapesNameTheOp()
    {
        var a = Tensor.Zeros(2, 3);
        var b = Tensor.Zeros(4, 3);
        FluentActions.Invoking(() => a + b).Should().Throw<ArgumentException>().WithMessage("*add*[2, 3]*[4, 3]*");
        FluentActions.Invoking(() => a.Reshape(4, 2)).Should().Throw<ArgumentException>().WithMessage("*reshape*[4, 2]*6*");
        FluentActions.Invoking(() => a.Sum(2)).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*sum*axis 2*rank 2*");
        FluentActions.Invoking(() => a.Permute(0, 0)).Should().Throw<ArgumentException>().WithMessage("*permute*");
        FluentActions.Invoking(() => a.Narrow(1, 2, 2)).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*narrow*[2, 4)*");
        FluentActions.Invoking(() => a.Expand(3, 3)).Should().Throw<ArgumentException>().WithMessage("*expand*[2, 3]*[3, 3]*");
        FluentActions.Invoking(() => Tensor.Zeros(2).ToArray<double>()).Should().Throw<InvalidCastException>().WithMessage("*Float32*");
    }
}
