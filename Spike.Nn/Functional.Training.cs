namespace Spike.Nn;

public static partial class Functional
{
    /// <summary>
    /// The temporal efficient training (TET) loss (Deng et al. 2022): the cross-entropy of every time step's logits,
    /// averaged over time: L = (1/T)·Σ_t CE(x_seq[t], target). x_seq: [T, N, C, d...] (classes on axis 2);
    /// target: Int64 class indices [N, d...], the same for every t.
    /// </summary>
    public static Tensor TemporalEfficientTrainingCrossEntropy(Tensor xSeq, Tensor target)
    {
        const string op = "temporal_efficient_training_cross_entropy";
        if (xSeq.Rank < 3 || target.Rank != xSeq.Rank - 2 || target.Size(0) != xSeq.Size(1))
            throw new ArgumentException($"{op}: expects x_seq [T, N, C, ...] and target [N, ...], got {Layout.Fmt(xSeq.Layout.Shape)} and {Layout.Fmt(target.Layout.Shape)}");
        int t = xSeq.Size(0);
        // [T, N, C, d...] → [N, C, T, d...] against the target repeated over T: one cross-entropy averaging all N·T·d positions.
        var logits = xSeq.Transpose(0, 1).Transpose(1, 2).Contiguous();
        var repeated = Raw.Contiguous(Raw.Expand(Raw.Unsqueeze(target, 1), [target.Size(0), t, .. target.Shape[1..]]));
        return logits.CrossEntropy(repeated);
    }

    /// <summary>
    /// Mean squared error between any tensor x and a spike tensor s of the same shape (SpikingJelly's
    /// <c>spike_mse_loss</c>): L = mean(x² + (1 − 2x)·s), which equals mean((x − s)²) for s ∈ {0, 1}. The graph follows
    /// this form, so ∂L/∂x = (2x − 2s)/n as for the plain MSE, while ∂L/∂s = (1 − 2x)/n differs from the plain MSE's
    /// (2s − 2x)/n, as upstream documents.
    /// </summary>
    public static Tensor SpikeMseLoss(Tensor x, Tensor spikes)
    {
        if (!x.Shape.SequenceEqual(spikes.Shape))
            throw new ArgumentException($"spike_mse_loss: x {Layout.Fmt(x.Layout.Shape)} and spikes {Layout.Fmt(spikes.Layout.Shape)} must have the same shape");
        var s = spikes.DType == x.DType ? spikes : spikes.To(x.DType);
        return (x * x + (1.0 - 2.0 * x) * s).Mean();
    }

    /// <summary>
    /// Re-initialises the weight (not the bias) of every Linear, Conv1d and Conv2d in the tree with torch's
    /// kaiming_normal_ defaults: N(0, 2/fan_in), fan_in = in_features or in_channels/groups·kernel size (SpikingJelly's
    /// <c>kaiming_normal_conv_linear_weight</c>). Draws from <paramref name="generator"/> (the default generator when null).
    /// </summary>
    public static void KaimingNormalConvLinearWeight(Module net, Generator? generator = null)
    {
        foreach (var m in net.Modules())
        {
            var w = m switch { Linear l => l.Weight, Conv2d c => c.Weight, Conv1d c => c.Weight, _ => null };
            if (w is null) continue;
            int fanIn = w.Numel / w.Size(0);
            Raw.CopyInto(Raw.ToDevice(Raw.ToDType(Init.KaimingNormal([.. w.Shape], fanIn, generator), w.DType), w.Device), w);
        }
    }
}
