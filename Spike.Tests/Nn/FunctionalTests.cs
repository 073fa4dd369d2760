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
}
