namespace Spike.Nn;

/// <summary>
/// Leaky integrate and analog fire (LIAF-Net): LIF charge H, then the output is y = act(H − Vth) when
/// <see cref="ThresholdRelated"/>, else y = act(H); the neuron still fires and resets internally.
/// Returns y (not spikes). Multi step runs step by step.
/// </summary>
public sealed class LiafNode(Func<Tensor, Tensor> act, bool thresholdRelated, double tau = 2.0, bool decayInput = true, double vThreshold = 1.0,
    double? vReset = 0.0, Surrogate? surrogate = null, bool detachReset = false, StepMode stepMode = StepMode.Single, bool storeVSeq = false)
    : LifNode(tau, decayInput, vThreshold, vReset, surrogate, detachReset, stepMode, storeVSeq)
{
    public bool ThresholdRelated { get; } = thresholdRelated;

    public override Tensor SingleStep(Tensor x)
    {
        var h = Charge(x);
        HLast = h.Detach();
        var y = act(ThresholdRelated ? h - ThresholdFor(h) : h);
        var s = Fire(h);
        V = ResetFrom(h, s);
        return y;
    }

    public override Tensor MultiStep(Tensor xSeq) => StepByStep(xSeq);

    internal override NeuronKernel? FusedKernel() => null;
}

/// <summary>
/// Non-spiking LIF (the seeds' reinforcement-learning examples): charge only, returns the membrane potential.
/// H = LIF charge of (V, X); V = H; output V. Never fires or resets.
/// </summary>
public sealed class NonSpikingLifNode(double tau = 2.0, bool decayInput = true, double vThreshold = 1.0, double? vReset = 0.0,
    Surrogate? surrogate = null, StepMode stepMode = StepMode.Single, bool storeVSeq = false)
    : LifNode(tau, decayInput, vThreshold, vReset, surrogate, false, stepMode, storeVSeq)
{
    public override Tensor SingleStep(Tensor x)
    {
        var h = Charge(x);
        HLast = h.Detach();
        V = h;
        return h;
    }

    public override Tensor MultiStep(Tensor xSeq) => StepByStep(xSeq);

    internal override NeuronKernel? FusedKernel() => null;
}

/// <summary>
/// Izhikevich-type adaptive QIF neuron (as SpikingJelly's later <c>IzhikevichNode</c>; the clock_driven era has none):
/// <code>
/// H[t] = V[t−1] + (X[t] + a0·(V[t−1] − V_rest)·(V[t−1] − V_c) − W[t−1]) / τ
/// W'   = W[t−1] + (a·(H[t] − V_rest) − W[t−1]) / τ_w          (adaptation, from H)
/// S[t] = Θ(H[t] − Vth); V[t] = reset(H[t], S[t]) as any node; W[t] = W' + b·S[t]
/// </code>
/// Defaults τ = 2, V_c = 0.8, a0 = 1, Vth = 1, Vr = 0, V_rest = −0.1, W_rest = 0, τ_w = 2, a = 0, b = 0.
/// State: V and W (reset to W_rest). Multi step runs step by step.
/// </summary>
public sealed class IzhikevichNode : BaseNode
{
    public IzhikevichNode(double tau = 2.0, double vC = 0.8, double a0 = 1.0, double vThreshold = 1.0, double? vReset = 0.0, double vRest = -0.1,
        double wRest = 0.0, double tauW = 2.0, double a = 0.0, double b = 0.0, Surrogate? surrogate = null, bool detachReset = false,
        StepMode stepMode = StepMode.Single, bool storeVSeq = false)
        : base(vThreshold, vReset, surrogate, detachReset, stepMode, storeVSeq)
    {
        (Tau, VC, A0, VRest, WRest, TauW, A, B) = (tau, vC, a0, vRest, wRest, tauW, a, b);
        RegisterMemory("w", wRest);
    }

    public double Tau { get; }
    public double VC { get; }
    public double A0 { get; }
    public double VRest { get; }
    public double WRest { get; }
    public double TauW { get; }
    public double A { get; }
    public double B { get; }

    /// <summary>Adaptation current W.</summary>
    public Tensor WState { get => GetMemory("w"); set => SetMemory("w", value); }

    protected override Tensor Charge(Tensor x)
    {
        var v = V;
        return v + (x + (v - VRest) * A0 * (v - VC) - WState) / Tau;
    }

    public override Tensor SingleStep(Tensor x)
    {
        var wPrev = WState;
        var h = Charge(x);
        HLast = h.Detach();
        var w = wPrev + (A * (h - VRest) - wPrev) / TauW;
        var s = Fire(h);
        V = ResetFrom(h, s);
        WState = w + (DetachReset ? s.Detach() : s) * B;
        return s;
    }

    public override Tensor MultiStep(Tensor xSeq) => StepByStep(xSeq);
}
