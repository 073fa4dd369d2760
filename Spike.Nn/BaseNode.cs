namespace Spike.Nn;

/// <summary>
/// A spiking neuron in SpikingJelly's Charge / Fire / Reset form. Per step t, with state V (initially the reset value):
/// <code>
/// H[t] = f(V[t−1], X[t])                      charge (each neuron type defines f)
/// S[t] = Θ(H[t] − Vth)                        fire; backward uses the surrogate g'(H − Vth)
/// hard reset (VReset = Vr): V[t] = H[t]·(1 − S[t]) + Vr·S[t]
/// soft reset (VReset null): V[t] = H[t] − Vth·S[t]
/// </code>
/// <see cref="DetachReset"/> detaches S in the reset path only. Single step: x [N, ...] → spikes [N, ...].
/// Multi step: x_seq [T, N, ...] → spikes [T, N, ...], computed by a fused forward/backward-through-time kernel
/// on the CPU for Float32 when the neuron provides one (else step by step); Forward in single-step mode runs the same
/// kernel with T = 1. The module owns only its state
/// (V, and V_seq when <see cref="StoreVSeq"/>).
/// </summary>
public abstract class BaseNode : Module, IStepModule
{
    protected BaseNode(double vThreshold, double? vReset, Surrogate? surrogate, bool detachReset, StepMode stepMode, bool storeVSeq)
    {
        VThreshold = vThreshold;
        VReset = vReset;
        SurrogateFunction = RegisterModule("surrogate_function", surrogate ?? new Sigmoid());
        DetachReset = detachReset;
        StepMode = stepMode;
        StoreVSeq = storeVSeq;
        RegisterMemory("v", vReset ?? 0.0);
    }

    /// <summary>Firing threshold Vth (used when <see cref="VThresholdTensor"/> is null).</summary>
    public double VThreshold { get; set; }

    /// <summary>Optional per-neuron thresholds, broadcastable to the neuron shape [N, ...]; overrides <see cref="VThreshold"/>.</summary>
    public Tensor? VThresholdTensor { get; set; }

    /// <summary>Reset potential Vr for hard reset; null selects soft reset (V −= Vth·S).</summary>
    public double? VReset { get; }

    public Surrogate SurrogateFunction { get; }

    /// <summary>Detach S in the reset path (the surrogate gradient still flows through the spike output).</summary>
    public bool DetachReset { get; set; }

    public StepMode StepMode { get; set; }

    /// <summary>Multi step: keep V after reset for every step in <see cref="VSeq"/> (differentiable).</summary>
    public bool StoreVSeq { get; set; }

    /// <summary>Membrane potential after the last step (a 0-d tensor until the first step).</summary>
    public Tensor V { get => GetMemory("v"); set => SetMemory("v", value); }

    /// <summary>V after reset for each step of the last multi-step call, [T, N, ...] (when <see cref="StoreVSeq"/>).</summary>
    public Tensor? VSeq { get => VSeqInternal; protected set => VSeqInternal = value; }

    internal Tensor? VSeqInternal { get; set; }

    /// <summary>H (after charge, before fire/reset) of the last call: [N, ...] single step, [T, N, ...] multi step. No gradient.</summary>
    public Tensor? HLast { get => HLastInternal; protected set => HLastInternal = value; }

    internal Tensor? HLastInternal { get; set; }

    public override void Reset()
    {
        base.Reset();
        VSeq = null;
        HLast = null;
    }

    /// <summary>H = f(V, X) built from differentiable ops, in the same operation order as SpikingJelly.</summary>
    protected abstract Tensor Charge(Tensor x);

    /// <summary>The fused multi-step kernel of this neuron, or null to run step by step.</summary>
    internal virtual NeuronKernel? FusedKernel() => null;

    // On CUDA the device kernels (DeviceNeuron); on the CPU a single step takes the fused kernel (with T = 1) where the
    // neuron has one, and SingleStep stays the composition.
    protected override Tensor OnForward(Tensor x) =>
        DeviceNeuron.TryForward(this, x) ?? (StepMode == StepMode.Multi ? MultiStep(x)
            : x.Rank > 0 && CanFuse(x) && FusedKernel() is { } kernel ? FusedNeuron.Step(this, kernel, x) : SingleStep(x));

    /// <summary>One step: x [N, ...] → spikes [N, ...].</summary>
    public virtual Tensor SingleStep(Tensor x)
    {
        var h = Charge(x);
        HLast = h.Detach();
        var s = Fire(h);
        V = ResetFrom(h, s);
        return s;
    }

    /// <summary>A sequence: x_seq [T, N, ...] → spikes [T, N, ...].</summary>
    public virtual Tensor MultiStep(Tensor xSeq)
    {
        SeqOps.CheckSeq(xSeq, GetType().Name);
        var kernel = CanFuse(xSeq) ? FusedKernel() : null;
        if (kernel is not null) return FusedNeuron.Run(this, kernel, xSeq);
        return StepByStep(xSeq);
    }

    /// <summary>The fused kernels handle Float32 CPU sequences with a spiking (Heaviside) surrogate.</summary>
    protected bool CanFuse(Tensor xSeq) => xSeq.DType == DType.Float32 && xSeq.Device.Kind == DeviceKind.Cpu && SurrogateFunction.Spiking;

    /// <summary>The multi-step result as the composition of single steps (the reference the fused path is tested against).</summary>
    public Tensor StepByStep(Tensor xSeq)
    {
        int T = xSeq.Size(0);
        var spikes = new List<Tensor>(T);
        var vs = new List<Tensor>(T);
        var hs = new List<Tensor>(T);
        for (int t = 0; t < T; t++)
        {
            spikes.Add(SingleStep(xSeq.Select(0, t)));
            if (StoreVSeq) vs.Add(V);
            hs.Add(HLast!);
        }
        VSeq = StoreVSeq ? SeqOps.Stack(vs, GetType().Name) : null;
        HLast = SeqOps.Stack(hs, GetType().Name);
        return SeqOps.Stack(spikes, GetType().Name);
    }

    /// <summary>The threshold as a tensor for h's dtype and device (a 0-d scalar unless per-neuron).</summary>
    protected Tensor ThresholdFor(Tensor h) =>
        VThresholdTensor is { } t ? Raw.ToDevice(Raw.ToDType(t, h.DType), h.Device) : Raw.ScalarFor(VThreshold, h);

    /// <summary>S = Θ(H − Vth) with the surrogate gradient (or the smooth primitive g(H − Vth) when the surrogate is not spiking).</summary>
    protected Tensor Fire(Tensor h) => SurrogateFunction.Forward(h - ThresholdFor(h));

    /// <summary>V after reset, from H and S (hard or soft; S detached here when <see cref="DetachReset"/>).</summary>
    protected Tensor ResetFrom(Tensor h, Tensor s)
    {
        var sd = DetachReset ? s.Detach() : s;
        if (VReset is double vr) return (1 - sd) * h + sd * vr;
        return h - sd * ThresholdFor(h);
    }

    protected override string ExtraRepr() =>
        $"v_threshold={VThreshold}, v_reset={(VReset?.ToString() ?? "None")}, detach_reset={DetachReset}, step_mode={StepMode}, surrogate={SurrogateFunction}";
}
