using FluentAssertions;
using NUnit.Framework;

namespace Spike.Tests.Grad;

using static TestUtil;

public class GradCheckViewTests
{
    [Test]
    public void ViewsAndReductions()
    {
        var x = RandomF64(1, 2, 3, 4);
        CheckGrad(t => t[0].Reshape(6, 4) * Tensor.Arange(0, 4, 1, DType.Float64), x);
        CheckGrad(t => t[0].Permute(2, 0, 1).Reshape(4, 6), x);
        CheckGrad(t => t[0].Transpose(0, 2), x);
        CheckGrad(t => t[0].Narrow(2, 1, 2), x);
        CheckGrad(t => t[0].Select(1, 2), x);
        CheckGrad(t => t[0].Select(0, 1).Unsqueeze(0).Expand(5, 3, 4), x);
        CheckGrad(t => t[0].Unsqueeze(1).Squeeze(1).Flatten(1), x);
        CheckGrad(t => t[0].Sum(), x);
        CheckGrad(t => t[0].Sum(1), x);
        CheckGrad(t => t[0].Sum([0, 2], keepDim: true), x);
        CheckGrad(t => t[0].Mean(-1), x);
        CheckGrad(t => t[0].Mean(), x);
        CheckGrad(t => t[0].Contiguous().Clone(), x);
    }

    [Test]
    public void DTypeConversionPassesTheGradientBackInTheInputType()
    {
        // Finite differences through float32 rounding mean nothing, so this one is checked exactly.
        var x = Tensor.FromArray(new[] { 1.0, 2.0, 3.0 }).RequiresGrad_();
        (x.To(DType.Float32) * Tensor.FromArray(new[] { 2f, 3f, 4f })).Sum().Backward();
        x.Grad!.DType.Should().Be(DType.Float64);
        x.Grad!.ToArray<double>().Should().Equal(2, 3, 4);
    }

    [Test]
    public void SumValues()
    {
        var x = Tensor.Arange(0, 24, 1, DType.Float64).Reshape(2, 3, 4);
        x.Sum().Item().Should().Be(276);
        x.Sum(0).ToArray<double>()[..4].Should().Equal(12, 14, 16, 18);
        x.Sum([0, 2]).ToArray<double>().Should().Equal(60, 92, 124);
        x.Sum(1, keepDim: true).Shape.Should().Equal(2, 1, 4);
        x.Mean(2).ToArray<double>().Should().Equal(1.5, 5.5, 9.5, 13.5, 17.5, 21.5);
        Tensor.Arange(4).Sum().DType.Should().Be(DType.Int64);
        Tensor.Zeros(0, 3).Sum(0).ToArray<float>().Should().Equal(0f, 0f, 0f);
    }
}
