namespace Spike;

/// <summary>Reductions beyond Sum: dtype rules (as PyTorch) and the checks every backend relies on.</summary>
public static partial class Raw
{
    /// <summary>Π over axes; integer and Bool inputs multiply in Int64.</summary>
    public static Tensor Prod(Tensor x, int[]? axes, bool keepDim) =>
        Reduce(ReduceOp.Prod, x.DType.IsFloating() ? x : ToDType(x, DType.Int64), axes, keepDim);

    /// <summary>Maximum over axes (NaN propagates); Bool gives Any.</summary>
    public static Tensor Amax(Tensor x, int[]? axes, bool keepDim) => Extreme(ReduceOp.Max, "amax", x, axes, keepDim);

    /// <summary>Minimum over axes (NaN propagates); Bool gives All.</summary>
    public static Tensor Amin(Tensor x, int[]? axes, bool keepDim) => Extreme(ReduceOp.Min, "amin", x, axes, keepDim);

    static Tensor Extreme(ReduceOp op, string name, Tensor x, int[]? axes, bool keepDim)
    {
        var ax = ReduceAxes(axes, x.Rank, name);
        CheckNonEmpty(name, x, ax);
        if (x.DType == DType.Bool) return Reduce(op == ReduceOp.Max ? ReduceOp.Any : ReduceOp.All, x, ax, keepDim);
        return Reduce(op, x, ax, keepDim);
    }

    /// <summary>Index (Int64) of the first maximum along axis, or in the flattened tensor when axis is null.</summary>
    public static Tensor ArgMax(Tensor x, int? axis, bool keepDim) => Arg(ReduceOp.ArgMax, "argmax", x, axis, keepDim);

    /// <summary>Index (Int64) of the first minimum along axis, or in the flattened tensor when axis is null.</summary>
    public static Tensor ArgMin(Tensor x, int? axis, bool keepDim) => Arg(ReduceOp.ArgMin, "argmin", x, axis, keepDim);

    static Tensor Arg(ReduceOp op, string name, Tensor x, int? axis, bool keepDim)
    {
        if (x.DType == DType.Bool) x = ToDType(x, DType.UInt8);
        if (axis is null)
        {
            CheckNonEmpty(name, x, Enumerable.Range(0, x.Rank).ToArray());
            var flat = Reduce(op, Flatten(x), [0], keepDim: false, DType.Int64);
            return keepDim ? Reshape(flat, Enumerable.Repeat(1, x.Rank).ToArray()) : flat;
        }
        int a = Layout.Axis(axis.Value, x.Rank, name);
        if (x.Rank == 0) return Reduce(op, Reshape(x, 1), [0], keepDim: false, DType.Int64);
        CheckNonEmpty(name, x, [a]);
        return Reduce(op, x, [a], keepDim, DType.Int64);
    }

    /// <summary>torch.max(x, dim): the maximum along axis and the Int64 index of its first occurrence.</summary>
    public static (Tensor Values, Tensor Indices) MaxAlong(Tensor x, int axis, bool keepDim) => Along(ReduceOp.ArgMax, "max", x, axis, keepDim);

    /// <summary>torch.min(x, dim): the minimum along axis and the Int64 index of its first occurrence.</summary>
    public static (Tensor Values, Tensor Indices) MinAlong(Tensor x, int axis, bool keepDim) => Along(ReduceOp.ArgMin, "min", x, axis, keepDim);

    static (Tensor, Tensor) Along(ReduceOp op, string name, Tensor x, int axis, bool keepDim)
    {
        int a = Layout.Axis(axis, x.Rank, name);
        if (x.Rank == 0) return (Clone(x), Zeros([], DType.Int64, x.Device));
        var idx = Arg(op, name, x, a, keepDim: true);
        var values = Gather(x, a, idx);
        return keepDim ? (values, idx) : (Squeeze(values, a), Squeeze(idx, a));
    }

    /// <summary>Whether any element over axes is non-zero (Bool result).</summary>
    public static Tensor Any(Tensor x, int[]? axes, bool keepDim) => Reduce(ReduceOp.Any, ToDType(x, DType.Bool), axes, keepDim);

    /// <summary>Whether every element over axes is non-zero (Bool result).</summary>
    public static Tensor All(Tensor x, int[]? axes, bool keepDim) => Reduce(ReduceOp.All, ToDType(x, DType.Bool), axes, keepDim);

    /// <summary>Σ(x − mean)² / max(0, N − correction) over axes (N elements per slice); integers compute in Float32.</summary>
    public static Tensor Var(Tensor x, int[]? axes, double correction, bool keepDim)
    {
        x = ToDType(x, x.DType.ToFloating());
        var ax = ReduceAxes(axes, x.Rank, "var");
        var rows = ReductionRows(x, ax);
        var dst = Empty([rows.Layout.Shape[0]], x.DType, x.Device);
        Backend(x).Variance(rows, dst, correction);
        return dst.WithLayout(Layout.Contiguous(ReducedShape(x.Layout.Shape, ax, keepDim)));
    }

    /// <summary>log Σ exp(x) over axes, computed without overflow; integers compute in Float32.</summary>
    public static Tensor LogSumExp(Tensor x, int[]? axes, bool keepDim) =>
        Reduce(ReduceOp.LogSumExp, ToDType(x, x.DType.ToFloating()), axes, keepDim);

    static Tensor Zeros(int[] shape, DType dtype, Device device)
    {
        var t = Empty(shape, dtype, device);
        Fill(t, 0);
        return t;
    }

    /// <summary>Max, min and their indices have no identity: reducing an empty slice is an error, as in PyTorch.</summary>
    static void CheckNonEmpty(string op, Tensor x, int[] ax)
    {
        int inner = ax.Aggregate(1, (p, a) => p * x.Layout.Shape[a]);
        if (inner == 0 && x.Rank > 0)
            throw new ArgumentException($"{op}: cannot reduce over axes [{string.Join(", ", ax)}] of shape {Layout.Fmt(x.Layout.Shape)}: they hold no elements and {op} has no identity");
    }
}
