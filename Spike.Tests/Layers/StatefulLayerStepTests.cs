using FluentAssertions;
using NUnit.Framework;
using Spike.Nn;

namespace Spike.Tests.Layers;

/// <summary>The stateful layers in both step modes, LinearRecurrentContainer, Delay and DropConnectLinear.</summary>
public class StatefulLayerStepTests
{
    static IEnumerable<TestCaseData> Layers()
    {
        yield return new TestCaseData(new Func<MemoryModule>(() => new SynapseFilter(3.0, learnable: true)), new[] { 5, 2, 3 }).SetArgDisplayNames("SynapseFilter");
        yield return new TestCaseData(new Func<MemoryModule>(() => new NeuNorm(2, 2, 2, generator: new Generator(1))), new[] { 4, 2, 2, 2, 2 }).SetArgDisplayNames("NeuNorm");
        yield return new TestCaseData(new Func<MemoryModule>(() => new ElementWiseRecurrentContainer(new LifNode(), (a, b) => a + b)), new[] { 6, 2, 3 }).SetArgDisplayNames("ElementWiseRecurrentContainer");
        yield return new TestCaseData(new Func<MemoryModule>(() => new LinearRecurrentContainer(new Sequential(new Linear(3, 2, generator: new Generator(2)), new IFNode()), 3, 2, generator: new Generator(3))),
            new[] { 6, 2, 3 }).SetArgDisplayNames("LinearRecurrentContainer");
        yield return new TestCaseData(new Func<MemoryModule>(() => new Delay(2)), new[] { 5, 2, 3 }).SetArgDisplayNames("Delay");
        yield return new TestCaseData(new Func<MemoryModule>(() => new DropConnectLinear(3, 2, invariant: true, generator: new Generator(4))), new[] { 4, 2, 3 }).SetArgDisplayNames("DropConnectLinear");
    }

    [TestCaseSource(nameof(Layers))]
    public void MultiStepEqualsTheLoopOfSingleSteps(Func<MemoryModule> make, int[] shape)
    {
        var x = Tensor.Rand(shape, new Generator(9), 0, 1.5);
        var single = make();
        var perStep = Enumerable.Range(0, shape[0]).Select(t => single.Forward(x.Select(0, t)).ToArray<float>()).ToArray();
        var multi = make();
        Functional.SetStepMode(multi, StepMode.Multi);
        var seen = 0;
        using var hook = multi.RegisterForwardHook((_, _, _) => seen++);
        var y = multi.Forward(x);
        seen.Should().Be(1, "hooks see the whole multi-step call once");
        for (int t = 0; t < shape[0]; t++) y.Select(0, t).ToArray<float>().Should().Equal(perStep[t], $"step {t}");
        // State carries into the next call and ResetNet clears it (DropConnect then draws new masks, so it differs anyway).
        multi.Forward(x);
        Functional.ResetNet(multi);
        if (multi is not DropConnectLinear) multi.Forward(x).ToArray<float>().Should().Equal(y.ToArray<float>());
    }

    [Test]
    public void LinearRecurrentContainerFeedsBackItsOutput()
    {
        // Sub-module: identity on [N, 2] (Flatten of a rank-2 input); rc = Linear(4, 2): i[t] = [x, y]·Wᵀ + b.
        var m = new LinearRecurrentContainer(new Flatten(), 2, 2, generator: new Generator(5));
        m.NamedParameters().Select(p => p.Name).Should().Equal("rc.weight", "rc.bias");
        var w = m.Rc.Weight.ToArray<float>();
        var b = m.Rc.Bias!.ToArray<float>();
        var xs = new[] { new[] { 1f, -0.5f }, new[] { 0.25f, 2f }, new[] { -1f, 0f } };
        double[] y = [0, 0];
        foreach (var x in xs)
        {
            var got = m.Forward(Tensor.FromArray(x, 1, 2)).ToArray<float>();
            double[] cat = [x[0], x[1], y[0], y[1]];
            y = Enumerable.Range(0, 2).Select(o => b[o] + Enumerable.Range(0, 4).Sum(i => w[o * 4 + i] * cat[i])).ToArray();
            got.Select(v => (double)v).ToArray().ShouldBeClose(y, 1e-6);
        }
        FluentActions.Invoking(() => m.Forward(Tensor.Zeros(1, 3))).Should().Throw<ArgumentException>().WithMessage("*LinearRecurrentContainer*[N, ..., 2]*[1, 3]*");
        var wrong = new LinearRecurrentContainer(new Linear(2, 3), 2, 2);
        FluentActions.Invoking(() => wrong.Forward(Tensor.Zeros(1, 2))).Should().Throw<InvalidOperationException>().WithMessage("*[1, 3]*expected [1, 2]*");
    }

