namespace Spike.Nn;

/// <summary>
/// A stateful module with a step mode (SpikingJelly's <c>MemoryModule</c> with <c>step_mode</c>): <see cref="SingleStep"/>
/// maps one step x [N, ...] to y [N, ...] and updates the memories. In <see cref="StepMode.Multi"/> a call takes
/// x_seq [T, N, ...] and runs <see cref="MultiStep"/>, which by default applies SingleStep for t = 0 … T−1 (state carried
/// from step to step, and on into the next call) and stacks the outputs to [T, N, ...]. Forward hooks see the whole call.
/// </summary>
public abstract class MemoryModule(StepMode stepMode) : Module, IStepModule
{
    public StepMode StepMode { get; set; } = stepMode;

    /// <summary>One step: x [N, ...] → y [N, ...], updating the state.</summary>
    protected abstract Tensor SingleStep(Tensor x);

    /// <summary>A sequence: y_seq[t] = SingleStep(x_seq[t]) for t in 0..T−1, stacked along a new axis 0.</summary>
    protected virtual Tensor MultiStep(Tensor xSeq)
    {
        if (xSeq.Rank < 1) throw new ArgumentException($"{GetType().Name}: multi-step input must be [T, N, ...], got shape {Layout.Fmt(xSeq.Layout.Shape)}");
        var ys = new List<Tensor>(xSeq.Size(0));
        for (int t = 0; t < xSeq.Size(0); t++) ys.Add(SingleStep(xSeq.Select(0, t)));
        return SeqOps.Stack(ys, GetType().Name);
    }

    protected override Tensor OnForward(Tensor x) => StepMode == StepMode.Single ? SingleStep(x) : MultiStep(x);
}
