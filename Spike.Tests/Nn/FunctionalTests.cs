using FluentAssertions;
using NUnit.Framework;
using Spike.Nn;

namespace Spike.Tests.Nn;

public sealed class FunctionalTests
{
    [Test]
    public void FirstSpikeIndexMarksOnlyTheFirstSpike()
    {
        var m = Functional.FirstSpikeIndex(Tensor.FromArray([0f, 1f, 1f, 0f, 0f, 0f, 0f, 1f], 2, 4));
        m.ToArray<bool>().Should().Equal(false, true, false, false, false, false, false, true);
    }

    [Test]
    public void RedundantOneHotRepeatsEachClassNTimes()
    {
        var c = Functional.RedundantOneHot(Tensor.FromArray([1L, 0L]), 2, 2);
        c.ToArray<float>().Should().Equal(0f, 0f, 1f, 1f, 1f, 1f, 0f, 0f);
        var bad = () => Functional.RedundantOneHot(Tensor.FromArray([3L]), 2, 2);
        bad.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*redundant_one_hot*3*[0, 2)*");
    }

    [Test]
    public void ThresholdMarginSwitchesWithTrainingMode()
    {
        var layer = new IFNode();
        var label = Tensor.FromArray([0f, 1f], 1, 2);
        Functional.SetThresholdMargin(layer, label, 1.0, 0.9, 1.1);
        layer.VThresholdTensor!.ToArray<float>().Should().Equal(0.9f, 1.1f);
        // With thresholds 0.9 / 1.1 an input of 1.0 fires only the negative neuron.
        layer.Forward(Tensor.FromArray([1f, 1f], 1, 2)).ToArray<float>().Should().Equal(1f, 0f);
        layer.Eval();
        Functional.SetThresholdMargin(layer, label, 1.0);
        layer.VThresholdTensor.Should().BeNull();
        layer.VThreshold.Should().Be(1.0);
    }

    [Test]
    public void SpikeClusterByHand()
    {
        // v = [2, 0, 0, 0.5, 0, 0, 2], Vth = 1, T_in = 1: spikes at t = 0 and 6 → two clusters. Steps within 1 of a
        // spike (1 and 5) are excluded; among 2, 3, 4 the largest v is at t = 3 → k_positive. The first cluster (t = 0)
        // is the first smallest one → k_negative.
        var v = Tensor.FromArray([2f, 0f, 0f, 0.5f, 0f, 0f, 2f], 7, 1);
        var (no, kp, kn) = Functional.SpikeCluster(v, 1.0, 1);
        no.ToArray<float>().Should().Equal(2f);
        kp.ToArray<bool>().Should().Equal(false, false, false, true, false, false, false);
        kn.ToArray<bool>().Should().Equal(true, false, false, false, false, false, false);
    }
}
