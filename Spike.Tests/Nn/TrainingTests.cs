using FluentAssertions;
using NUnit.Framework;
using Spike.Nn;

namespace Spike.Tests.Nn;

/// <summary>End to end: Poisson encoder → Linear → multi-step LIF (fused path), MSE on firing rates, Adam.</summary>
public sealed class TrainingTests
{
    [Test]
    public void PoissonLinearLifLearnsASeparableTask()
    {
        // Two classes of 20-dimensional rates: class 0 fires mostly on the first half of the inputs, class 1 on the second.
        var g = new Generator(13);
        const int n = 64, features = 20, T = 8;
        var labels = Enumerable.Range(0, n).Select(i => i % 2).ToArray();
        var noise = Tensor.Rand([n * features], g).ToArray<float>();
        var rates = new float[n * features];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < features; j++)
                rates[i * features + j] = ((j < features / 2) == (labels[i] == 0) ? 0.8f : 0.1f) * (0.75f + 0.5f * noise[i * features + j]);
        var x = Tensor.FromArray(rates, n, features);
        var target = Tensor.FromArray(labels.SelectMany(l => l == 0 ? new[] { 1f, 0f } : [0f, 1f]).ToArray(), n, 2);

        var net = new Sequential(new Linear(features, 2, bias: false, generator: new Generator(14)), new LifNode(tau: 2.0, surrogate: new ATan(), stepMode: StepMode.Multi));
        var encoder = new PoissonEncoder(new Generator(15), t: T) { StepMode = StepMode.Multi };
        var opt = new Adam(net.Parameters(), lr: 0.05);
        double Accuracy()
        {
            using var _ = Autograd.NoGrad();
            var rate = net.Forward(encoder.Forward(x)).Mean(0).ToArray<float>();
            Functional.ResetNet(net);
            return Enumerable.Range(0, n).Count(i => (rate[i * 2 + 1] > rate[i * 2] ? 1 : 0) == labels[i]) / (double)n;
        }
        double before = Accuracy();
        for (int epoch = 0; epoch < 30; epoch++)
        {
            var loss = Losses.Mse(net.Forward(encoder.Forward(x)).Mean(0), target);   // firing rates [n, 2] against one-hot labels
            opt.ZeroGrad();
            loss.Backward();
            opt.Step();
            Functional.ResetNet(net);
        }
        double after = Accuracy();
        TestContext.Out.WriteLine($"accuracy {before:P0} → {after:P0}");
        before.Should().BeLessThan(0.8, "the untrained network is not already right");
        after.Should().BeGreaterThanOrEqualTo(0.95);
    }
}
