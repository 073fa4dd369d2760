using FluentAssertions;
using NUnit.Framework;

namespace Spike.Tests.Grad;

using static TestUtil;

/// <summary>Every smooth elementwise op against central differences in Float64, on contiguous and strided inputs.</summary>
public class GradCheckElementwiseTests
{
    static readonly (string Name, Func<Tensor, Tensor> F, bool Positive)[] Unaries =
    [
        ("neg", x => x.Neg(), false), ("abs", x => x.Abs(), false), ("exp", x => x.Exp(), false),
        ("log", x => x.Log(), true), ("log1p", x => x.Log1p(), true), ("sqrt", x => x.Sqrt(), true),
        ("rsqrt", x => x.Rsqrt(), true), ("sin", x => x.Sin(), false), ("cos", x => x.Cos(), false),
        ("tanh", x => x.Tanh(), false), ("sigmoid", x => x.Sigmoid(), false), ("relu", x => x.Relu(), false),
        ("atan", x => x.Atan(), false), ("erf", x => x.Erf(), false), ("erfc", x => x.Erfc(), false),
        ("reciprocal", x => x.Reciprocal(), true), ("pow3", x => x.Pow(3), false), ("pow1.5", x => x.Pow(1.5), true),
        ("clamp", x => x.Clamp(-1, 1), false), ("square", x => x * x, false),
    ];

    [Test]
    public void Unary([Range(0, 19)] int which)
    {
        var (_, f, positive) = Unaries[which];
        var x = RandomF64(which + 1, 3, 4);
        if (positive) x = Raw.Binary(BinaryOp.Add, Raw.Unary(UnaryOp.Abs, x), Tensor.Scalar(0.2, DType.Float64));
        CheckGrad(t => f(t[0]), x);
        // Strided view of a wider tensor.
        CheckGrad(t => f(t[0].Transpose(0, 1)), x);
    }

    [Test]
    public void BinaryWithBroadcasting()
    {
        var shapes = new (int[], int[])[] { ([3, 4], [3, 4]), ([3, 4], [4]), ([3, 1], [1, 4]), ([2, 3, 4], [3, 1]), ([3, 4], []) };
        foreach (var (sa, sb) in shapes)
        {
            var a = RandomF64(5, sa);
            var b = Raw.Binary(BinaryOp.Add, Raw.Unary(UnaryOp.Abs, RandomF64(6, sb.Length == 0 ? [1] : sb)), Tensor.Scalar(0.5, DType.Float64));
            if (sb.Length == 0) b = Raw.Reshape(b);
            CheckGrad(t => t[0] + t[1], a, b);
            CheckGrad(t => t[0] - t[1], a, b);
            CheckGrad(t => t[0] * t[1], a, b);
            CheckGrad(t => t[0] / t[1], a, b);
            CheckGrad(t => t[1].Pow(t[0]), a, b);
            CheckGrad(t => t[0].Maximum(t[1]), a, b);
            CheckGrad(t => t[0].Minimum(t[1]), a, b);
            CheckGrad(t => Tensor.Where(t[0].Gt(0), t[0], t[1]), a, b);
        }
    }

    [Test]
    public void PowGradientsAtAZeroBaseAreZeroNotNaN()
    {
        // PyTorch: d(aᵇ)/db = aᵇ·ln a is taken as 0 where a = 0 and b ≥ 0, and d/da = b·aᵇ⁻¹ as 0 where b = 0.
        var a = Tensor.FromArray(new[] { 0.0, 0.0, 2.0, 0.0 }).RequiresGrad_();
        var b = Tensor.FromArray(new[] { 2.0, 0.0, 0.0, 0.5 }).RequiresGrad_();
        a.Pow(b).Sum().Backward();
        a.Grad!.ToArray<double>().Should().Equal(0, 0, 0, double.PositiveInfinity);
        b.Grad!.ToArray<double>().Should().Equal(0, 0, Math.Log(2), 0);
    }

    [Test]
    public void ScalarOperators()
    {
        CheckGrad(t => (2 - t[0]) * 3 + 1 / (t[0] * t[0] + 1) - t[0] / 4, RandomF64(2, 5));
    }
}
