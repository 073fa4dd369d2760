using FluentAssertions;
using NUnit.Framework;
using Spike.Nn;
using Sigmoid = Spike.Nn.Sigmoid;

namespace Spike.Tests.Nn;

public sealed class SurrogateTests
{
    static IEnumerable<Surrogate> All() =>
    [
        new Sigmoid(), new Sigmoid(5), new ATan(), new ATan(3), new Erf(), new SoftSign(), new PiecewiseQuadratic(), new PiecewiseQuadratic(1.5),
        new PiecewiseExp(), new NonzeroSignLogAbs(), new NonzeroSignLogAbs(2), new SquarewaveFourierSeries(), new SquarewaveFourierSeries(4, 8),
        new S2NN(), new S2NN(3, 0.5), new QPseudoSpike(), new QPseudoSpike(3),
    ];

    [TestCaseSource(nameof(All))]
    public void ManualDerivativeMatchesAutogradOfPrimitive(Surrogate s)
    {
        // A 600-point grid on [-3, 3] (step 6/599) never lands on the kinks of the piecewise surrogates (±1/α, 0).
        var r = SurrogateCheck.CheckManualGrad(s, -3, 3, 600);
        // S2NN's primitive is β·ln(|x+1| + 1e-5): its slope β/(x+1+1e-5) differs from g' = β/(x+1) by ~1e-5.
        r.AbsError.Should().BeLessThan(s is S2NN ? 2e-5 : 1e-6, r.ToString());
    }

    [Test]
    public void PiecewiseLeakyReLUKeepsSpikingJellysSlopeMismatch()
    {
        // g' = 1/w inside |x| < w, but the primitive's slope there is 1/(2w) (upstream; docs/compat.md).
        var s = new PiecewiseLeakyReLU(1.0, 0.01);
        var r = SurrogateCheck.CheckManualGrad(s, -0.9, 0.9, 19);
        r.Passed.Should().BeFalse();
        r.Manual.Should().Be(1.0);
        r.Autograd.Should().BeApproximately(0.5, 1e-12);
        SurrogateCheck.CheckManualGrad(s, 1.1, 3, 20).Passed.Should().BeTrue();
        SurrogateCheck.CheckManualGrad(s, -3, -1.1, 20).Passed.Should().BeTrue();
    }

    [TestCaseSource(nameof(All))]
    public void SpikingForwardIsHeavisideWithThetaOfZeroOne(Surrogate s)
    {
        var x = Tensor.FromArray([-2f, -1e-7f, 0f, -0f, 1e-7f, 3f]);
        s.Forward(x).ToArray<float>().Should().Equal(0f, 0f, 1f, 1f, 1f, 1f);
    }

    [TestCaseSource(nameof(All))]
    public void SpikingBackwardIsGradTimesDerivative(Surrogate s)
    {
        var x = Tensor.FromArray([-1.3, -0.2, 0.0, 0.4, 2.1]).RequiresGrad_();
        var w = Tensor.FromArray([0.5, -1.0, 2.0, 1.5, -0.7]);
        (s.Fire(x) * w).Sum().Backward();
        double[] xs = [-1.3, -0.2, 0.0, 0.4, 2.1], ws = [0.5, -1.0, 2.0, 1.5, -0.7];
        x.Grad!.ToArray<double>().ShouldBeClose(xs.Select((v, i) => ws[i] * s.Derivative(v)).ToArray());
    }

    [TestCaseSource(nameof(All))]
    public void FloatSpanKernelMatchesScalarDerivative(Surrogate s)
    {
        // 37 points: exercises the SIMD body and the scalar tail of the vectorised kernels.
        var xs = Enumerable.Range(0, 37).Select(i => (float)(-3 + i / 6.0)).ToArray();
        var dst = new float[xs.Length];
        s.Derivative(xs, dst);
        dst.ShouldBeClose(xs.Select(v => (float)s.Derivative(v)).ToArray(), 1e-6f);
    }

