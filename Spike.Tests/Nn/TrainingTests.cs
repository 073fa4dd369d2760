using FluentAssertions;
using NUnit.Framework;
using Spike.Nn;

namespace Spike.Tests.Nn;

/// <summary>End to end: Poisson encoder → dense weights → multi-step LIF (fused path) learns a separable task.</summary>
public sealed class TrainingTests
{
    [Test]
    public void PoissonDenseLifLearnsASeparableTask()
    {
        // Two classes of 4-feature rates: class 0 ≈ (0.9, 0.1, 0.8, 0.2), class 1 the mirror image, with noise.
        const int n = 64, features = 4, classes = 2, T = 8;
        var rng = new Random(5);
        var xs = new float[n * features];
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            labels[i] = i % 2;
            float[] proto = labels[i] == 0 ? [0.9f, 0.1f, 0.8f, 0.2f] : [0.1f, 0.9f, 0.2f, 0.8f];
            for (int f = 0; f < features; f++) xs[i * features + f] = Math.Clamp(proto[f] + (float)(rng.NextDouble() * 0.2 - 0.1), 0f, 1f);
        }
        var x = Tensor.FromArray(xs, n, features);
        var target = Tensor.FromArray(labels.SelectMany(l => Enumerable.Range(0, classes).Select(c => c == l ? 1f : 0f)).ToArray(), n, classes);
        // Dense layer as a broadcast product (no Linear module needed): y[t, i, o] = Σ_f s[t, i, f]·W[o, f].
        var w = Tensor.Rand([classes, features], new Generator(1), -0.5, 0.5).RequiresGrad_();
        var encoder = new PoissonEncoder(new Generator(2), T) { StepMode = StepMode.Multi };
        var lif = new LifNode(2.0, surrogate: new ATan(), stepMode: StepMode.Multi);

        double Accuracy(Tensor rate)
        {
            var r = rate.ToArray<float>();
            return Enumerable.Range(0, n).Count(i => (r[i * classes + 1] > r[i * classes] ? 1 : 0) == labels[i]) / (double)n;
        }

        Tensor Rate()
        {
            var s = encoder.Forward(x);                                     // [T, n, features]
            var y = (s.Unsqueeze(2) * w).Sum(3);                            // [T, n, classes]
            var rate = lif.Forward(y * 2.0).Mean(0);                        // [n, classes]
            Functional.ResetNet(lif);
            return rate;
        }

        double before;
        using (Autograd.NoGrad()) before = Accuracy(Rate());
        for (int epoch = 0; epoch < 40; epoch++)
        {
            var rate = Rate();
            var diff = rate - target;
            var loss = (diff * diff).Mean();
            w.Grad = null;
            loss.Backward();
            using (Autograd.NoGrad()) Raw.CopyInto(w - w.Grad! * 4.0, w);
        }
        double after;
        using (Autograd.NoGrad()) after = Accuracy(Rate());
        TestContext.Out.WriteLine($"accuracy {before:P0} → {after:P0}");
        after.Should().BeGreaterThanOrEqualTo(0.95);
    }
}
