using FluentAssertions;
using NUnit.Framework;
using Spike.Nn;

namespace Spike.Tests.Layers;

/// <summary>Threshold-dependent batch norm and the conv-BN fusion.</summary>
public class NormalizationLayerTests
{
    [Test]
    public void TdBnNormalisesOverTimeAndBatchAndScalesToTheThreshold()
    {
        var bn = new ThresholdDependentBatchNorm2d(alpha: 1.5, vTh: 0.4, numFeatures: 2);
        bn.Weight!.ToArray<float>().Should().Equal(0.6f, 0.6f);
        bn.StepMode.Should().Be(StepMode.Multi);
        var x = Tensor.Randn([3, 2, 2, 2, 2], new Generator(1), mean: 1, std: 2);   // [T, N, C, H, W]
        var y = bn.Forward(x).ToArray<float>();
        var xs = x.ToArray<float>();
        for (int c = 0; c < 2; c++)
        {
            var idx = Enumerable.Range(0, xs.Length).Where(i => i / 4 % 2 == c).ToArray();   // every (t, n, h, w) of channel c
            double mean = idx.Average(i => (double)xs[i]);
            double var = idx.Average(i => (xs[i] - mean) * (xs[i] - mean));
            foreach (int i in idx) y[i].Should().BeApproximately((float)(0.6 * (xs[i] - mean) / Math.Sqrt(var + 1e-5)), 1e-4f);
            // running_var takes the unbiased variance of the T·N·H·W = 24 values.
            bn.RunningVar.ToArray<float>()[c].Should().BeApproximately((float)(0.9 + 0.1 * var * 24 / 23), 1e-4f);
        }
        new MultiStepThresholdDependentBatchNorm1d(1, 1, 3).Forward(Tensor.Randn([4, 2, 3], new Generator(2))).Shape.Should().Equal(4, 2, 3);
        FluentActions.Invoking(() => bn.Forward(Tensor.Zeros(3, 2, 2, 2))).Should().Throw<ArgumentException>().WithMessage("*ThresholdDependentBatchNorm2d*rank 4*");
    }

    [Test]
    public void ConvBatchNormFusesIntoOneConvolution()
    {
        var convBn = new ConvBatchNorm2d(2, 3, 3, padding: 1, generator: new Generator(3));
        convBn.NamedParameters().Select(p => p.Name).Should().Equal("conv.weight", "bn.weight", "bn.bias");
        // Give the batch norm non-trivial statistics and affine parameters, then compare in evaluation mode.
        convBn.Forward(Tensor.Randn([4, 2, 5, 5], new Generator(4), mean: 0.5, std: 2));
        Raw.CopyInto(Tensor.FromArray(new[] { 0.5f, -1.2f, 2f }), convBn.Bn.Weight!);
        Raw.CopyInto(Tensor.FromArray(new[] { 0.1f, 0.3f, -0.7f }), convBn.Bn.Bias!);
        convBn.Eval();
        var x = Tensor.Randn([2, 2, 5, 5], new Generator(5));
        var fused = convBn.GetFusedConv();
        fused.HasBias.Should().BeTrue();
        fused.Forward(x).ToArray<float>().ShouldBeClose(convBn.Forward(x).ToArray<float>(), 1e-5f);

        // Scaling: the fused weight becomes W_f·k + b and the fused bias b_f·k + b, so convBn equals the fused conv scaled
        // by hand (the property SpikingJelly documents for these functions).
        var (wf, bf) = (convBn.GetFusedWeight().ToArray<float>(), convBn.GetFusedBias().ToArray<float>());
        convBn.ScaleFusedWeight(1.5, 0.4);
        convBn.ScaleFusedBias(0.8, 0.1);
        convBn.GetFusedWeight().ToArray<float>().ShouldBeClose(wf.Select(v => v * 1.5f + 0.4f).ToArray(), 1e-5f);
        convBn.GetFusedBias().ToArray<float>().ShouldBeClose(bf.Select(v => v * 0.8f + 0.1f).ToArray(), 1e-5f);
        Raw.CopyInto(Tensor.FromArray(wf.Select(v => v * 1.5f + 0.4f).ToArray(), 3, 2, 3, 3), fused.Weight);
        Raw.CopyInto(Tensor.FromArray(bf.Select(v => v * 0.8f + 0.1f).ToArray(), 3), fused.Bias!);
        convBn.Forward(x).ToArray<float>().ShouldBeClose(fused.Forward(x).ToArray<float>(), 1e-4f);

        FluentActions.Invoking(() => Functional.FuseConvBn2d(new Conv2d(2, 3, 3), new BatchNorm2d(3)))
            .Should().Throw<ArgumentException>().WithMessage("*Conv2d must have no bias*");
        FluentActions.Invoking(() => Functional.FuseConvBn2d(new Conv2d(2, 3, 3, bias: false), new BatchNorm2d(4)))
            .Should().Throw<ArgumentException>().WithMessage("*4 features*3 output channels*");
    }

    [Test]
    public void ScaledFusedBiasMatchesSpikingJellysArithmetic()
    {
        // β ← β·k + b and running_mean ← running_mean·k (SpikingJelly's own steps, which do give b_f·k + b).
        var conv = new Conv2d(1, 2, 1, bias: false);
        var bn = new BatchNorm2d(2);
        Raw.CopyInto(Tensor.FromArray(new[] { 0.5f, -1f }), bn.Bias!);
        Raw.CopyInto(Tensor.FromArray(new[] { 2f, 3f }), bn.RunningMean);
        Functional.ScaleFusedConv2dBiasOfConvBn2d(conv, bn, k: 2, b: -0.3);
        bn.Bias!.ToArray<float>().ShouldBeClose([0.7f, -2.3f]);
        bn.RunningMean.ToArray<float>().Should().Equal(4f, 6f);
        FluentActions.Invoking(() => Functional.ScaleFusedConv2dBiasOfConvBn2d(conv, new BatchNorm2d(2, affine: false), 2))
            .Should().Throw<ArgumentException>().WithMessage("*no affine bias*");
    }
}
