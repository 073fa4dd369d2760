namespace Spike;

public partial interface IBackend
{
    // Class-axis losses see the input as [N, C, S] contiguous (S = product of the axes after C) and work per
    // position (n, s): loss, lse and gradLoss are [N, S] contiguous. Class targets are Int64 [N, S]; a position whose
    // target equals ignoreIndex gets loss 0 and gradient 0. Any other target outside [0, C) throws.

    /// <summary>
    /// Fused log-softmax + negative log-likelihood: lse = log Σ_c e^{z_c} (max-shifted). Class targets t:
    /// loss = (1 − ε)(lse − z_t) + ε(lse − mean_c z_c). Probability targets y (floating [N, C, S]), y' = (1 − ε)y + ε/C:
    /// loss = Σ_c y'_c (lse − z_c). ε = labelSmoothing. Class weights w [C] (null = all 1) scale each class term:
    /// w_t(lse − z_t), Σ_c w_c(lse − z_c), y'_c·w_c. targetWeight (class targets, may be null) receives w_t per position
    /// (0 where ignored): the weighted mean's divisor.
    /// </summary>
    void CrossEntropy(Tensor logits, Tensor target, Tensor? weight, Tensor loss, Tensor lse, Tensor? targetWeight,
        double labelSmoothing, long ignoreIndex);

    /// <summary>
    /// gradLogits = gradLoss·(softmax − (1 − ε)·onehot(t) − ε/C) for class targets, gradLoss·(softmax·Σy' − y') for
    /// probability targets (unweighted forms; see the CPU kernel for the weighted ones); gradTarget (probability targets
    /// only, may be null) = gradLoss·(1 − ε)·w·(lse − z).
    /// </summary>
    void CrossEntropyBackward(Tensor logits, Tensor target, Tensor? weight, Tensor lse, Tensor gradLoss, Tensor gradLogits,
        Tensor? gradTarget, double labelSmoothing, long ignoreIndex);

    /// <summary>loss[n, s] = −w_t·input[n, t, s]; targetWeight (may be null) receives w_t (0 where ignored).</summary>
    void NllLoss(Tensor input, Tensor target, Tensor? weight, Tensor loss, Tensor? targetWeight, long ignoreIndex);

    /// <summary>gradInput (overwritten) = −w_t·gradLoss at [n, t, s], 0 elsewhere.</summary>
    void NllLossBackward(Tensor gradLoss, Tensor target, Tensor? weight, Tensor gradInput, long ignoreIndex);

    /// <summary>
    /// Elementwise over equal-shape operands: loss = −(y·max(ln p, −100) + (1 − y)·max(ln(1 − p), −100)), the clamp
    /// PyTorch uses so p = 0 or 1 stays finite. Throws if any p lies outside [0, 1].
    /// </summary>
    void BinaryCrossEntropy(Tensor p, Tensor y, Tensor loss);
}
