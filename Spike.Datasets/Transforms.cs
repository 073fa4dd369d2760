namespace Spike.Datasets;

/// <summary>
/// Keeps <c>TRemain</c> randomly chosen time steps (without replacement, in time order) of a sequence
/// (spikingjelly.datasets.RandomTemporalDelete). The time axis is 1 when <c>batchFirst</c> (<c>[N, T, ...]</c>),
/// else 0 (<c>[T, ...]</c>); every sample of a batch keeps the same steps. Seeded by <c>seed</c> (System.Random),
/// so the chosen steps differ from NumPy's for the same seed; only the properties are the same.
/// </summary>
public sealed class RandomTemporalDelete(int tRemain, bool batchFirst, int seed = 0)
{
    private readonly Random _rng = new(seed);
    public int TRemain { get; } = tRemain;
    public bool BatchFirst { get; } = batchFirst;

    /// <summary>The sorted time indices kept for a sequence of <paramref name="t"/> steps.</summary>
    public int[] DrawIndices(int t)
    {
        if (TRemain > t || TRemain < 0) throw new ArgumentException($"RandomTemporalDelete: cannot keep {TRemain} of {t} time steps");
        var all = Enumerable.Range(0, t).ToArray();
        // Partial Fisher–Yates: the first TRemain slots are a uniform sample without replacement.
        for (int i = 0; i < TRemain; i++)
        {
            int j = i + _rng.Next(t - i);
            (all[i], all[j]) = (all[j], all[i]);
        }
        var kept = all[..TRemain];
        Array.Sort(kept);
        return kept;
    }

    /// <summary>x_seq: <c>[T, ...]</c> or <c>[N, T, ...]</c> → the same with T replaced by TRemain.</summary>
    public Tensor Apply(Tensor x)
    {
        int axis = BatchFirst ? 1 : 0;
        if (x.Rank <= axis) throw new ArgumentException($"RandomTemporalDelete: input of shape [{string.Join(", ", x.Shape)}] has no time axis {axis}");
        var kept = DrawIndices(x.Shape[axis]);
        int[] shape = [.. x.Shape];
        shape[axis] = TRemain;
        var y = Raw.Empty(shape, x.DType, x.Device);
        for (int i = 0; i < kept.Length; i++)
            Raw.CopyInto(Raw.Narrow(x, axis, kept[i], 1), Raw.Narrow(y, axis, i, 1));
        return y;
    }
}
