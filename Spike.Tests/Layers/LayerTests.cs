using FluentAssertions;
using NUnit.Framework;
using Spike.Nn;

namespace Spike.Tests.Layers;

public class LayerTests
{
    [Test]
    public void LinearComputesXWtPlusBAndInitialisesLikeTorch()
    {
        var fc = new Linear(50, 4, generator: new Generator(1));
        var w = fc.Weight.ToArray<float>();
        w.Should().OnlyContain(v => Math.Abs(v) <= 1 / Math.Sqrt(50));
        w.Select(Math.Abs).Max().Should().BeGreaterThan(0.9f / (float)Math.Sqrt(50), "U(-1/√in, 1/√in) fills its range");
        var x = Tensor.Randn([3, 2, 50], new Generator(2));
        var y = fc.Forward(x).ToArray<float>();
        var xs = x.ToArray<float>(); var b = fc.Bias!.ToArray<float>();
        for (int r = 0; r < 6; r++)
            for (int o = 0; o < 4; o++)
            {
                double acc = b[o];
                for (int i = 0; i < 50; i++) acc += xs[r * 50 + i] * w[o * 50 + i];
                y[r * 4 + o].Should().BeApproximately((float)acc, 1e-4f);
            }
        fc.Parameters().Should().HaveCount(2);
        FluentActions.Invoking(() => fc.Forward(Tensor.Zeros(2, 49))).Should().Throw<ArgumentException>().WithMessage("*Linear*[2, 49]*50*");
    }

    [Test]
    public void MultiStepLayersEqualPerStepCalls()
    {
        var x = Tensor.Randn([3, 2, 2, 6, 6], new Generator(3)); // [T, N, C, H, W]
        Module[] layers = [new Conv2d(2, 3, 3, padding: 1, generator: new Generator(4)), new MaxPool2d(2), new AvgPool2d(2), new AdaptiveAvgPool2d(2)];
        foreach (var layer in layers)
        {
            ((IStepModule)layer).StepMode = StepMode.Single;
            var perStep = Enumerable.Range(0, 3).Select(t => layer.Forward(x.Select(0, t))).ToArray();
            ((IStepModule)layer).StepMode = StepMode.Multi;
            var multi = layer.Forward(x);
            multi.Size(0).Should().Be(3);
            for (int t = 0; t < 3; t++)
                multi.Select(0, t).ToArray<float>().Should().Equal(perStep[t].ToArray<float>(), layer.GetType().Name);
        }
    }

    [Test]
    public void BatchNormUpdatesRunningStatsAndFoldsTime()
    {
        var bn = new BatchNorm2d(2, stepMode: StepMode.Multi);
        var x = Tensor.Randn([2, 3, 2, 4, 4], new Generator(5), mean: 1.0, std: 2.0);
        var y = bn.Forward(x);
        // Per channel over T·N·H·W: mean 0 and variance 1 after normalisation.
        var yc = y.Permute(2, 0, 1, 3, 4).Reshape(2, -1);
        yc.Mean(1).ToArray<float>().Should().OnlyContain(v => Math.Abs(v) < 1e-5);
        // running_mean = 0.9·0 + 0.1·batch mean.
        var batchMean = x.Permute(2, 0, 1, 3, 4).Reshape(2, -1).Mean(1).ToArray<float>();
        bn.RunningMean.ToArray<float>()[0].Should().BeApproximately(0.1f * batchMean[0], 1e-5f);
        bn.Eval();
        var e = bn.Forward(x).ToArray<float>();
        e[0].Should().BeApproximately((float)((x.ToArray<float>()[0] - bn.RunningMean.ToArray<float>()[0]) / Math.Sqrt(bn.RunningVar.ToArray<float>()[0] + 1e-5)), 1e-4f);
    }

    [Test]
    public void DropoutSharesOneMaskOverTimeUntilReset()
    {
        var drop = new Dropout(0.5, StepMode.Multi, new Generator(6));
        var x = Tensor.Ones(4, 2, 100);
        var y = drop.Forward(x);
        var steps = Enumerable.Range(0, 4).Select(t => y.Select(0, t).ToArray<float>()).ToArray();
        steps.Skip(1).Should().AllSatisfy(s => s.Should().Equal(steps[0]));
        steps[0].Should().OnlyContain(v => v == 0 || v == 2);
        steps[0].Count(v => v == 0).Should().BeInRange(60, 140);
        drop.Forward(x).ToArray<float>().Should().Equal(y.ToArray<float>(), "the mask is kept across calls");
        Functional.ResetNet(drop);
        drop.Forward(x).ToArray<float>().Should().NotEqual(y.ToArray<float>(), "a reset draws a new mask");
        drop.Eval();
        drop.Forward(x).ToArray<float>().Should().OnlyContain(v => v == 1);

        var d2 = new Dropout2d(0.5, StepMode.Multi, new Generator(7));
        var y2 = d2.Forward(Tensor.Ones(2, 3, 8, 2, 2)).Select(0, 0).Reshape(3, 8, 4).ToArray<float>();
        for (int c = 0; c < 24; c++) y2.Skip(c * 4).Take(4).Distinct().Should().HaveCount(1, "whole channels are dropped");
    }

    [Test]
    public void VotingAndStateDictRoundTrip()
    {
        var v = new VotingLayer(2).Forward(Tensor.FromArray(new[] { 1f, 3f, 0f, 1f }, 1, 4));
        v.ToArray<float>().Should().Equal(2f, 0.5f);

        var a = new Sequential(new Conv2d(1, 2, 3, generator: new Generator(8)), new BatchNorm2d(2), new Flatten(), new Linear(8, 3, generator: new Generator(9)));
        var b = new Sequential(new Conv2d(1, 2, 3, generator: new Generator(10)), new BatchNorm2d(2), new Flatten(), new Linear(8, 3, generator: new Generator(11)));
        a.StateDict().Select(kv => kv.Key).Should().Equal("0.weight", "0.bias", "1.weight", "1.bias", "3.weight", "3.bias", "1.running_mean", "1.running_var");
        var path = Path.Combine(Path.GetTempPath(), $"sd-{Guid.NewGuid():N}.safetensors");
        try
        {
            a.SaveSafetensors(path);
            b.LoadSafetensors(path);
            var x = Tensor.Randn([2, 1, 4, 4], new Generator(12));
            a.Eval(); b.Eval();
            b.Forward(x).ToArray<float>().Should().Equal(a.Forward(x).ToArray<float>());
            FluentActions.Invoking(() => new Sequential(new Linear(8, 3)).LoadSafetensors(path)).Should().Throw<ArgumentException>().WithMessage("*missing keys*unexpected keys*");
        }
        finally { File.Delete(path); }
    }
}
