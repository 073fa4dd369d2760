using FluentAssertions;
using NUnit.Framework;
using Spike.Nn;
using Sigmoid = Spike.Nn.Sigmoid;

namespace Spike.Tests.Nn;

/// <summary>Neuron dynamics against hand derivations and Float64 gradient checks (with smooth primitives in place of Θ).</summary>
public sealed class NeuronTests
{
    [Test]
    public void IfHardResetByHand()
    {
        // V: 0 → 0.7 → 1.4 (fire, → 0) → 0.7 → −0.3 + 0.7… inputs 0.7, 0.7, 0.7, −1.0: V = 0.7, 0 (fired), 0.7, −0.3.
        var n = new IFNode(stepMode: StepMode.Multi, storeVSeq: true);
        var s = n.Forward(Tensor.FromArray([0.7f, 0.7f, 0.7f, -1.0f], 4, 1));
        s.ToArray<float>().Should().Equal(0f, 1f, 0f, 0f);
        n.VSeq!.ToArray<float>().ShouldBeClose([0.7f, 0f, 0.7f, -0.3f]);
    }

    [Test]
    public void LifSoftResetSubtractsThreshold()
    {
        // τ = 2, decay_input, soft: H = V + (X − V)/2. X = 3: H = 1.5 → fire, V = 0.5; X = 0: H = 0.25.
        var n = new LifNode(2.0, true, 1.0, null, stepMode: StepMode.Multi, storeVSeq: true);
        var s = n.Forward(Tensor.FromArray([3f, 0f], 2, 1));
        s.ToArray<float>().Should().Equal(1f, 0f);
        n.VSeq!.ToArray<float>().ShouldBeClose([0.5f, 0.25f]);
    }

    [Test]
    public void LifWithoutInputDecayAndNonzeroReset()
    {
        // τ = 4, decay_input = false, Vr = −0.5: H = V − (V − Vr)/4 + X, V₀ = −0.5.
        // X = 0.3: H = −0.5 + 0.3 = −0.2. X = 0: H = −0.2 − 0.3/4 = −0.275.
        var n = new LifNode(4.0, false, 1.0, -0.5, stepMode: StepMode.Multi, storeVSeq: true);
        n.Forward(Tensor.FromArray([0.3f, 0f], 2, 1));
        n.VSeq!.ToArray<float>().ShouldBeClose([-0.2f, -0.275f]);
    }

    [Test]
    public void PlifStartsAtInitTauAndLearnsIt()
    {
        var n = new ParametricLifNode(initTau: 3.0, stepMode: StepMode.Multi);
        n.Tau.Should().BeApproximately(3.0, 1e-6);
        // One step from V = 0: H = X·k with k = sigmoid(w) = 1/3; with the primitive surrogate, ∂H/∂w = X·k(1−k).
        n.SurrogateFunction.Spiking = false;
        n.Forward(Tensor.FromArray([0.9f], 1, 1)).Sum().Backward();
        double k = 1 / 3.0, h = 0.9 * k, sig = 1 / (1 + Math.Exp(-4 * (h - 1)));
        // spike = σ(4(H − 1)); d spike/dw = 4σ(1−σ)·X·k(1−k).
        n.W.Grad!.Item().Should().BeApproximately(4 * sig * (1 - sig) * 0.9 * k * (1 - k), 1e-6);
    }

    static Surrogate Smooth() => new ATan { Spiking = false };

    public static IEnumerable<TestCaseData> SmoothNeurons()
    {
        yield return new TestCaseData((Func<BaseNode>)(() => new IFNode(1.0, 0.0, Smooth()))).SetArgDisplayNames("IF");
        yield return new TestCaseData((Func<BaseNode>)(() => new LifNode(2.0, true, 1.0, -0.3, Smooth()))).SetArgDisplayNames("LIF hard");
        yield return new TestCaseData((Func<BaseNode>)(() => new LifNode(3.0, false, 1.0, null, Smooth()))).SetArgDisplayNames("LIF soft nodecay");
        yield return new TestCaseData((Func<BaseNode>)(() => new QifNode(2.0, 0.8, 1.0, 1.0, 0.0, -0.1, Smooth()))).SetArgDisplayNames("QIF");
        yield return new TestCaseData((Func<BaseNode>)(() => new EifNode(2.0, 1.0, 0.8, 1.0, 0.0, -0.1, Smooth()))).SetArgDisplayNames("EIF");
        yield return new TestCaseData((Func<BaseNode>)(() => new IzhikevichNode(a: 0.3, b: 0.2, surrogate: Smooth()))).SetArgDisplayNames("Izhikevich");
        yield return new TestCaseData((Func<BaseNode>)(() => new LiafNode(x => x.Relu(), true, surrogate: Smooth()))).SetArgDisplayNames("LIAF");
        yield return new TestCaseData((Func<BaseNode>)(() => new NonSpikingLifNode(2.0))).SetArgDisplayNames("NonSpikingLIF");
    }

