namespace Spike;

/// <summary>
/// Shape, strides (in elements) and offset into a storage. Immutable: every view op returns a new layout
/// over the same storage. Strides may be 0 (broadcast) but never negative.
/// </summary>
public sealed class Layout
{
    public int[] Shape { get; }
    public int[] Strides { get; }
    public int Offset { get; }
    public int Rank => Shape.Length;
    public int Numel { get; }

    public Layout(int[] shape, int[] strides, int offset)
    {
        if (shape.Length != strides.Length)
            throw new ArgumentException($"layout: shape {Fmt(shape)} and strides {Fmt(strides)} differ in rank");
        Shape = shape;
        Strides = strides;
        Offset = offset;
        Numel = NumelOf(shape);
    }

    public static Layout Contiguous(int[] shape) => new(shape, ContiguousStrides(shape), 0);

    public static int[] ContiguousStrides(int[] shape)
    {
        var s = new int[shape.Length];
        int acc = 1;
        for (int i = shape.Length - 1; i >= 0; i--) { s[i] = acc; acc *= shape[i]; }
        return s;
    }

    public static int NumelOf(ReadOnlySpan<int> shape)
    {
        long n = 1;
        foreach (var d in shape)
        {
            if (d < 0) throw new ArgumentException($"shape {Fmt(shape.ToArray())} has a negative size");
            n *= d;
            if (n > Array.MaxLength) throw new ArgumentException($"shape {Fmt(shape.ToArray())} has more elements than one array can hold");
        }
        return (int)n;
    }

    /// <summary>Row-major contiguous from <see cref="Offset"/> (size-1 dims may have any stride).</summary>
    public bool IsContiguous
    {
        get
        {
            int expected = 1;
            for (int i = Rank - 1; i >= 0; i--)
            {
                if (Shape[i] == 1) continue;
                if (Strides[i] != expected) return false;
                expected *= Shape[i];
            }
            return true;
        }
    }

    /// <summary>Normalises a possibly negative axis and checks its range. As in PyTorch, a 0-d tensor accepts axis 0
    /// (or −1) for ops that treat it as one element (reductions, softmax, squeeze, flip); callers handle rank 0.</summary>
    public static int Axis(int axis, int rank, string op)
    {
        int size = Math.Max(rank, 1);
        int a = axis < 0 ? axis + size : axis;
        if (a < 0 || a >= size)
            throw new ArgumentOutOfRangeException(nameof(axis), $"{op}: axis {axis} is out of range for a tensor of rank {rank}");
        return a;
    }

    /// <summary>An axis that must really exist: like <see cref="Axis"/>, but a 0-d tensor has none (narrow, select, split).</summary>
    public static int ExistingAxis(int axis, int rank, string op) => rank == 0
        ? throw new ArgumentOutOfRangeException(nameof(axis), $"{op}: a 0-d tensor has no axis {axis}; reshape it to [1] first")
        : Axis(axis, rank, op);

    public Layout Permute(int[] dims)
    {
        if (dims.Length != Rank) throw new ArgumentException($"permute: {Fmt(dims)} does not match rank {Rank} of shape {Fmt(Shape)}");
        var seen = new bool[Rank];
        var shape = new int[Rank];
        var strides = new int[Rank];
        for (int i = 0; i < Rank; i++)
        {
            int d = Axis(dims[i], Rank, "permute");
            if (seen[d]) throw new ArgumentException($"permute: axis {d} repeats in {Fmt(dims)}");
            seen[d] = true;
            shape[i] = Shape[d];
            strides[i] = Strides[d];
        }
        return new Layout(shape, strides, Offset);
    }

    public Layout Transpose(int a, int b)
    {
        a = Axis(a, Rank, "transpose");
        b = Axis(b, Rank, "transpose");
        if (Rank == 0) return this;
        var dims = Enumerable.Range(0, Rank).ToArray();
        (dims[a], dims[b]) = (dims[b], dims[a]);
        return Permute(dims);
    }

    /// <summary>Elements [start, start+length) along axis.</summary>
    public Layout Narrow(int axis, int start, int length)
    {
        axis = ExistingAxis(axis, Rank, "narrow");
        if (start < 0 || length < 0 || start + length > Shape[axis])
            throw new ArgumentOutOfRangeException(nameof(start), $"narrow: [{start}, {start + length}) is outside axis {axis} of shape {Fmt(Shape)}");
        var shape = (int[])Shape.Clone();
        shape[axis] = length;
        return new Layout(shape, Strides, Offset + (length == 0 ? 0 : start * Strides[axis]));
    }

    /// <summary>Index <paramref name="index"/> along axis; the axis is removed.</summary>
    public Layout Select(int axis, int index)
    {
        axis = ExistingAxis(axis, Rank, "select");
        int size = Shape[axis];
        int i = index < 0 ? index + size : index;
        if (i < 0 || i >= size)
            throw new ArgumentOutOfRangeException(nameof(index), $"select: index {index} is outside axis {axis} of shape {Fmt(Shape)}");
        return new Layout(Remove(Shape, axis), Remove(Strides, axis), Offset + i * Strides[axis]);
    }

    public Layout Unsqueeze(int axis)
    {
        axis = Axis(axis, Rank + 1, "unsqueeze");
        int stride = axis < Rank ? Shape[axis] * Strides[axis] : 1;
        return new Layout(Insert(Shape, axis, 1), Insert(Strides, axis, stride), Offset);
    }

