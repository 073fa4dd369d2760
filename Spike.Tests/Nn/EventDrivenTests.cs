using FluentAssertions;
using NUnit.Framework;
using Spike.Nn;
using Spike.Nn.EventDriven;

namespace Spike.Tests.Nn;

public sealed class EventDrivenTests
{
    [Test]
    public void TempotronPotentialMatchesAnIndependentLoop()
    {
        var neuron = new Tempotron(3, 2, 12, tau: 6, tauS: 1.5, generator: new Generator(1));
        float[] times = [0f, -1f, 4.5f, 7f, 2f, -1f];                       // [B = 2, in = 3], −1: no spike
        var v = neuron.Forward(Tensor.FromArray(times, 2, 3), TempotronOutput.V).ToArray<float>();
        var w = neuron.Fc.Weight.ToArray<float>();
        double tMax = 6 * 1.5 * Math.Log(6 / 1.5) / (6 - 1.5);
        double v0 = 1.0 / (Math.Exp(-tMax / 6) - Math.Exp(-tMax / 1.5));
        for (int b = 0; b < 2; b++)
            for (int o = 0; o < 2; o++)
                for (int t = 0; t < 12; t++)
                {
                    double sum = 0;
                    for (int i = 0; i < 3; i++)
                    {
                        double ti = times[b * 3 + i], s = t - ti;
                        if (ti >= 0 && s >= 0) sum += w[o * 3 + i] * v0 * (Math.Exp(-s / 6) - Math.Exp(-s / 1.5));
                    }
                    v[(b * 2 + o) * 12 + t].Should().BeApproximately((float)sum, 1e-5f, $"v[{b}, {o}, {t}]");
                }
        neuron.V0.Should().BeApproximately(v0, 1e-12);
    }

    [Test]
    public void V0PutsTheKernelPeakAtTheThreshold()
    {
        var neuron = new Tempotron(1, 1, 10, tau: 8, tauS: 2, vThreshold: 0.7);
        var s = Tensor.Arange(0, 20, 1e-3, DType.Float64);
        var peak = (Tempotron.PspKernel(s, 8, 2) * neuron.V0).Max().Item();
        peak.Should().BeApproximately(0.7, 1e-6);
        Tempotron.PspKernel(Tensor.FromArray([-0.5, 0.0]), 8, 2).ToArray<double>().Should().Equal(0.0, 0.0);
    }

    [Test]
    public void InputPotentialsAndWeightsPassFloat64GradCheck()
    {
        // Spike times off the integer grid, so no t − t_i sits on the kernel's kink at 0.
        var neuron = new Tempotron(3, 2, 10, tau: 5, tauS: 1.25);
        TestUtil.CheckGrad(a => neuron.InputPotentials(a[0]).Transpose(1, 2).Linear(a[1]).Transpose(1, 2),
            TestUtil.F64([0.5, 3.25, 6.75, 1.5, 8.5, 2.25], 2, 3), TestUtil.RandomF64(3, 2, 3));
    }

    [Test]
    public void MseLossCountsOnlyWrongDecisions()
    {
        // v_th = 1: sample 0 (label 1) fires on 0 (wrong: +0.2) and not on 1 (wrong: −0.5); sample 1 (label 1) stays
        // silent on 0 (right) and not on 1 (wrong: −0.1): (0.04 + 0.25 + 0.01) / 2 = 0.15.
        var vMax = TestUtil.F64([1.2, 0.5, 0.3, 0.9], 2, 2);
        var labels = Tensor.FromArray(new[] { 1L, 1L });
        Tempotron.MseLoss(vMax, 1.0, labels, 2).Item().Should().BeApproximately(0.15, 1e-12);
        TestUtil.CheckGrad(a => Tempotron.MseLoss(a[0], 1.0, labels, 2), vMax);
        var bad = () => Tempotron.MseLoss(vMax, 1.0, labels, 3);
        bad.Should().Throw<ArgumentException>().WithMessage("*Tempotron.MseLoss*[2, 2]*");
    }

