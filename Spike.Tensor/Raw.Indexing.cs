namespace Spike;

/// <summary>Indexing by index tensors: shape rules and range checks, once for every backend. Out-of-range indices raise
/// with the op, the value and the shapes before any kernel runs.</summary>
public static partial class Raw
{
    /// <summary>The elements of x at positions index along axis: out.shape = x.shape with shape[axis] = index.Numel.
    /// index: 0-d or 1-D, Int64 or Int32, values in [0, x.size(axis)).</summary>
    public static Tensor IndexSelect(Tensor x, int axis, Tensor index)
    {
        const string op = "index_select";
        if (x.Rank == 0) x = Reshape(x, 1);
        int a = Layout.Axis(axis, x.Rank, op);
        if (index.Rank > 1)
            throw new ArgumentException($"{op}: index must be 0-d or 1-D, got shape {Layout.Fmt(index.Layout.Shape)} (input shape {Layout.Fmt(x.Layout.Shape)})");
        index = IndexTensor(op, index, x);
        CheckIndexRange(op, index, a, x.Layout.Shape);
        var shape = (int[])x.Layout.Shape.Clone();
        shape[a] = index.Numel;
        // The 1-D index seen with the output's shape: its stride on the axis, 0 elsewhere.
        var strides = new int[shape.Length];
        strides[a] = index.Rank == 0 ? 0 : index.Layout.Strides[0];
        var expanded = index.WithLayout(new Layout(shape, strides, index.Layout.Offset));
        var dst = Empty(shape, x.DType, x.Device);
        if (dst.Numel > 0) Backend(x).Gather(x, a, expanded, dst);
        return dst;
    }

    /// <summary>out[i][j][k] = x[i][index[i][j][k]][k] for axis 1 (torch.gather): out has index's shape; index has x's
    /// rank, and off the axis no larger sizes than x.</summary>
    public static Tensor Gather(Tensor x, int axis, Tensor index)
    {
        const string op = "gather";
        int a = Layout.Axis(axis, x.Rank, op);
        // A 0-d input with a 0-d index (PyTorch allows it) is the one-element case of [1] with index [1].
        if (x.Rank == 0 && index.Rank == 0) return Reshape(Gather(Reshape(x, 1), 0, Reshape(index, 1)));
        index = IndexTensor(op, index, x);
        CheckIndexShape(op, index, x, a, "input");
        CheckIndexRange(op, index, a, x.Layout.Shape);
        var dst = Empty(index.Layout.Shape, x.DType, x.Device);
        if (dst.Numel > 0) Backend(x).Gather(x, a, index, dst);
        return dst;
    }

    /// <summary>A copy of x with src added at index along axis (torch.scatter_add); see <see cref="ScatterAdd_"/>.</summary>
    public static Tensor ScatterAdd(Tensor x, int axis, Tensor index, Tensor src)
    {
        var y = Clone(x);
        ScatterAdd_(y, axis, index, src);
        return y;
    }

    /// <summary>In place: dst[i][index[i][j][k]][k] += src[i][j][k] for axis 1; repeated indices accumulate.
    /// index has dst's rank, sizes no larger than src's, and off the axis no larger than dst's.</summary>
    public static void ScatterAdd_(Tensor dst, int axis, Tensor index, Tensor src)
    {
        const string op = "scatter_add";
        int a = Layout.Axis(axis, dst.Rank, op);
        if (dst.Rank == 0 && index.Rank == 0 && src.Rank == 0)
        {
            ScatterAdd_(Unsqueeze(dst, 0), 0, Reshape(index, 1), Reshape(src, 1));
            return;
        }
        CheckSameDevice(op, dst, src);
        index = IndexTensor(op, index, dst);
        CheckIndexShape(op, index, dst, a, "destination");
        if (src.Rank != index.Rank || Enumerable.Range(0, index.Rank).Any(d => index.Layout.Shape[d] > src.Layout.Shape[d]))
            throw new ArgumentException($"{op}: index of shape {Layout.Fmt(index.Layout.Shape)} does not fit source of shape {Layout.Fmt(src.Layout.Shape)}");
        if (dst.DType == DType.Bool) throw new ArgumentException($"{op}: not defined for a Bool destination of shape {Layout.Fmt(dst.Layout.Shape)}");
        for (int d = 0; d < dst.Rank; d++)
            if (dst.Numel > 0 && dst.Layout.Strides[d] == 0 && dst.Layout.Shape[d] > 1)
                throw new ArgumentException($"{op}: destination {dst.Layout} is a broadcast view; several elements share one memory location");
        CheckIndexRange(op, index, a, dst.Layout.Shape);
        if (index.Numel > 0) Backend(dst).ScatterAdd(dst, a, index, ToDType(src, dst.DType));
    }

