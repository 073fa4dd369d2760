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
