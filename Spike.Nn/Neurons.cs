namespace Spike.Nn;

/// <summary>Integrate-and-fire: H[t] = V[t−1] + X[t]. Defaults Vth = 1, Vr = 0, Sigmoid surrogate.</summary>
public class IFNode(double vThreshold = 1.0, double? vReset = 0.0, Surrogate? surrogate = null, bool detachReset = false,
    StepMode stepMode = StepMode.Single, bool storeVSeq = false)
    : BaseNode(vThreshold, vReset, surrogate, detachReset, stepMode, storeVSeq)
{
    protected override Tensor Charge(Tensor x) => V + x;

    internal override NeuronKernel? FusedKernel() => new IfKernel();
}

/// <summary>
/// Leaky integrate-and-fire with time constant τ. With r = Vr (0 for soft reset):
/// DecayInput: H[t] = V[t−1] + (X[t] − (V[t−1] − r))/τ; otherwise H[t] = V[t−1] − (V[t−1] − r)/τ + X[t].
/// Defaults τ = 2, DecayInput = true, Vth = 1, Vr = 0.
/// </summary>
public class LifNode(double tau = 2.0, bool decayInput = true, double vThreshold = 1.0, double? vReset = 0.0, Surrogate? surrogate = null,
    bool detachReset = false, StepMode stepMode = StepMode.Single, bool storeVSeq = false)
    : BaseNode(vThreshold, vReset, surrogate, detachReset, stepMode, storeVSeq)
{
    public double Tau { get; } = tau > 1 ? tau : throw new ArgumentOutOfRangeException(nameof(tau), $"LifNode: tau must be > 1, got {tau}");
    public bool DecayInput { get; } = decayInput;

    // Same operation order as SpikingJelly so float32 results round identically.
    protected override Tensor Charge(Tensor x)
    {
        var v = V;
        bool zero = VReset is null or 0.0;
        if (DecayInput) return zero ? v + (x - v) / Tau : v + (x - (v - VReset!.Value)) / Tau;
        return zero ? v * (1.0 - 1.0 / Tau) + x : v - (v - VReset!.Value) / Tau + x;
    }

    internal override NeuronKernel? FusedKernel() =>
        new LifKernel(DecayInput, (float)(VReset ?? 0.0), (float)Tau, 0f, divideByTau: true, paramGrad: false);

    protected override string ExtraRepr() => base.ExtraRepr() + $", tau={Tau}, decay_input={DecayInput}";
}

/// <summary>
/// Parametric LIF (Fang et al. 2021): LIF with a learnable 1/τ = sigmoid(w), w initialised to −ln(τ₀ − 1).
/// DecayInput: H = V + (X − (V − r))·sigmoid(w); otherwise H = V − (V − r)·sigmoid(w) + X (r = Vr, 0 for soft reset).
/// The fused path returns ∂L/∂w through sigmoid's derivative.
/// </summary>
public class ParametricLifNode : BaseNode
{
    public ParametricLifNode(double initTau = 2.0, bool decayInput = true, double vThreshold = 1.0, double? vReset = 0.0, Surrogate? surrogate = null,
        bool detachReset = false, StepMode stepMode = StepMode.Single, bool storeVSeq = false)
        : base(vThreshold, vReset, surrogate, detachReset, stepMode, storeVSeq)
    {
        if (initTau <= 1) throw new ArgumentOutOfRangeException(nameof(initTau), $"ParametricLifNode: initTau must be > 1, got {initTau}");
        DecayInput = decayInput;
        RegisterParameter("w", Tensor.Scalar(-Math.Log(initTau - 1)));
    }

    public bool DecayInput { get; }

    /// <summary>The learnable w (0-d); 1/τ = sigmoid(w).</summary>
    public Tensor W => Parameter("w");

    /// <summary>Current τ = 1/sigmoid(w).</summary>
    public double Tau => 1 / Raw.Unary(UnaryOp.Sigmoid, W).Item();