    [TestCaseSource(nameof(SmoothNeurons))]
    public void StepByStepGradientsPassFloat64GradCheck(Func<BaseNode> make) =>
        TestUtil.CheckGrad(a =>
        {
            var n = make();
            n.StepMode = StepMode.Multi;
            n.StoreVSeq = true;
            var s = n.Forward(a[0]);
            return s + n.VSeq! * 0.5;
        }, TestUtil.RandomF64(4, 3, 2, 3));

    [Test]
    public void IzhikevichByHand()
    {
        // τ = 2, V_c = 0.8, a0 = 1, V_rest = −0.1, τ_w = 2, a = 0.5, b = 0.25, V₀ = 0, W₀ = 0. X = 2:
        // H = 0 + (2 + (0.1)(−0.8) − 0)/2 = 0.96 → no spike; W = 0 + (0.5·(0.96 + 0.1) − 0)/2 = 0.265.
        // X = 2: H = 0.96 + (2 + 1.06·0.16 − 0.265)/2 = 0.96 + 0.95230 = 1.91230 → spike; V = 0; W = 0.265 + (0.5·2.0123 − 0.265)/2 + 0.25.
        var n = new IzhikevichNode(a: 0.5, b: 0.25, vReset: 0.0, stepMode: StepMode.Multi, storeVSeq: true);
        var s = n.Forward(Tensor.FromArray([2f, 2f], 2, 1));
        s.ToArray<float>().Should().Equal(0f, 1f);
        double h2 = 0.96 + (2 + 1.06 * 0.16 - 0.265) / 2;
        n.HLast!.ToArray<float>().ShouldBeClose([0.96f, (float)h2]);
        n.WState.ToArray<float>().ShouldBeClose([(float)(0.265 + (0.5 * (h2 + 0.1) - 0.265) / 2 + 0.25)]);
        n.VSeq!.ToArray<float>().ShouldBeClose([0.96f, 0f]);
    }

    [Test]
    public void NonSpikingLifReturnsTheMembranePotential()
    {
        var n = new NonSpikingLifNode(2.0, stepMode: StepMode.Multi);
        // H = V + (X − V)/2: 4 → 2, 0 → 1, 0 → 0.5 (never resets).
        n.Forward(Tensor.FromArray([4f, 0f, 0f], 3, 1)).ToArray<float>().Should().Equal(2f, 1f, 0.5f);
    }

    [Test]
    public void LiafOutputsReluOfHMinusThreshold()
    {
        var n = new LiafNode(x => x.Relu(), thresholdRelated: true, stepMode: StepMode.Multi, storeVSeq: true);
        // H = X/2 from V = 0: X = 3 → H = 1.5, y = 0.5, fire → V = 0; X = 1 → H = 0.5, y = 0.
        n.Forward(Tensor.FromArray([3f, 1f], 2, 1)).ToArray<float>().Should().Equal(0.5f, 0f);
        n.VSeq!.ToArray<float>().Should().Equal(0f, 0.5f);
    }

    [Test]
    public void PerNeuronThresholdsInSingleStep()
    {
        var n = new IFNode { VThresholdTensor = Tensor.FromArray([0.5f, 1.0f, 2.0f]) };
        n.Forward(Tensor.FromArray([1f, 1f, 1f])).ToArray<float>().Should().Equal(1f, 1f, 0f);
    }

    [Test]
    public void DetachResetStopsGradientThroughTheResetOnly()
    {
        // One IF step, hard reset to 0, loss = V: V = H(1 − S). Without detach dV/dX = (1 − S) − H·g'(H − 1);
        // with detach dV/dX = 1 − S. At X = 1.5: S = 1, g'(0.5) of Sigmoid(4) = 4σ(2)(1−σ(2)).
        double sig = 1 / (1 + Math.Exp(-2.0)), gp = 4 * sig * (1 - sig);
        foreach (bool detach in new[] { false, true })
        {
            var n = new IFNode(detachReset: detach, surrogate: new Sigmoid());
            var x = Tensor.FromArray([1.5]).RequiresGrad_();
            n.Forward(x);
            n.V.Sum().Backward();
            x.Grad!.Item().Should().BeApproximately(detach ? 0 : -1.5 * gp, 1e-12);
        }
    }

    [Test]
    public void AliasesRunInMultiStepMode()
    {
        new MultiStepIFNode().StepMode.Should().Be(StepMode.Multi);
        new MultiStepLifNode().StepMode.Should().Be(StepMode.Multi);
        new MultiStepParametricLifNode().StepMode.Should().Be(StepMode.Multi);
        new MultiStepQifNode().StepMode.Should().Be(StepMode.Multi);
        new MultiStepEifNode().StepMode.Should().Be(StepMode.Multi);
        new MultiStepLifNode().Forward(Tensor.Zeros(5, 2, 3)).Shape.Should().Equal(5, 2, 3);
    }

    [Test]
    public void BadParametersNameTheNeuron()
    {
        ((Action)(() => _ = new LifNode(tau: 0.5))).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*LifNode*tau*0.5*");
        ((Action)(() => _ = new ParametricLifNode(initTau: 1.0))).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*ParametricLifNode*1*");
    }
}
