namespace Spike.Nn;

/// <summary>The kernel of <see cref="Functional.KernelDotProduct"/>.</summary>
public enum DotKernel
{
    /// <summary>κ(x, y) = x·y.</summary>
    Linear,
    /// <summary>κ(x, y) = (x·y)^d with d the argument.</summary>
    Polynomial,
    /// <summary>κ(x, y) = sigmoid(α·x·y) with α the argument.</summary>
    Sigmoid,
    /// <summary>κ(x, y) = exp(−‖x − y‖² / (2σ²)) with σ the argument.</summary>
    Gaussian,
}

/// <summary>The discrepancy <see cref="Functional.SpikeSimilarLoss"/> measures.</summary>
public enum SimilarityLoss
{
    /// <summary>Mean squared error.</summary>
    Mse,
    /// <summary>Mean absolute error.</summary>
    L1,
    /// <summary>Binary cross-entropy (logs clamped at −100, as torch).</summary>
    Bce,
}

public static partial class Functional
{
    /// <summary>
    /// Kernel inner products of two batches of vectors: x [N, M], y [K, M] → [N, K] with out[i, j] = κ(x_i, y_j) for the
    /// chosen <see cref="DotKernel"/>; <paramref name="arg"/> is d (Polynomial), α (Sigmoid) or σ (Gaussian). The Gaussian
    /// is evaluated as exp(−(‖x_i‖² + ‖y_j‖² − 2x_i·y_j)/(2σ²)), as SpikingJelly. Differentiable in x and y.
    /// </summary>
    public static Tensor KernelDotProduct(Tensor x, Tensor y, DotKernel kernel = DotKernel.Linear, double? arg = null)
    {
        const string op = "kernel_dot_product";
        if (x.Rank != 2 || y.Rank != 2 || x.Size(1) != y.Size(1))
            throw new ArgumentException($"{op}: expects x [N, M] and y [K, M], got {Layout.Fmt(x.Layout.Shape)} and {Layout.Fmt(y.Layout.Shape)}");
        if (kernel != DotKernel.Linear && arg is null) throw new ArgumentException($"{op}: the {kernel} kernel needs its argument (d, α or σ)");
        var xy = x.Matmul(y.T);
        switch (kernel)
        {
            case DotKernel.Linear: return xy;
            case DotKernel.Polynomial: return xy.Pow(arg!.Value);
            case DotKernel.Sigmoid: return (xy * arg!.Value).Sigmoid();
            case DotKernel.Gaussian:
            {
                double sigma = arg!.Value;
                var x2 = (x * x).Sum(1).Unsqueeze(1);   // [N, 1]
                var y2 = (y * y).Sum(1).Unsqueeze(0);   // [1, K]
                var d = x2 + y2 - xy * 2;
                return (-d / (2 * sigma * sigma)).Exp();
            }
            default: throw new ArgumentOutOfRangeException(nameof(kernel), kernel, op);
        }
    }

    /// <summary>
    /// Spike similarity loss: spikes [N, ...] of N samples (flattened to s [N, M]) and multi-hot labels [N, C].
    /// P = κ(s, s) [N, N] (for the linear kernel normalised, P[i, j] = s_i·s_j / (‖s_i‖·‖s_j‖ + 1e-8)); the target
    /// Y = min(labels·labelsᵀ, 1) says which samples share a label; the loss is the mean MSE, L1 or BCE between P and Y.
    /// For the linear kernel with BCE, P is clamped to ≤ 1 first: rounding can put a normalised similarity a hair above 1,
    /// where SpikingJelly's binary_cross_entropy raises (docs/compat.md).
    /// </summary>
    public static Tensor SpikeSimilarLoss(Tensor spikes, Tensor labels, DotKernel kernel = DotKernel.Linear, SimilarityLoss loss = SimilarityLoss.Mse,
        double? arg = null)
    {
        const string op = "spike_similar_loss";
        if (spikes.Rank < 2 || labels.Rank != 2 || labels.Size(0) != spikes.Size(0))
            throw new ArgumentException($"{op}: expects spikes [N, ...] and labels [N, C], got {Layout.Fmt(spikes.Layout.Shape)} and {Layout.Fmt(labels.Layout.Shape)}");
        var s = spikes.Flatten(1);
        var p = KernelDotProduct(s, s, kernel, arg);
        if (kernel == DotKernel.Linear)
        {
            var len = s.Norm(1, keepDim: true);     // [N, 1]
            p = p / (len.Matmul(len.T) + 1e-8);
        }
        var l = labels.To(p.DType);
        var y = l.Matmul(l.T).Clamp(max: 1);
        return loss switch
        {
            SimilarityLoss.Mse => p.MseLoss(y),
            SimilarityLoss.L1 => Losses.L1(p, y),
            SimilarityLoss.Bce => (kernel == DotKernel.Linear ? p.Clamp(max: 1) : p).BinaryCrossEntropy(y),
            _ => throw new ArgumentOutOfRangeException(nameof(loss), loss, op),
        };
    }
}
