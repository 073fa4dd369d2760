namespace Spike.Datasets;

/// <summary>Variable-length sequence utilities (spikingjelly.datasets.pad_sequence_collate, padded_sequence_mask).</summary>
public static class Sequences
{
    /// <summary>
    /// Zero-pads samples <c>[L_i, ...]</c> (same trailing shape and dtype) to <c>[B, max L, ...]</c> (batch first, as
    /// pad_sequence_collate). Returns the padded batch, the labels (Int64 <c>[B]</c>) and the lengths (Int64 <c>[B]</c>).
    /// </summary>
    public static (Tensor X, Tensor Y, Tensor Lengths) PadSequenceCollate(IReadOnlyList<Sample> batch)
    {
        if (batch.Count == 0) throw new ArgumentException("PadSequenceCollate: empty batch");
        var first = batch[0].X;
        if (first.Rank == 0) throw new ArgumentException("PadSequenceCollate: samples must have a leading length axis, got a 0-d tensor");
        var lengths = new long[batch.Count];
        var labels = new long[batch.Count];
        int maxLen = 0;
        for (int i = 0; i < batch.Count; i++)
        {
            var x = batch[i].X;
            if (x.DType != first.DType || x.Rank != first.Rank || !x.Shape.AsSpan()[1..].SequenceEqual(first.Shape.AsSpan()[1..]))
                throw new ArgumentException($"PadSequenceCollate: sample {i} is {x.DType} [{string.Join(", ", x.Shape)}], sample 0 is {first.DType} [{string.Join(", ", first.Shape)}]; trailing shapes and dtypes must match");
            lengths[i] = x.Shape[0];
            labels[i] = batch[i].Label;
            maxLen = Math.Max(maxLen, x.Shape[0]);
        }
        int[] shape = [batch.Count, maxLen, .. first.Shape.AsSpan()[1..]];
        var outT = Tensor.Zeros(shape, first.DType);
        for (int i = 0; i < batch.Count; i++)
        {
            var x = batch[i].X;
            if (x.Shape[0] == 0) continue;
            Raw.CopyInto(x, Raw.Narrow(Raw.Select(outT, 0, i), 0, 0, x.Shape[0]));
        }
        return (outT, Tensor.FromArray(labels), Tensor.FromArray(lengths));
    }

    /// <summary>
    /// Bool <c>[T, N]</c> with <c>mask[t, n] = t &lt; len[n]</c>; T defaults to <c>max(len)</c> (padded_sequence_mask).
    /// </summary>
    public static Tensor PaddedSequenceMask(IReadOnlyList<long> lengths, int? t = null)
    {
        int T = t ?? (lengths.Count == 0 ? 0 : (int)lengths.Max());
        if (T < 0) throw new ArgumentOutOfRangeException(nameof(t), $"PaddedSequenceMask: T must be ≥ 0, got {T}");
        int n = lengths.Count;
        var mask = new bool[T * n];
        for (int ti = 0; ti < T; ti++)
            for (int j = 0; j < n; j++)
                mask[ti * n + j] = ti < lengths[j];
        return Tensor.FromArray(mask, T, n);
    }

    /// <summary>Overload taking an integer tensor of lengths <c>[N]</c>.</summary>
    public static Tensor PaddedSequenceMask(Tensor lengths, int? t = null) =>
        PaddedSequenceMask(Raw.ToDType(lengths, DType.Int64).ToArray<long>(), t);
}
