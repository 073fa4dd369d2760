using FluentAssertions;
using NUnit.Framework;
using Spike.Nn;

namespace Spike.Tests.Nn;

public sealed class MonitorTests
{
    [Test]
    public void FiringRatesAndNeverFiringRatioPerLayerAndOverall()
    {
        var a = new IFNode();
        var b = new IFNode(vThreshold: 10);
        var net = new Sequential(a, new Sequential(b));
        using var mon = new SpikeMonitor(net, recordSpikes: true, recordV: true);
        mon.Layers.Should().Equal("0", "1.0");
        // Layer 0 gets [2, 0, 0.5] with 3 neurons, 1 sample: spikes (1, 0, 0); layer 1 sees (1, 0, 0): V < 10, silent.
        net.Forward(Tensor.FromArray([2f, 0f, 0.5f], 1, 3));
        // Second call: V0 = (0, 0, 0.5) + (2, 0, 0.5) → (1, 0, 1): spikes (1, 0, 1).
        net.Forward(Tensor.FromArray([2f, 0f, 0.5f], 1, 3));
        mon.AverageFiringRate("0").Should().BeApproximately(3 / 6.0, 1e-12);
        mon.AverageFiringRate("1.0").Should().Be(0);
        mon.AverageFiringRate().Should().BeApproximately(3 / 12.0, 1e-12);
        mon.NonFiringRatio("0").Should().BeApproximately(1 / 3.0, 1e-12);
        mon.NonFiringRatio().Should().BeApproximately(4 / 6.0, 1e-12);
        mon.Spikes("0").Should().HaveCount(2);
        mon.V("0")[1].ToArray<float>().Should().Equal(0f, 0f, 0f);
        mon.Disable();
        net.Forward(Tensor.FromArray([2f, 2f, 2f], 1, 3));
        mon.Spikes("0").Should().HaveCount(2);
        mon.Reset();
        mon.AverageFiringRate().Should().Be(double.NaN);
    }

    [Test]
    public void MultiStepNeuronsCountUnitsWithoutTimeAndBatch()
    {
        var n = new LifNode(stepMode: StepMode.Multi);
        using var mon = new SpikeMonitor(n);
        // [T=2, N=1, 2 units]: unit 0 gets 4 (fires at t=0), unit 1 gets 0.
        n.Forward(Tensor.FromArray([4f, 0f, 4f, 0f], 2, 1, 2));
        mon.NonFiringRatio().Should().Be(0.5);
        var act = () => mon.AverageFiringRate("nope");
        act.Should().Throw<KeyNotFoundException>().WithMessage("*nope*LifNode*");
    }
}