    public Layout Squeeze(int? axis = null)
    {
        if (axis is int a0)
        {
            int a = Axis(a0, Rank, "squeeze");
            return Rank == 0 || Shape[a] != 1 ? this : new Layout(Remove(Shape, a), Remove(Strides, a), Offset);
        }
        var keep = Enumerable.Range(0, Rank).Where(i => Shape[i] != 1).ToArray();
        return new Layout(keep.Select(i => Shape[i]).ToArray(), keep.Select(i => Strides[i]).ToArray(), Offset);
    }

    /// <summary>Broadcasts to <paramref name="shape"/> (NumPy rules) with stride 0 on expanded axes; −1 keeps an
    /// existing axis's size, as torch.expand.</summary>
    public Layout Expand(int[] shape)
    {
        if (shape.Length < Rank) throw new ArgumentException($"expand: cannot expand shape {Fmt(Shape)} to {Fmt(shape)}");
        var strides = new int[shape.Length];
        var target = (int[])shape.Clone();
        int lead = shape.Length - Rank;
        for (int i = 0; i < shape.Length; i++)
        {
            if (i >= lead && shape[i] == -1) target[i] = Shape[i - lead];
            else if (shape[i] < 0) throw new ArgumentException($"expand: cannot expand shape {Fmt(Shape)} to {Fmt(shape)} (only an existing axis may be -1)");
            if (i < lead) { strides[i] = 0; continue; }
            int d = Shape[i - lead];
            if (d == target[i]) strides[i] = Strides[i - lead];
            else if (d == 1) strides[i] = 0;
            else throw new ArgumentException($"expand: cannot expand shape {Fmt(Shape)} to {Fmt(shape)}");
        }
        return new Layout(target, strides, Offset);
    }

    /// <summary>
    /// A view with a new shape over the same elements, or null when the strides do not allow one
    /// (then the caller copies). Same rule as PyTorch's view: each run of merged dims must be contiguous.
    /// </summary>
    public Layout? TryView(int[] newShape)
    {
        if (NumelOf(newShape) != Numel) return null;
        if (IsContiguous) return new Layout(newShape, ContiguousStrides(newShape), Offset);
        var newStrides = new int[newShape.Length];
        int viewD = newShape.Length - 1;
        int chunkBase = Strides.Length > 0 ? Strides[^1] : 1;
        long tensorElems = 1, viewElems = 1;
        for (int d = Rank - 1; d >= 0; d--)
        {
            tensorElems *= Shape[d];
            if (d == 0 || (Shape[d - 1] != 1 && Strides[d - 1] != tensorElems * chunkBase))
            {
                while (viewD >= 0 && (viewElems < tensorElems || newShape[viewD] == 1))
                {
                    newStrides[viewD] = (int)(viewElems * chunkBase);
                    viewElems *= newShape[viewD];
                    viewD--;
                }
                if (viewElems != tensorElems) return null;
                if (d > 0) { chunkBase = Strides[d - 1]; tensorElems = 1; viewElems = 1; }
            }
        }
        return viewD == -1 ? new Layout(newShape, newStrides, Offset) : null;
    }

    /// <summary>Resolves one -1 in a requested shape against <paramref name="numel"/>.</summary>
    public static int[] InferShape(int[] shape, int numel, string op)
    {
        int infer = Array.IndexOf(shape, -1);
        if (infer >= 0 && Array.IndexOf(shape, -1, infer + 1) >= 0)
            throw new ArgumentException($"{op}: only one dimension may be -1 in {Fmt(shape)}");
        var result = (int[])shape.Clone();
        if (infer >= 0)
        {
            long known = 1;
            for (int i = 0; i < shape.Length; i++) if (i != infer) known *= shape[i];
            if (known == 0 || numel % known != 0)
                throw new ArgumentException($"{op}: shape {Fmt(shape)} is invalid for {numel} elements");
            result[infer] = (int)(numel / known);
        }
        if (NumelOf(result) != numel)
            throw new ArgumentException($"{op}: shape {Fmt(shape)} is invalid for {numel} elements");
        return result;
    }

    /// <summary>NumPy broadcast of two shapes, or an exception naming the op and both shapes.</summary>
    public static int[] Broadcast(int[] a, int[] b, string op)
    {
        int rank = Math.Max(a.Length, b.Length);
        var r = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = i < rank - a.Length ? 1 : a[i - (rank - a.Length)];
            int db = i < rank - b.Length ? 1 : b[i - (rank - b.Length)];
            if (da != db && da != 1 && db != 1)
                throw new ArgumentException($"{op}: shapes {Fmt(a)} and {Fmt(b)} cannot be broadcast together");
            r[i] = da == 1 ? db : da;
        }
        return r;
    }

    public static string Fmt(ReadOnlySpan<int> shape) => "[" + string.Join(", ", shape.ToArray()) + "]";

    public override string ToString() => $"shape {Fmt(Shape)} strides {Fmt(Strides)} offset {Offset}";

    static int[] Remove(int[] a, int i) => [.. a[..i], .. a[(i + 1)..]];
    static int[] Insert(int[] a, int i, int v) => [.. a[..i], v, .. a[i..]];
}