    protected override Tensor Charge(Tensor x)
    {
        var v = V;
        var k = W.To(x.DType).Sigmoid();
        bool zero = VReset is null or 0.0;
        if (DecayInput) return zero ? v + (x - v) * k : v + (x - (v - VReset!.Value)) * k;
        return zero ? v * (1 - k) + x : v - (v - VReset!.Value) * k + x;
    }

    public override Tensor MultiStep(Tensor xSeq)
    {
        if (!CanFuse(xSeq)) return StepByStep(xSeq);
        SeqOps.CheckSeq(xSeq, nameof(ParametricLifNode));
        var k = W.Sigmoid();
        float kf = (float)Raw.ToDType(k, DType.Float32).Item();
        var kernel = new LifKernel(DecayInput, (float)(VReset ?? 0.0), 0f, kf, divideByTau: false, paramGrad: true);
        return FusedNeuron.Run(this, kernel, xSeq, k);
    }

    protected override string ExtraRepr() => base.ExtraRepr() + $", tau={Tau:G6}, decay_input={DecayInput}";
}

/// <summary>
/// Quadratic integrate-and-fire: H = V + (X + a0·(V − V_rest)·(V − V_c))/τ.
/// Defaults τ = 2, V_c = 0.8, a0 = 1, Vth = 1, V_rest = 0, Vr = −0.1.
/// </summary>
public class QifNode(double tau = 2.0, double vC = 0.8, double a0 = 1.0, double vThreshold = 1.0, double vRest = 0.0, double? vReset = -0.1,
    Surrogate? surrogate = null, bool detachReset = false, StepMode stepMode = StepMode.Single, bool storeVSeq = false)
    : BaseNode(vThreshold, vReset, surrogate, detachReset, stepMode, storeVSeq)
{
    public double Tau { get; } = tau;
    public double VC { get; } = vC;
    public double A0 { get; } = a0;
    public double VRest { get; } = vRest;

    protected override Tensor Charge(Tensor x)
    {
        var v = V;
        return v + (x + (v - VRest) * A0 * (v - VC)) / Tau;
    }

    internal override NeuronKernel? FusedKernel() => new QifKernel((float)Tau, (float)VC, (float)A0, (float)VRest);

    protected override string ExtraRepr() => base.ExtraRepr() + $", tau={Tau}, v_c={VC}, a0={A0}, v_rest={VRest}";
}

/// <summary>
/// Exponential integrate-and-fire: H = V + (X + V_rest − V + ΔT·exp((V − θ_rh)/ΔT))/τ.
/// Defaults τ = 2, ΔT = 1, θ_rh = 0.8, Vth = 1, V_rest = 0, Vr = −0.1.
/// </summary>
public class EifNode(double tau = 2.0, double deltaT = 1.0, double thetaRh = 0.8, double vThreshold = 1.0, double vRest = 0.0, double? vReset = -0.1,
    Surrogate? surrogate = null, bool detachReset = false, StepMode stepMode = StepMode.Single, bool storeVSeq = false)
    : BaseNode(vThreshold, vReset, surrogate, detachReset, stepMode, storeVSeq)
{
    public double Tau { get; } = tau;
    public double DeltaT { get; } = deltaT > 0 ? deltaT : throw new ArgumentOutOfRangeException(nameof(deltaT), $"EifNode: deltaT must be > 0, got {deltaT}");
    public double ThetaRh { get; } = thetaRh;
    public double VRest { get; } = vRest;

    protected override Tensor Charge(Tensor x)
    {
        var v = V;
        return v + (x + VRest - v + ((v - ThetaRh) / DeltaT).Exp() * DeltaT) / Tau;
    }

    internal override NeuronKernel? FusedKernel() => new EifKernel((float)Tau, (float)DeltaT, (float)ThetaRh, (float)VRest);

    protected override string ExtraRepr() => base.ExtraRepr() + $", tau={Tau}, delta_T={DeltaT}, theta_rh={ThetaRh}, v_rest={VRest}";
}
