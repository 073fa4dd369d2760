namespace Spike;

/// <summary>Joining, splitting and padding: built on views and <see cref="CopyInto"/>, so no backend needs new kernels.</summary>
public static partial class Raw
{
    /// <summary>Concatenates along axis (torch.cat): equal shapes off the axis, dtypes promoted.</summary>
    public static Tensor Cat(Tensor[] tensors, int axis = 0)
    {
        const string op = "cat";
        if (tensors.Length == 0) throw new ArgumentException($"{op}: expects at least one tensor");
        var first = tensors[0];
        if (first.Rank == 0) throw new ArgumentException($"{op}: zero-dimensional tensor 0 cannot be concatenated; unsqueeze it first");
        int a = Layout.Axis(axis, first.Rank, op);
        var dtype = first.DType;
        int total = 0;
        for (int k = 0; k < tensors.Length; k++)
        {
            var t = tensors[k];
            CheckSameDevice(op, first, t);
            bool ok = t.Rank == first.Rank;
            for (int d = 0; ok && d < t.Rank; d++) ok = d == a || t.Layout.Shape[d] == first.Layout.Shape[d];
            if (!ok)
                throw new ArgumentException($"{op}: tensor {k} has shape {Layout.Fmt(t.Layout.Shape)} but tensor 0 has shape {Layout.Fmt(first.Layout.Shape)}; sizes must match except along axis {a}");
            dtype = DTypes.Promote(dtype, t.DType);
            total += t.Layout.Shape[a];
        }
        var shape = (int[])first.Layout.Shape.Clone();
        shape[a] = total;
        var dst = Empty(shape, dtype, first.Device);
        int start = 0;
        foreach (var t in tensors)
        {
            int n = t.Layout.Shape[a];
            if (n > 0) CopyInto(t, Narrow(dst, a, start, n));
            start += n;
        }
        return dst;
    }

    /// <summary>Joins equal-shaped tensors along a new axis (torch.stack); axis may be 0..rank.</summary>
    public static Tensor Stack(Tensor[] tensors, int axis = 0)
    {
        const string op = "stack";
        if (tensors.Length == 0) throw new ArgumentException($"{op}: expects at least one tensor");
        var first = tensors[0];
        int a = Layout.Axis(axis, first.Rank + 1, op);
        for (int k = 1; k < tensors.Length; k++)
            if (!tensors[k].Layout.Shape.AsSpan().SequenceEqual(first.Layout.Shape))
                throw new ArgumentException($"{op}: tensor {k} has shape {Layout.Fmt(tensors[k].Layout.Shape)} but tensor 0 has shape {Layout.Fmt(first.Layout.Shape)}; all must be equal");
        return Cat(tensors.Select(t => Unsqueeze(t, a)).ToArray(), a);
    }

    /// <summary>The (start, length) pieces of an axis of size <paramref name="size"/> cut by explicit sizes that sum to it.</summary>
    public static (int Start, int Length)[] SplitSections(int[] sizes, int size, string op, int[] shape, int axis)
    {
        if (sizes.Any(s => s < 0) || sizes.Sum() != size)
            throw new ArgumentException($"{op}: sizes [{string.Join(", ", sizes)}] must be non-negative and sum to {size}, the size of axis {axis} of shape {Layout.Fmt(shape)}");
        var r = new (int, int)[sizes.Length];
        for (int i = 0, s = 0; i < sizes.Length; s += sizes[i], i++) r[i] = (s, sizes[i]);
        return r;
    }

    /// <summary>Pieces of <paramref name="chunk"/> elements (the last one smaller), as torch.split with an int.</summary>
    public static (int Start, int Length)[] SplitEvery(int chunk, int size, string op, int[] shape, int axis)
    {
        if (chunk <= 0) throw new ArgumentException($"{op}: split size {chunk} must be positive (axis {axis} of shape {Layout.Fmt(shape)})");
        if (size == 0) return [(0, 0)];
        var r = new List<(int, int)>();
        for (int s = 0; s < size; s += chunk) r.Add((s, Math.Min(chunk, size - s)));
        return [.. r];
    }

