namespace Spike;

public partial interface IBackend
{
    // Batch norm kernels see x as [N, C, S] contiguous (S = product of the axes after C, 1 for [N, C]);
    // per-channel vectors are [C] contiguous in x's dtype. Sums are accumulated in double.

    /// <summary>mean[c] = Σ x / M, var[c] = Σ (x − mean)² / M over the N·S values of channel c (biased, two passes).</summary>
    void BatchNormStats(Tensor x, Tensor mean, Tensor var);

    /// <summary>y = (x − mean[c])·invstd[c]·weight[c] + bias[c]; a null weight is 1, a null bias 0.</summary>
    void BatchNormApply(Tensor x, Tensor mean, Tensor invstd, Tensor? weight, Tensor? bias, Tensor y);

    /// <summary>
    /// Gradients of <see cref="BatchNormApply"/> given dy. With batch statistics (training) x̂ = (x − μ)·σ⁻¹ and
    /// dx = w·σ⁻¹·(dy − mean(dy) − x̂·mean(dy·x̂)); with fixed statistics dx = w·σ⁻¹·dy. Always
    /// dweight = Σ dy·x̂, dbias = Σ dy. Null destinations are skipped.
    /// </summary>
    void BatchNormBackward(Tensor gradOut, Tensor x, Tensor mean, Tensor invstd, Tensor? weight, bool batchStats,
        Tensor? gradIn, Tensor? gradWeight, Tensor? gradBias);
}
