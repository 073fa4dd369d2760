using FluentAssertions;
using NUnit.Framework;
using Spike.Nn;

namespace Spike.Tests.Optim;

/// <summary>Each optimizer against the update rule written out as a scalar loop (torch.optim's documented algorithm).</summary>
public class OptimizerTests
{
    // Loss L(p) = Σ c_i·p_i² so g_i = 2·c_i·p_i: a gradient that depends on p, to catch stale-gradient bugs.
    static readonly double[] C = [0.5, 1.0, 2.0];
    static readonly double[] P0 = [1.0, -2.0, 0.5];

    static double[] Run(Func<Tensor, Optimizer> make, int steps)
    {
        var p = Tensor.FromArray((double[])P0.Clone()).RequiresGrad_();
        var opt = make(p);
        var c = Tensor.FromArray(C);
        for (int s = 0; s < steps; s++)
        {
            opt.ZeroGrad();
            (c * p * p).Sum().Backward();
            opt.Step();
        }
        opt.StepCount.Should().Be(steps);
        return p.ToArray<double>();
    }

    [Test]
    public void SgdWithMomentumDampeningAndWeightDecay()
    {
        foreach (var nesterov in new[] { false, true })
        {
            double lr = 0.1, mu = 0.9, wd = 0.01, damp = nesterov ? 0 : 0.1;
            var got = Run(p => new Sgd([p], lr, mu, damp, wd, nesterov), 5);
            for (int i = 0; i < 3; i++)
            {
                double p = P0[i], b = 0;
                for (int s = 0; s < 5; s++)
                {
                    double d = 2 * C[i] * p + wd * p;
                    b = s == 0 ? d : mu * b + (1 - damp) * d;
                    d = nesterov ? d + mu * b : b;
                    p -= lr * d;
                }
                got[i].Should().BeApproximately(p, 1e-12, $"nesterov={nesterov} i={i}");
            }
        }
    }

    [Test]
    public void AdamAndAdamW()
    {
        foreach (var decoupled in new[] { false, true })
        {
            double lr = 0.05, b1 = 0.9, b2 = 0.99, eps = 1e-8, wd = 0.1;
            var got = Run(p => decoupled ? new AdamW([p], lr, b1, b2, eps, wd) : new Adam([p], lr, b1, b2, eps, wd), 6);
            for (int i = 0; i < 3; i++)
            {
                double p = P0[i], m = 0, v = 0;
                for (int t = 1; t <= 6; t++)
                {
                    double g = 2 * C[i] * p;
                    if (decoupled) p *= 1 - lr * wd; else g += wd * p;
                    m = b1 * m + (1 - b1) * g;
                    v = b2 * v + (1 - b2) * g * g;
                    p -= lr * (m / (1 - Math.Pow(b1, t))) / (Math.Sqrt(v / (1 - Math.Pow(b2, t))) + eps);
                }
                got[i].Should().BeApproximately(p, 1e-12, $"decoupled={decoupled} i={i}");
            }
        }
    }

    [Test]
    public void FusedAdamMatchesTheExpressionForm()
    {
        // A contiguous Float32 parameter takes the fused in-place kernel (vector body, scalar tail, parallel chunks);
        // the same values in a transposed leaf take the tensor-expression path. Both must agree bit for bit.
        const int rows = 301, cols = 250;
        foreach (var (decay, decoupled) in new[] { (0.0, false), (0.1, false), (0.1, true) })
        {
            var init = Tensor.Randn([rows, cols], new Generator(3));
            var fused = Raw.Clone(init).RequiresGrad_();
            var plain = Raw.Contiguous(Raw.Transpose(init, 0, 1)).T.Detach().RequiresGrad_();
            plain.IsContiguous.Should().BeFalse();
            var weights = Tensor.Randn([rows, cols], new Generator(4));
            Optimizer Make(Tensor p) => decoupled ? new AdamW([p], 0.01, weightDecay: decay) : new Adam([p], 0.01, weightDecay: decay);
            var (optF, optP) = (Make(fused), Make(plain));
            for (int s = 0; s < 3; s++)
                foreach (var (p, opt) in new[] { (fused, optF), (plain, optP) })
                {
                    opt.ZeroGrad();
                    (p * p * weights).Sum().Backward();
                    opt.Step();
                }
            Raw.Contiguous(plain).ToArray<float>().Should().Equal(fused.ToArray<float>(), $"decay {decay}, decoupled {decoupled}");
            fused.ToArray<float>().Should().NotEqual(init.ToArray<float>());
        }
    }