    /// <summary>torch.chunk: pieces of ceil(size / n) elements, so there may be fewer than n.</summary>
    public static (int Start, int Length)[] ChunkSections(int n, int size, string op, int[] shape, int axis)
    {
        if (n <= 0) throw new ArgumentException($"{op}: number of chunks {n} must be positive (axis {axis} of shape {Layout.Fmt(shape)})");
        return SplitEvery(Math.Max(1, (size + n - 1) / n), size, op, shape, axis);
    }

    /// <summary>Constant padding in PyTorch's order: pads = (left, right) for the last axis, then the one before, ...
    /// Negative pads crop. out.size(d) = x.size(d) + left + right.</summary>
    public static Tensor Pad(Tensor x, int[] pads, double value = 0)
    {
        const string op = "pad";
        if (pads.Length % 2 != 0 || pads.Length / 2 > x.Rank)
            throw new ArgumentException($"{op}: {pads.Length} pad values for shape {Layout.Fmt(x.Layout.Shape)}; expected (left, right) pairs for at most {x.Rank} axes");
        var shape = (int[])x.Layout.Shape.Clone();
        var src = x;
        var starts = new int[x.Rank];
        for (int p = 0; p < pads.Length / 2; p++)
        {
            int d = x.Rank - 1 - p, left = pads[2 * p], right = pads[2 * p + 1];
            long size = (long)shape[d] + left + right;
            if (size < 0)
                throw new ArgumentException($"{op}: pads ({left}, {right}) on axis {d} of shape {Layout.Fmt(x.Layout.Shape)} give a negative size {size}");
            // Negative pads crop the source; positive ones shift where it lands.
            int cropL = Math.Max(0, -left), cropR = Math.Max(0, -right);
            int keep = Math.Max(0, shape[d] - cropL - cropR);
            src = Narrow(src, d, Math.Min(cropL, shape[d]), keep);
            starts[d] = Math.Max(0, left);
            shape[d] = (int)size;
        }
        var dst = Empty(shape, x.DType, x.Device);
        Fill(dst, value);
        if (src.Numel > 0)
        {
            var region = dst;
            for (int d = 0; d < x.Rank; d++) region = Narrow(region, d, starts[d], src.Layout.Shape[d]);
            CopyInto(src, region);
        }
        return dst;
    }

    /// <summary>torch.Tensor.repeat: tiles x times[d] along each axis (leading extra axes are new).</summary>
    public static Tensor Repeat(Tensor x, params int[] times) => Reshape(RepeatView(x, times), RepeatShape(x, times));

    /// <summary>x as [t0, s0, t1, s1, ...] with stride 0 on the t axes; reshaping it to <see cref="RepeatShape"/> tiles.</summary>
    public static Tensor RepeatView(Tensor x, int[] times)
    {
        if (times.Length < x.Rank)
            throw new ArgumentException($"repeat: {times.Length} repeat counts for shape {Layout.Fmt(x.Layout.Shape)}; need at least one per axis");
        if (times.Any(t => t < 0)) throw new ArgumentException($"repeat: counts [{string.Join(", ", times)}] must be non-negative");
        var padded = Enumerable.Repeat(1, times.Length - x.Rank).Concat(x.Layout.Shape).ToArray();
        var interleaved = padded.SelectMany(s => new[] { 1, s }).ToArray();
        var expanded = padded.SelectMany((s, i) => new[] { times[i], s }).ToArray();
        return Expand(Reshape(x, interleaved), expanded);
    }

    public static int[] RepeatShape(Tensor x, int[] times)
    {
        var padded = Enumerable.Repeat(1, times.Length - x.Rank).Concat(x.Layout.Shape).ToArray();
        return padded.Select((s, i) => checked(s * times[i])).ToArray();
    }
}