    [Test]
    public void PeakTimesAreSignedArgmaxWithTheSoftArgmaxGradient()
    {
        var neuron = new Tempotron(4, 3, 15, generator: new Generator(2));
        var times = Tensor.FromArray(new[] { 1.5f, 3.25f, 0.5f, 9.75f, 2.5f, 6.5f, 11.25f, 0.25f }, 2, 4).RequiresGrad_();
        var spikes = neuron.Forward(times, TempotronOutput.Spikes);
        var v = neuron.Forward(times, TempotronOutput.V).Detach();
        var (vMax, first) = v.Max(2);
        var sign = vMax.Ge(neuron.VThreshold).To(DType.Float32) * 2.0 - 1.0;
        spikes.ToArray<float>().Should().Equal((first.To(DType.Float32) * sign).ToArray<float>());

        var w = Tensor.FromArray(new[] { 1f, -2f, 0.5f, 1.5f, -1f, 3f }, 2, 3);
        (spikes * w).Sum().Backward();
        var straight = times.Grad!.ToArray<float>();
        times.Grad = null;
        var vLive = neuron.Forward(times, TempotronOutput.V);
        var soft = ((vLive * 15.0).Softmax(2) * Tensor.Arange(0, 15, 1)).Sum(2) * sign;
        (soft * w).Sum().Backward();
        straight.ShouldBeClose(times.Grad!.ToArray<float>(), 1e-6f);
        straight.Should().Contain(g => g != 0);
    }

    [Test]
    public void GaussianTuningCentresAndWidthsFollowTheRange()
    {
        // x ∈ [0, 1], m = 4: μ_j = (2j − 3)/4 = −0.25, 0.25, 0.75, 1.25; σ² = (1/(1.5·2))² = 1/9.
        var enc = new GaussianTuning(1, 4, Tensor.FromArray([0f]), Tensor.FromArray([1f]));
        enc.Mu.ToArray<float>().ShouldBeClose([-0.25f, 0.25f, 0.75f, 1.25f]);
        enc.Sigma2.ToArray<float>().ShouldBeClose([1 / 9f, 1 / 9f, 1 / 9f, 1 / 9f]);
        // x = 0.25 sits on centre 1 (t = 0); centre 0 and 2 are 0.5 away: round(10·(1 − e^−1.125)) = 7; centre 3 is
        // 1 away: 10·(1 − e^−4.5) = 9.89 rounds to 10 = max_spike_time, so no spike (−1).
        var t = enc.Encode(Tensor.FromArray([0.25f], 1, 1, 1), maxSpikeTime: 10);
        t.Shape.Should().Equal(1, 1, 1, 4);
        t.ToArray<float>().Should().Equal(7f, 0f, 7f, -1f);
        var bad = () => new GaussianTuning(1, 2, Tensor.FromArray([0f]), Tensor.FromArray([1f]));
        bad.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*GaussianTuning*m=2*");
        var shape = () => enc.Encode(Tensor.Zeros(2, 3));
        shape.Should().Throw<ArgumentException>().WithMessage("*GaussianTuning*[2, 3]*");
    }

    [Test]
    public void TempotronLearnsGaussianTunedPatterns()
    {
        // As SpikingJelly's tempotron_mnist example: features → GaussianTuning spike times → Tempotron, trained on
        // mse_loss(v_max) with SGD; predict argmax v_max. Two classes of 6 features around two noisy prototypes.
        var g = new Generator(21);
        int n = 40, k = 6, m = 5, steps = 20;
        var labels = Enumerable.Range(0, n).Select(i => (long)(i % 2)).ToArray();
        var proto = Tensor.Rand([2, k], g);
        var x = (proto.IndexSelect(0, Tensor.FromArray(labels)) + Tensor.Randn([n, k], g, std: 0.08)).Clamp(0, 1);
        var encoder = new GaussianTuning(1, m, Tensor.FromArray([0f]), Tensor.FromArray([1f]));
        var spikes = encoder.Encode(x.Unsqueeze(1), steps).Reshape(n, k * m);
        var neuron = new Tempotron(k * m, 2, steps, generator: new Generator(22));
        var label = Tensor.FromArray(labels);
        double Accuracy() => neuron.Forward(spikes).ArgMax(1).Eq(label).To(DType.Float32).Mean().Item();
        var opt = new Sgd(neuron.Parameters(), lr: 0.5);
        double before = Accuracy();
        for (int epoch = 0; epoch < 60; epoch++)
        {
            var loss = Tempotron.MseLoss(neuron.Forward(spikes), neuron.VThreshold, label, 2);
            opt.ZeroGrad(); loss.Backward(); opt.Step();
        }
        Accuracy().Should().BeGreaterThanOrEqualTo(0.95, $"accuracy before training was {before}");
    }
}
