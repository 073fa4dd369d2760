using FluentAssertions;
using NUnit.Framework;
using Spike.Nn;

namespace Spike.Tests.Cli;

/// <summary>The README's example, verbatim, so it keeps compiling and doing what it says.</summary>
public class ReadmeExampleTests
{
    [Test]
    public void ReadmeExampleRuns()
    {
        // --- README example begins ---
        Generator.ManualSeed(0);
        var net = new Sequential(
            new Flatten(2),                                          // [T, N, 1, 28, 28] -> [T, N, 784]
            new Linear(784, 10, bias: false),
            new LifNode(tau: 2.0, surrogate: new ATan(), stepMode: StepMode.Multi));
        var encoder = new PoissonEncoder(t: 8) { StepMode = StepMode.Multi };
        var optimizer = new Adam(net.Parameters(), lr: 1e-3);

        var images = Tensor.Rand([16, 1, 28, 28]);                   // pixels in [0, 1)
        var labels = Tensor.FromArray(Enumerable.Range(0, 16).Select(i => (long)(i % 10)).ToArray()); // class indices
        Tensor outSpikes = net.Forward(encoder.Forward(images));     // [T, N, 10]
        var loss = outSpikes.Mean(0).MseLoss(labels.OneHot(10).To(DType.Float32));
        optimizer.ZeroGrad(); loss.Backward(); optimizer.Step();
        Functional.ResetNet(net);                                    // clear membrane state between samples
        // --- README example ends ---

        outSpikes.Shape.Should().Equal(8, 16, 10);
        outSpikes.ToArray<float>().Should().OnlyContain(v => v == 0 || v == 1);
        loss.Item().Should().BeInRange(0, 1);
        net.Parameters().Single().Grad.Should().NotBeNull();
    }
}