    /// <summary>One-hot rows: out[..., c] = 1 where c = indices[...] (torch.nn.functional.one_hot). numClasses −1 infers
    /// max + 1. Int64 result by default, as PyTorch.</summary>
    public static Tensor OneHot(Tensor indices, int numClasses = -1, DType dtype = DType.Int64)
    {
        const string op = "one_hot";
        if (indices.DType is not (DType.Int64 or DType.Int32))
            throw new ArgumentException($"{op}: indices must be Int64 or Int32, got {indices.DType} of shape {Layout.Fmt(indices.Layout.Shape)}");
        indices = ToDType(indices, DType.Int64);
        if (numClasses < -1) throw new ArgumentException($"{op}: numClasses {numClasses} is negative");
        if (numClasses == -1)
        {
            if (indices.Numel == 0) throw new ArgumentException($"{op}: cannot infer the number of classes from an empty tensor of shape {Layout.Fmt(indices.Layout.Shape)}");
            numClasses = checked((int)Amax(indices, null, false).Item<long>() + 1);
        }
        var outShape = indices.Layout.Shape.Append(numClasses).ToArray();
        var ix = Unsqueeze(indices, -1);
        CheckIndexRange(op, ix, ix.Rank - 1, outShape);
        var dst = Empty(outShape, dtype, indices.Device);
        Fill(dst, 0);
        var one = Empty([], dtype, indices.Device);
        Fill(one, 1);
        if (ix.Numel > 0) Backend(dst).ScatterAdd(dst, ix.Rank - 1, ix, Expand(one, ix.Layout.Shape));
        return dst;
    }

    /// <summary>x reversed along each of axes (a copy; layouts never have negative strides).</summary>
    public static Tensor Flip(Tensor x, params int[] axes)
    {
        var ax = axes.Select(a => Layout.Axis(a, x.Rank, "flip")).ToArray();
        if (ax.Distinct().Count() != ax.Length) throw new ArgumentException($"flip: axis repeats in [{string.Join(", ", axes)}]");
        if (x.Rank == 0) return Clone(x);
        var dst = EmptyLike(x);
        Backend(x).Flip(x, ax, dst);
        return dst;
    }

    /// <summary>The index as Int64 on x's device; other dtypes are rejected.</summary>
    static Tensor IndexTensor(string op, Tensor index, Tensor x)
    {
        if (index.DType is not (DType.Int64 or DType.Int32))
            throw new ArgumentException($"{op}: index must be Int64 or Int32, got {index.DType} of shape {Layout.Fmt(index.Layout.Shape)}");
        CheckSameDevice(op, x, index);
        return ToDType(index, DType.Int64);
    }

    static void CheckIndexShape(string op, Tensor index, Tensor x, int axis, string what)
    {
        bool ok = index.Rank == x.Rank;
        for (int d = 0; ok && d < x.Rank; d++) ok = d == axis || index.Layout.Shape[d] <= x.Layout.Shape[d];
        if (!ok)
            throw new ArgumentException($"{op}: index of shape {Layout.Fmt(index.Layout.Shape)} does not fit {what} of shape {Layout.Fmt(x.Layout.Shape)} " +
                $"(same rank, and no larger off axis {axis})");
    }

    /// <summary>Every index must lie in [0, shape[axis]); the message names the first offending value.</summary>
    static void CheckIndexRange(string op, Tensor index, int axis, int[] shape)
    {
        if (index.Numel == 0) return;
        long lo = Amin(index, null, false).Item<long>(), hi = Amax(index, null, false).Item<long>();
        int size = shape[axis];
        if (lo >= 0 && hi < size) return;
        long bad = lo < 0 ? lo : hi;
        throw new IndexOutOfRangeException($"{op}: index {bad} is out of range for axis {axis} of size {size} (shape {Layout.Fmt(shape)})");
    }
}
