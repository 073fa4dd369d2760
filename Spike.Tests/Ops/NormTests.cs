using FluentAssertions;
using NUnit.Framework;

namespace Spike.Tests.Ops;

public class NormTests
{
    [Test]
    public void NormIsTheSquareRootOfTheSumOfSquares()
    {
        var x = Tensor.FromArray(new[] { 3.0, 4, 0, 0, 1, 2, 2, 0 }, 2, 4);
        x.Norm(1).ToArray<double>().Should().Equal(5, 3);
        x.Norm(1, keepDim: true).Shape.Should().Equal(2, 1);
        x.Norm().Item().Should().BeApproximately(Math.Sqrt(34), 1e-12);
        x.Norm([0]).ToArray<double>().ShouldBeClose([Math.Sqrt(9 + 1), Math.Sqrt(16 + 4), 2, 0]);
        Tensor.FromArray(new[] { 3f, 4f }).Norm().Item().Should().Be(5);
        FluentActions.Invoking(() => Tensor.FromArray(new long[] { 3, 4 }).Norm()).Should().Throw<ArgumentException>().WithMessage("*norm*Int64*");
    }

    [Test]
    public void NormPassesGradCheckAndGivesZeroGradientForAZeroSlice()
    {
        TestUtil.CheckGrad(a => a[0].Norm(1, keepDim: true), TestUtil.RandomF64(1, 3, 4));
        TestUtil.CheckGrad(a => a[0].Norm([0, 2]), TestUtil.RandomF64(2, 2, 3, 2));
        var x = Tensor.FromArray(new[] { 0.0, 0, 1, -2 }, 2, 2).RequiresGrad_();
        x.Norm(1).Sum().Backward();
        x.Grad!.ToArray<double>().ShouldBeClose([0, 0, 1 / Math.Sqrt(5), -2 / Math.Sqrt(5)]);
    }
}
