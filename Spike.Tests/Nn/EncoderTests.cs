using FluentAssertions;
using NUnit.Framework;
using Spike.Nn;

namespace Spike.Tests.Nn;

public sealed class EncoderTests
{
    [Test]
    public void PoissonIsReproducibleForASeedAndFollowsTheRate()
    {
        var x = Tensor.FromArray([0f, 0.25f, 0.5f, 1f]);
        Tensor Draw() => new PoissonEncoder(new Generator(42), 4000) { StepMode = StepMode.Multi }.Forward(x);
        var a = Draw();
        a.ToArray<float>().Should().Equal(Draw().ToArray<float>());
        a.Shape.Should().Equal(4000, 4);
        var rate = a.Mean(0).ToArray<float>();
        rate[0].Should().Be(0);
        rate[3].Should().Be(1);
        // 5 standard errors of a Bernoulli mean over 4000 draws.
        rate[1].Should().BeApproximately(0.25f, (float)(5 * Math.Sqrt(0.25 * 0.75 / 4000)));
        rate[2].Should().BeApproximately(0.5f, (float)(5 * Math.Sqrt(0.25 / 4000)));
    }

    [Test]
    public void PoissonSingleStepDrawsFreshSpikesEachCall()
    {
        var enc = new PoissonEncoder(new Generator(7));
        var x = Tensor.Full([256], 0.5);
        enc.Forward(x).ToArray<float>().Should().NotEqual(enc.Forward(x).ToArray<float>());
    }

    [Test]
    public void LatencyLinearFiresOnceAtRoundedTime()
    {
        // T = 5: t_f = round(4(1 − x)) half to even: x = 0 → 4, 0.125 → round(3.5) = 4, 0.375 → round(2.5) = 2, 1 → 0.
        var enc = new LatencyEncoder(5) { StepMode = StepMode.Multi };
        var s = enc.Forward(Tensor.FromArray([0f, 0.125f, 0.375f, 1f]));
        s.Shape.Should().Equal(5, 4);
        var v = s.ToArray<float>();
        int[] tf = [4, 4, 2, 0];
        for (int i = 0; i < 4; i++)
            for (int t = 0; t < 5; t++) v[t * 4 + i].Should().Be(t == tf[i] ? 1 : 0, $"x[{i}] at t={t}");
    }

    [Test]
    public void StatefulEncoderCyclesAndResets()
    {
        var enc = new LatencyEncoder(3);
        var x = Tensor.FromArray([1f]);
        var seq = Enumerable.Range(0, 4).Select(_ => enc.Forward(x).Item()).ToArray();
        seq.Should().Equal(1, 0, 0, 1);          // x = 1 fires at t = 0, then wraps around
        enc.Phase.Should().Be(1);
        Functional.ResetNet(new Sequential(enc));
        enc.Phase.Should().Be(0);
        enc.Spike.Should().BeNull();
        enc.Forward(Tensor.FromArray([0f])).Item().Should().Be(0);  // re-encoded: x = 0 fires last
    }

    [Test]
    public void WeightedPhaseIsTheBinaryExpansion()
    {
        // 0.8125 = 0.1101₂.
        var enc = new WeightedPhaseEncoder(4) { StepMode = StepMode.Multi };
        enc.Forward(Tensor.FromArray([0.8125f])).ToArray<float>().Should().Equal(1f, 1f, 0f, 1f);
    }

    [Test]
    public void PeriodicEncoderReplaysItsPattern()
    {
        var pattern = Tensor.FromArray([1f, 0f, 0f, 1f], 2, 2);
        var enc = new PeriodicEncoder(pattern);
        var outs = Enumerable.Range(0, 3).Select(_ => enc.Forward(pattern).ToArray<float>()).ToArray();
        outs[0].Should().Equal(1f, 0f);
        outs[1].Should().Equal(0f, 1f);
        outs[2].Should().Equal(1f, 0f);
    }

    [Test]
    public void BadEncoderArgumentsAreRejected()
    {
        ((Action)(() => _ = new LatencyEncoder(0))).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*LatencyEncoder*T*0*");
        ((Action)(() => _ = new PeriodicEncoder(Tensor.Scalar(1)))).Should().Throw<ArgumentException>().WithMessage("*PeriodicEncoder*[]*");
    }
}
