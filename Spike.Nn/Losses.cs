namespace Spike.Nn;

/// <summary>
/// The losses a spiking network is trained with, as functions of (prediction, target) with torch's reductions
/// (mean by default). Each is one differentiable graph node or a short composition of them.
/// </summary>
public static class Losses
{
    /// <summary>Mean squared error: mean((x − y)²); d/dx = 2(x − y)/n. Shapes broadcast.</summary>
    public static Tensor Mse(Tensor input, Tensor target, Reduction reduction = Reduction.Mean) => input.MseLoss(target, reduction);

    /// <summary>Mean absolute error: mean(|x − y|); d/dx = sign(x − y)/n (0 where x = y, as torch). Shapes broadcast.</summary>
    public static Tensor L1(Tensor input, Tensor target, Reduction reduction = Reduction.Mean)
    {
        var d = (input - target).Abs();
        return reduction switch { Reduction.Mean => d.Mean(), Reduction.Sum => d.Sum(), _ => d };
    }

    /// <summary>
    /// Softmax cross-entropy of logits [N, C, d...] (or [C]). Target: Int64 class indices [N, d...], loss = lse(z) − z_t;
    /// or class probabilities of the logits' shape, loss = −Σ_c y_c·log softmax(z)_c. Mean over positions by default.
    /// d/dz = softmax(z) − y.
    /// </summary>
    public static Tensor CrossEntropy(Tensor logits, Tensor target, Reduction reduction = Reduction.Mean, double labelSmoothing = 0) =>
        logits.CrossEntropy(target, reduction, labelSmoothing);

    /// <summary>Binary cross-entropy of probabilities p ∈ [0, 1]: −(y·ln p + (1 − y)·ln(1 − p)), logs clamped at −100.</summary>
    public static Tensor BinaryCrossEntropy(Tensor p, Tensor target, Reduction reduction = Reduction.Mean) =>
        p.BinaryCrossEntropy(target, reduction: reduction);

    /// <summary>Binary cross-entropy of logits z (stable for any z): −(y·ln σ(z) + (1 − y)·ln(1 − σ(z))); d/dz = σ(z) − y.</summary>
    public static Tensor BinaryCrossEntropyWithLogits(Tensor logits, Tensor target, Reduction reduction = Reduction.Mean) =>
        logits.BinaryCrossEntropyWithLogits(target, reduction: reduction);
}