    [Test]
    public void DelayShiftsBySteps()
    {
        var x = Tensor.FromArray(new[] { 1.0, 2, 3, 4, 5 }, 5, 1).RequiresGrad_();
        var d = new Delay(2, StepMode.Multi);
        var y = d.Forward(x);
        y.ToArray<double>().Should().Equal(0, 0, 1, 2, 3);
        y.Sum().Backward();
        x.Grad!.ToArray<double>().Should().Equal(1, 1, 1, 0, 0);
        // The last two inputs wait in the queue for the next call, until a reset.
        d.Forward(Tensor.FromArray(new[] { 6.0, 7 }, 2, 1)).ToArray<double>().Should().Equal(4, 5);
        Functional.ResetNet(d);
        d.Forward(Tensor.FromArray(new[] { 8.0 }, 1, 1)).ToArray<double>().Should().Equal(0);
        new Delay(0).Forward(Tensor.Scalar(3)).Item().Should().Be(3);
        FluentActions.Invoking(() => new Delay(-1)).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*Delay*-1*");
    }

    [Test]
    public void DetachNetCutsTheStateOfStatefulLayersFromTheGraph()
    {
        foreach (bool detach in new[] { false, true })
        {
            var x1 = Tensor.FromArray(new[] { 1.0, 2 }).RequiresGrad_();
            var filter = new SynapseFilter(2.0);
            var delay = new Delay(1);
            var net = new Sequential(filter, delay);
            net.Forward(x1);                       // the filter's state and the delay's queue now depend on x1
            if (detach) Functional.DetachNet(net);
            var y2 = net.Forward(Tensor.FromArray(new[] { 0.0, 0 }).RequiresGrad_());
            (y2.Sum() + filter.OutI.Sum()).Backward();
            // Without detaching: y2 is the first filter output I1 = x1 that waited in the delay (d/dx1 = 1), and the filter's
            // new state is I2 = I1 − I1/2 for a zero input (d/dx1 = 1/2).
            (x1.Grad?.ToArray<double>() ?? [0, 0]).Should().Equal(detach ? [0.0, 0] : [1.5, 1.5]);
        }
    }

    [Test]
    public void DropConnectTrainingDropsConnectionsPerSample()
    {
        var m = new DropConnectLinear(5, 3, p: 0.4, invariant: false, generator: new Generator(6));
        var x = Tensor.Randn([4, 5], new Generator(7));
        var y = m.Forward(x).ToArray<float>();
        var dw = m.DroppedWeight!;
        dw.Shape.Should().Equal(4, 3, 5);
        var (w, b, xs, dws) = (m.Weight.ToArray<float>(), m.Bias!.ToArray<float>(), x.ToArray<float>(), dw.ToArray<float>());
        dws.Select((v, i) => v == 0 || v == w[i % 15]).Should().AllBeEquivalentTo(true);
        // Masks differ between samples; the bias mask makes each output's bias either b or 0.
        dws.Take(15).Should().NotEqual(dws.Skip(15).Take(15));
        for (int n = 0; n < 4; n++)
            for (int o = 0; o < 3; o++)
            {
                double lin = Enumerable.Range(0, 5).Sum(i => dws[n * 15 + o * 5 + i] * xs[n * 5 + i]);
                double diff = y[n * 3 + o] - lin;
                (Math.Abs(diff) < 1e-5 || Math.Abs(diff - b[o]) < 1e-5).Should().BeTrue($"y[{n}, {o}] = linear part or linear part + b");
            }
        // Not invariant: every call draws new masks; the dropped fraction follows p.
        m.Forward(x);
        m.DroppedWeight!.ToArray<float>().Should().NotEqual(dws);
        var big = new DropConnectLinear(100, 50, p: 0.4, generator: new Generator(8));
        big.Forward(Tensor.Ones(8, 100));
        big.DroppedWeight!.ToArray<float>().Count(v => v == 0).Should().BeInRange((int)(0.4 * 40000 - 500), (int)(0.4 * 40000 + 500));
        FluentActions.Invoking(() => m.Forward(Tensor.Zeros(2, 4))).Should().Throw<ArgumentException>().WithMessage("*DropConnectLinear*[N, 5]*[2, 4]*");
    }

