namespace Spike.Nn;

/// <summary>
/// Temporal-wise attention (Yao et al. 2021, "Temporal-Wise Attention Spiking Neural Networks for Event Streams
/// Classification"; SpikingJelly's <c>MultiStepTemporalWiseAttention</c>), placed between a layer and its spiking neurons.
/// For x_seq [T, N, ...] (dimension 2: [T, N, L]; dimension 4: [T, N, C, H, W]) and each sample n:
/// <code>
/// a[n, t] = mean of x_seq[t, n, ...],  m[n, t] = max of x_seq[t, n, ...]
/// score[n] = sigmoid(MLP(a[n]) + MLP(m[n])),  MLP = Linear(T, T/r, no bias) → ReLU → Linear(T/r, T, no bias)
/// y[t, n, ...] = x_seq[t, n, ...]·score[n, t]
/// </code>
/// The shared MLP is the child "sharedMLP" (weights "sharedMLP.0.weight" and "sharedMLP.2.weight", torch's initialisation).
/// Inherently multi step, so it has no step mode; T is fixed by the MLP.
/// </summary>
public class TemporalWiseAttention : Module
{
    public TemporalWiseAttention(int t, int reduction = 16, int dimension = 4, Generator? generator = null)
    {
        if (dimension is not (2 or 4)) throw new ArgumentOutOfRangeException(nameof(dimension), $"{GetType().Name}: dimension must be 2 or 4, got {dimension}");
        if (reduction < 1 || t < reduction) throw new ArgumentOutOfRangeException(nameof(reduction), $"{GetType().Name}: reduction={reduction} must lie in [1, T={t}]");
        (T, Reduction, Dimension) = (t, reduction, dimension);
        SharedMLP = RegisterModule("sharedMLP", new Sequential(
            new Linear(t, t / reduction, bias: false, generator: generator),
            new ReLU(),
            new Linear(t / reduction, t, bias: false, generator: generator)));
    }

    public int T { get; }
    public int Reduction { get; }

    /// <summary>2 for [T, N, L] inputs, 4 for [T, N, C, H, W].</summary>
    public int Dimension { get; }

    public Sequential SharedMLP { get; }

    protected override Tensor OnForward(Tensor xSeq)
    {
        if (xSeq.Rank != Dimension + 1 || xSeq.Size(0) != T)
            throw new ArgumentException($"{GetType().Name}: expected [T={T}, N, ...] of rank {Dimension + 1} (dimension={Dimension}), got shape {Layout.Fmt(xSeq.Layout.Shape)}");
        int[] pooled = [.. Enumerable.Range(2, Dimension - 1)];
        var avg = xSeq.Mean(pooled).T;                                   // [N, T]
        var max = xSeq.Amax(pooled).T;
        var score = (SharedMLP.Forward(avg) + SharedMLP.Forward(max)).Sigmoid().T; // [T, N]
        return xSeq * score.Reshape([T, xSeq.Size(1), .. Enumerable.Repeat(1, Dimension - 1)]);
    }

    protected override string ExtraRepr() => $"T={T}, reduction={Reduction}, dimension={Dimension}";
}

/// <summary>Seed-era name of <see cref="TemporalWiseAttention"/>.</summary>
public sealed class MultiStepTemporalWiseAttention(int t, int reduction = 16, int dimension = 4, Generator? generator = null)
    : TemporalWiseAttention(t, reduction, dimension, generator);
