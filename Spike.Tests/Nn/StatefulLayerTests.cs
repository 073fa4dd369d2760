using FluentAssertions;
using NUnit.Framework;
using Spike.Nn;

namespace Spike.Tests.Nn;

public sealed class StatefulLayerTests
{
    [Test]
    public void SynapseFilterDecaysBetweenSpikes()
    {
        // τ = 2: I = I − (1 − s)·I/2 + s. s = 1, 0, 0, 1 → 1, 0.5, 0.25, 1.25.
        var f = new SynapseFilter(2.0);
        var outs = new[] { 1f, 0f, 0f, 1f }.Select(s => f.Forward(Tensor.FromArray([s])).Item()).ToArray();
        outs.Should().Equal(1, 0.5, 0.25, 1.25);
        Functional.ResetNet(f);
        f.OutI.Item().Should().Be(0);
    }

    [Test]
    public void LearnableSynapseFilterPassesGradCheck() =>
        TestUtil.CheckGrad(a =>
        {
            var f = new SynapseFilter(3.0, learnable: true);
            var y1 = f.Forward(a[0].Select(0, 0));
            return y1 + f.Forward(a[0].Select(0, 1));
        }, TestUtil.RandomF64(2, 2, 3));

    [Test]
    public void NeuNormSubtractsWeightedChannelAverage()
    {
        // C = 2, k = 0.5: k1 = 0.5/4 = 0.125; one pixel, spikes (1, 1): X = 0.125·2 = 0.25; out = 1 − w·0.25.
        var n = new NeuNorm(2, 1, 1, k: 0.5, generator: new Generator(3));
        var w = n.W.ToArray<float>();
        var y = n.Forward(Tensor.FromArray([1f, 1f], 1, 2, 1, 1));
        y.ToArray<float>().ShouldBeClose([1 - w[0] * 0.25f, 1 - w[1] * 0.25f]);
        n.X.Shape.Should().Equal(1, 1, 1, 1);
        w.Should().OnlyContain(v => Math.Abs(v) <= 1f);
        var bad = () => n.Forward(Tensor.Zeros(2, 2));
        bad.Should().Throw<ArgumentException>().WithMessage("*NeuNorm*[2, 2]*");
    }

    [Test]
    public void VotingAveragesGroups()
    {
        var y = new VotingLayer(2).Forward(Tensor.FromArray([1f, 0f, 1f, 1f, 0f], 1, 5));
        y.ToArray<float>().Should().Equal(0.5f, 1f);
        // Any leading axes: [T, N, M] → [T, N, M / v].
        var seq = new VotingLayer(2).Forward(Tensor.FromArray([1f, 0f, 1f, 1f, 0f, 0f, 1f, 1f], 2, 1, 4));
        seq.Shape.Should().Equal(2, 1, 2);
        seq.ToArray<float>().Should().Equal(0.5f, 1f, 0f, 1f);
    }

    [Test]
    public void ElementWiseRecurrenceFeedsBackTheOutput()
    {
        // IF(y[t−1] + x[t]), x = 0.6: V = 0.6 (y = 0); V = 1.2 fires (y = 1, V = 0); input 1 + 0.6 = 1.6 fires again.
        var m = new ElementWiseRecurrentContainer(new IFNode(), (a, b) => a + b);
        var ys = Enumerable.Range(0, 3).Select(_ => m.Forward(Tensor.FromArray([0.6f])).Item()).ToArray();
        ys.Should().Equal(0, 1, 1);
    }
}
