namespace Spike;

/// <summary>The neuron models with fused multi-step kernels (SpikingJelly's IF, LIF, PLIF, QIF, EIF and Izhikevich nodes).</summary>
public enum NeuronModel { If, Lif, ParametricLif, Qif, Eif, Izhikevich }

/// <summary>Surrogate gradients a device evaluates natively; <see cref="Expression"/> is a user-defined derivative.</summary>
public enum SurrogateKind
{
    Sigmoid, ATan, Erf, SoftSign, PiecewiseQuadratic, PiecewiseExp, NonzeroSignLogAbs, PiecewiseLeakyReLU,
    SquarewaveFourierSeries, S2NN, QPseudoSpike, Expression,
}

/// <summary>
/// A surrogate derivative g'(x) for the fused kernels: a built-in kind with its parameters (α, β; PiecewiseLeakyReLU:
/// α = w, β = c; SquarewaveFourierSeries: α = n, β = T; S2NN: α, β), or <see cref="SurrogateKind.Expression"/> with
/// <paramref name="Expression"/>, a C expression in <c>float x, alpha, beta</c> (e.g. <c>alpha / (1.0f + x * x)</c>).
/// </summary>
public sealed record SurrogateSpec(SurrogateKind Kind, double Alpha, double Beta = 0, string? Expression = null);

/// <summary>
/// One neuron configuration, as the fused kernels see it (Charge / Fire / Reset, DESIGN §4). VReset null is soft reset.
/// Model parameters unused by a model are ignored: Tau (LIF, QIF, EIF, Izhikevich), DecayInput (LIF, PLIF), A0, VRest,
/// VC (QIF, Izhikevich; VRest also EIF), DeltaT and ThetaRh (EIF), TauW, A, B (Izhikevich). PLIF's decay k = sigmoid(w)
/// is a tensor (its gradient is an output), not a field.
/// </summary>
public sealed record NeuronSpec(NeuronModel Model, SurrogateSpec Surrogate, double VThreshold = 1, double? VReset = 0, bool DetachReset = false,
    double Tau = 2, bool DecayInput = true, double A0 = 1, double VRest = 0, double VC = 0.8, double DeltaT = 1, double ThetaRh = 0.8,
    double TauW = 2, double A = 0, double B = 0);

/// <summary>
/// Fused forward over T. Float32, contiguous: XSeq [T, M]; VInit [M]; WInit [M] (Izhikevich only); Threshold [M] or
/// null (spec.VThreshold); Decay: PLIF's k as one element. Outputs: Spikes, HSeq (saved for backward: the only
/// per-step state kept) [T, M]; VSeq [T, M] or null; VLast, WLast (Izhikevich) [M].
/// </summary>
public sealed record NeuronForwardArgs(Tensor XSeq, Tensor VInit, Tensor? WInit, Tensor? Threshold, Tensor? Decay,
    Tensor Spikes, Tensor HSeq, Tensor? VSeq, Tensor VLast, Tensor? WLast);

/// <summary>
/// Backward through time from HSeq alone. GradSpikes [T, M]; GradVSeq [T, M], GradVLast, GradWLast [M] (each may be
/// null); HSeq, VInit, Threshold, Decay as in the forward. Outputs (null to skip): GradX [T, M]; GradVInit, GradWInit
/// [M]; GradDecay (one element) = Σ over neurons and steps of ∂L/∂H·∂H/∂k.
/// </summary>
public sealed record NeuronBackwardArgs(Tensor GradSpikes, Tensor? GradVSeq, Tensor? GradVLast, Tensor? GradWLast, Tensor HSeq,
    Tensor VInit, Tensor? Threshold, Tensor? Decay, Tensor GradX, Tensor? GradVInit, Tensor? GradWInit, Tensor? GradDecay);

/// <summary>One step in place: X [M]; V [M] holds V[t−1] and receives V[t]; W likewise (Izhikevich); Spikes [M];
/// H [M] or null receives H[t].</summary>
public sealed record NeuronStepArgs(Tensor X, Tensor V, Tensor? W, Tensor? Threshold, Tensor? Decay, Tensor Spikes, Tensor? H);

/// <summary>
/// The spiking kernels, the second contract of DESIGN §3: fused neurons. A backend that implements it runs Spike.Nn's
/// neurons fused on its device; the CPU's fused neurons live in Spike.Nn (FusedNeuron) for now. Poisson encoding and
/// the spike-sparse product are members of <see cref="IBackend"/> itself, with dense defaults, since every backend
/// has them.
/// </summary>
public interface ISpikingBackend
{
    void NeuronForward(NeuronSpec spec, NeuronForwardArgs args);

    void NeuronBackward(NeuronSpec spec, NeuronBackwardArgs args);

    void NeuronStep(NeuronSpec spec, NeuronStepArgs args);
}