    [TestCaseSource(nameof(All))]
    public void DerivativeAtThresholdEqualsDerivativeOfTheDifference(Surrogate s)
    {
        // The fused neuron backward's row g'(h − vth): bit-equal to subtracting first, at every length from 0 to 40
        // (vector bodies and scalar tails).
        var g = new Random(5);
        for (int n = 0; n <= 40; n++)
        {
            var h = Enumerable.Range(0, n).Select(_ => (float)(g.NextDouble() * 4 - 1)).ToArray();
            var th = Enumerable.Range(0, n).Select(_ => (float)(g.NextDouble() + 0.5)).ToArray();
            var diff = h.Zip(th, (a, b) => a - b).ToArray();
            var expected = new float[n];
            s.Derivative(diff, expected);
            var fused = new float[n];
            s.DerivativeAt(h, th, fused);
            fused.Should().Equal(expected, $"length {n}");
        }
    }

    [Test]
    public void ATanRowKernelEqualsTheFourPassForm()
    {
        // One pass over the row must round exactly as multiply, square, add one, divide did as separate passes.
        var s = new ATan(3);
        float c = (float)(Math.PI / 2 * 3), a2 = 1.5f;
        var x = Enumerable.Range(0, 53).Select(i => (float)Math.Sin(i * 0.37) * 2.3f).ToArray();
        var expected = new float[x.Length];
        System.Numerics.Tensors.TensorPrimitives.Multiply(x, c, expected);
        System.Numerics.Tensors.TensorPrimitives.Multiply(expected, expected, expected);
        System.Numerics.Tensors.TensorPrimitives.Add(expected, 1f, expected);
        System.Numerics.Tensors.TensorPrimitives.Divide(a2, expected, expected);
        var actual = new float[x.Length];
        s.Derivative(x, actual);
        actual.Should().Equal(expected);
    }

    [Test]
    public void PrimitiveModeIsDifferentiableInFloat64() =>
        TestUtil.CheckGrad(a => { var s = new ATan(); s.Spiking = false; return s.Forward(a[0]); }, TestUtil.RandomF64(1, 3, 4));

    [Test]
    public void HandValuesAtZero()
    {
        // g'(0): Sigmoid α/4 = 1; ATan α/2 = 1; Erf α/√π; SoftSign 1/(2α·(1/α)²) = α/2 = 1; PiecewiseQuadratic α = 1;
        // PiecewiseExp α/2; NonzeroSignLogAbs α; QPseudoSpike 1; S2NN β; SquarewaveFourierSeries(n=2, T=8) 4/8.
        new Sigmoid().Derivative(0).Should().Be(1);
        new ATan().Derivative(0).Should().Be(1);
        new Erf().Derivative(0).Should().BeApproximately(2 / Math.Sqrt(Math.PI), 1e-15);
        new SoftSign().Derivative(0).Should().BeApproximately(1, 1e-15);
        new PiecewiseQuadratic().Derivative(0).Should().Be(1);
        new PiecewiseExp().Derivative(0).Should().Be(0.5);
        new NonzeroSignLogAbs(2).Derivative(0).Should().Be(2);
        new QPseudoSpike().Derivative(0).Should().Be(1);
        new S2NN(4, 0.5).Derivative(0).Should().Be(0.5);
        new SquarewaveFourierSeries().Derivative(0).Should().Be(0.5);
        // Primitive at 0 is 1/2 for the probability-like ones.
        foreach (var s in new Surrogate[] { new Sigmoid(), new ATan(), new Erf(), new SoftSign(), new PiecewiseQuadratic(), new PiecewiseExp(), new QPseudoSpike(), new SquarewaveFourierSeries() })
            s.Primitive(Tensor.Scalar(0, DType.Float64)).Item().Should().BeApproximately(0.5, 1e-12, s.GetType().Name);
    }

    [Test]
    public void SpikesOfAnIntegerTensorAreRejectedWithTheShape()
    {
        var act = () => new ATan().Fire(Tensor.FromArray([1, 2, 3]));
        act.Should().Throw<ArgumentException>().WithMessage("*ATan*Int32*[3]*");
    }
}
