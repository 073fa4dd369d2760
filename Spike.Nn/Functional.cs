namespace Spike.Nn;

/// <summary>Whole-network helpers (SpikingJelly's <c>clock_driven.functional</c>).</summary>
public static partial class Functional
{
    /// <summary>Resets the memories (neuron potentials, encoder phases, …) of every module in the tree.</summary>
    public static void ResetNet(Module net)
    {
        foreach (var m in net.Modules()) m.Reset();
    }

    /// <summary>Sets <see cref="StepMode"/> on every step-aware module of the tree, except inside an
    /// <see cref="IStepModeContainer"/> (a MultiStepContainer's neurons stay single step, for instance).</summary>
    public static void SetStepMode(Module net, StepMode mode)
    {
        if (net is IStepModule s) s.StepMode = mode;
        if (net is IStepModeContainer) return;
        foreach (var child in net.Children()) SetStepMode(child, mode);
    }

    /// <summary>Detaches every memory of the tree from the graph (truncated BPTT); values are kept.</summary>
    public static void DetachNet(Module net)
    {
        foreach (var m in net.Modules()) m.DetachState();
    }

    /// <summary>y_seq[t] = f(x_seq[t]) for t in 0..T−1, stacked: [T, N, ...] → [T, N, ...out].</summary>
    public static Tensor MultiStepForward(Tensor xSeq, Module f)
    {
        SeqOps.CheckSeq(xSeq, "multi_step_forward");
        var ys = new List<Tensor>(xSeq.Size(0));
        for (int t = 0; t < xSeq.Size(0); t++) ys.Add(f.Forward(xSeq.Select(0, t)));
        return SeqOps.Stack(ys, "multi_step_forward");
    }

    /// <summary>y = f(x_seq.flatten(0, 1)).view(T, N, ...out): [T, N, ...] → [T, N, ...out].</summary>
    public static Tensor SeqToAnnForward(Tensor xSeq, Module f)
    {
        if (xSeq.Rank < 2) throw new ArgumentException($"seq_to_ann_forward: input must be [T, N, ...], got shape {Layout.Fmt(xSeq.Layout.Shape)}");
        int t = xSeq.Size(0), n = xSeq.Size(1);
        var y = f.Forward(xSeq.Flatten(0, 1));
        if (y.Rank < 1 || y.Size(0) != t * n)
            throw new InvalidOperationException($"seq_to_ann_forward: {f.GetType().Name} returned shape {Layout.Fmt(y.Layout.Shape)}, expected a leading axis of T·N = {t * n}");
        return y.Reshape([t, n, .. y.Layout.Shape[1..]]);
    }
}