    [Test]
    public void DropConnectInvariantKeepsMasksAndPassesGradCheck()
    {
        var m = new DropConnectLinear(4, 3, p: 0.5, invariant: true, generator: new Generator(9));
        var x = Tensor.Randn([2, 4], new Generator(10));
        var y1 = m.Forward(x).ToArray<float>();
        m.Forward(x).ToArray<float>().Should().Equal(y1);
        FluentActions.Invoking(() => m.Forward(Tensor.Zeros(3, 4))).Should().Throw<ArgumentException>().WithMessage("*batch of 3*2 samples*ResetNet*");
        Functional.ResetNet(m);
        m.DroppedWeight.Should().BeNull();
        // The masks are constants: the layer is linear in x, W and b for a fixed draw.
        m.Forward(x);
        ModuleGradCheck.Check(m, TestUtil.RandomF64(11, 2, 4));
    }

    [Test]
    public void DropConnectEvaluationAveragesGaussianSamples()
    {
        var m = new DropConnectLinear(3, 2, p: 0.3, samplesNum: 40000, activation: new ReLU(), generator: new Generator(12));
        m.Eval();
        var x = Tensor.FromArray(new[] { 0.5f, -1f, 2f }, 1, 3);
        var (mu, s2) = m.Moments(x);
        var (w, b) = (m.Weight.ToArray<float>(), m.Bias!.ToArray<float>());
        var y = m.Forward(x).ToArray<float>();
        for (int o = 0; o < 2; o++)
        {
            double lin = b[o] + 0.5 * w[o * 3] - w[o * 3 + 1] + 2 * w[o * 3 + 2];
            double sq = b[o] * b[o] + 0.25 * w[o * 3] * w[o * 3] + w[o * 3 + 1] * w[o * 3 + 1] + 4 * w[o * 3 + 2] * w[o * 3 + 2];
            double m1 = 0.7 * lin, v = 0.21 * sq;
            mu.ToArray<float>()[o].Should().BeApproximately((float)m1, 1e-5f);
            s2.ToArray<float>()[o].Should().BeApproximately((float)v, 1e-5f);
            // E[ReLU(u)] for u ~ N(μ, σ²) is μ·Φ(μ/σ) + σ·φ(μ/σ); the mean of 40000 draws lies within 5 standard errors.
            double sd = Math.Sqrt(v), z = m1 / sd;
            double phi = Math.Exp(-z * z / 2) / Math.Sqrt(2 * Math.PI), cdf = 0.5 * (1 + Erf(z / Math.Sqrt(2)));
            double expected = m1 * cdf + sd * phi;
            y[o].Should().BeApproximately((float)expected, (float)(5 * sd / Math.Sqrt(40000)));
        }
    }

    // Abramowitz–Stegun 7.1.26 (|error| < 1.5e-7), enough for a statistical bound.
    static double Erf(double x)
    {
        double t = 1 / (1 + 0.3275911 * Math.Abs(x));
        double y = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.Exp(-x * x);
        return Math.Sign(x) * y;
    }
}