    [Test]
    public void StateRoundTripsForResume()
    {
        var a = Tensor.FromArray((double[])P0.Clone()).RequiresGrad_();
        var optA = new Adam([a], 0.1);
        var c = Tensor.FromArray(C);
        for (int s = 0; s < 3; s++) { optA.ZeroGrad(); (c * a * a).Sum().Backward(); optA.Step(); }
        // A second optimizer restored from the first's state continues identically.
        var b = Tensor.FromArray(a.ToArray<double>()).RequiresGrad_();
        var optB = new Adam([b], 0.1) { StepCount = optA.StepCount };
        optB.LoadStateTensors(optA.StateTensors());
        optA.StateTensors().Select(kv => kv.Key).Should().BeEquivalentTo("0.exp_avg", "0.exp_avg_sq");
        foreach (var (p, opt) in new[] { (a, (Optimizer)optA), (b, optB) })
        {
            opt.ZeroGrad(); (c * p * p).Sum().Backward(); opt.Step();
        }
        b.ToArray<double>().Should().Equal(a.ToArray<double>());
    }

    [Test]
    public void SchedulersFollowTheirFormulas()
    {
        var p = Tensor.Zeros(1).RequiresGrad_();
        var opt = new Sgd([p], 0.1);
        var step = new StepLR(opt, stepSize: 2, gamma: 0.5);
        var lrs = new List<double>();
        for (int e = 0; e < 5; e++) { step.Step(); lrs.Add(opt.Lr); }
        lrs.Should().Equal(new[] { 0.1, 0.05, 0.05, 0.025, 0.025 }, (x, y) => Math.Abs(x - y) < 1e-15);

        var opt2 = new Sgd([p], 0.1);
        var cos = new CosineAnnealingLR(opt2, tMax: 4, etaMin: 0.01);
        cos.LrAt(0).Should().BeApproximately(0.1, 1e-15);
        cos.LrAt(2).Should().BeApproximately(0.055, 1e-15);   // midpoint: (0.1 + 0.01) / 2
        cos.LrAt(4).Should().BeApproximately(0.01, 1e-15);
        cos.SetEpoch(1);
        opt2.Lr.Should().BeApproximately(0.01 + 0.09 * (1 + Math.Cos(Math.PI / 4)) / 2, 1e-15);
    }

    [Test]
    public void GradientClipping()
    {
        var a = Tensor.FromArray(new[] { 3.0, 0.0 }).RequiresGrad_();
        var b = Tensor.FromArray(new[] { 4.0 }).RequiresGrad_();
        a.Grad = Tensor.FromArray(new[] { 3.0, 0.0 });
        b.Grad = Tensor.FromArray(new[] { 4.0 });
        GradClip.ClipGradNorm([a, b], 1.0).Should().BeApproximately(5, 1e-12);
        a.Grad.ToArray<double>()[0].Should().BeApproximately(3 / (5 + 1e-6), 1e-12);
        b.Grad.ToArray<double>()[0].Should().BeApproximately(4 / (5 + 1e-6), 1e-12);
        GradClip.ClipGradValue([a, b], 0.5);
        a.Grad.ToArray<double>().Should().Equal(0.5, 0.0);
        FluentActions.Invoking(() => new Sgd([], 0.1)).Should().Throw<ArgumentException>().WithMessage("*empty*");
        FluentActions.Invoking(() => new Sgd([a], 0.1, nesterov: true)).Should().Throw<ArgumentException>().WithMessage("*Nesterov*");
    }
}
