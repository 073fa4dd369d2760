namespace Spike.Nn.EventDriven;

/// <summary>
/// Gaussian receptive-field encoding of real values into spike times (Bohte et al. 2002; SpikingJelly's
/// <c>event_driven.encoding.GaussianTuning</c>). Each of n features is covered by m &gt; 2 Gaussians, j = 1 … m:
/// <code>
/// μ[i, j]  = x_min[i] + (2j − 3)/2 · (x_max[i] − x_min[i]) / (m − 2)
/// σ²[i, j] = ((x_max[i] − x_min[i]) / (1.5·(m − 2)))²
/// t        = round(max_spike_time · (1 − exp(−(x − μ)² / (2σ²))))   (half to even); t ≥ max_spike_time → −1 (no spike)
/// </code>
/// A value near a Gaussian's centre makes that neuron fire early. Float32 arithmetic in SpikingJelly's order, so the
/// rounding to whole time steps matches it.
/// </summary>
public sealed class GaussianTuning
{
    /// <param name="n">Number of features.</param>
    /// <param name="m">Neurons (Gaussians) per feature, more than 2.</param>
    /// <param name="xMin">Smallest value of each feature, [n].</param>
    /// <param name="xMax">Largest value of each feature, [n].</param>
    public GaussianTuning(int n, int m, Tensor xMin, Tensor xMax)
    {
        if (m <= 2) throw new ArgumentOutOfRangeException(nameof(m), $"GaussianTuning: m={m} must exceed 2");
        foreach (var (name, t) in new[] { ("x_min", xMin), ("x_max", xMax) })
            if (t.Rank != 1 || t.Size(0) != n || !t.DType.IsFloating())
                throw new ArgumentException($"GaussianTuning: {name} must be floating [n={n}], got {t.DType} of shape {Layout.Fmt(t.Layout.Shape)}");
        (N, M) = (n, m);
        using var _ = Autograd.NoGrad();
        var j = Tensor.Arange(1, m + 1, 1, xMin.DType).To(xMin.Device).Unsqueeze(0);   // [1, m]
        var range = (xMax - xMin).Unsqueeze(-1);                                        // [n, 1]
        Mu = xMin.Unsqueeze(-1) + (j * 2.0 - 3.0) / 2.0 * range / (m - 2);
        var sigma = (xMax - xMin) * (1 / 1.5) / (m - 2);
        Sigma2 = (sigma * sigma).Unsqueeze(-1).Repeat(1, m);
    }

    public int N { get; }
    public int M { get; }

    /// <summary>Centres μ, [n, m].</summary>
    public Tensor Mu { get; }

    /// <summary>Variances σ², [n, m].</summary>
    public Tensor Sigma2 { get; }

    /// <summary>Spike times [B, n, k, m] (−1 = no spike) for x [B, n, k]: k values of each of the n features.</summary>
    public Tensor Encode(Tensor x, int maxSpikeTime = 50)
    {
        if (x.Rank != 3 || x.Size(1) != N || x.DType != Mu.DType)
            throw new ArgumentException($"GaussianTuning: x must be {Mu.DType} [B, n={N}, k], got {x.DType} of shape {Layout.Fmt(x.Layout.Shape)}");
        using var _ = Autograd.NoGrad();
        var d = x.Unsqueeze(-1) - Mu.Unsqueeze(1);                  // [B, n, k, m]
        var y = (-(d * d) / 2.0 / Sigma2.Unsqueeze(1)).Exp();
        var t = ((1.0 - y) * maxSpikeTime).Round();
        return Tensor.Where(t.Ge(maxSpikeTime), Tensor.FullLike(t, -1), t);
    }
}
