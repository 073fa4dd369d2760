namespace Spike;

public static partial class Raw
{
    /// <summary>Normalised, sorted, distinct axes; null or empty means every axis. A 0-d tensor accepts axis 0 (or −1),
    /// as in PyTorch, and has no axes to reduce: the result is the op applied to its one element.</summary>
    public static int[] ReduceAxes(int[]? axes, int rank, string op)
    {
        if (axes is null || axes.Length == 0) return Enumerable.Range(0, rank).ToArray();
        var norm = axes.Select(a => Layout.Axis(a, rank, op)).ToArray();
        if (norm.Distinct().Count() != norm.Length) throw new ArgumentException($"{op}: axis repeats in [{string.Join(", ", axes)}]");
        if (rank == 0) return [];
        Array.Sort(norm);
        return norm;
    }

    /// <summary>The shape after reducing axes (kept as size 1 with keepDim).</summary>
    public static int[] ReducedShape(int[] shape, int[] axes, bool keepDim) =>
        keepDim ? shape.Select((d, i) => axes.Contains(i) ? 1 : d).ToArray()
                : shape.Where((_, i) => !axes.Contains(i)).ToArray();

    /// <summary>
    /// x as a contiguous [outer, inner] matrix whose rows are the slices reduced over <paramref name="ax"/>
    /// (the reduced axes permuted innermost; no copy when they already are).
    /// </summary>
    public static Tensor ReductionRows(Tensor x, int[] ax)
    {
        var kept = Enumerable.Range(0, x.Rank).Where(i => !ax.Contains(i)).ToArray();
        int inner = ax.Aggregate(1, (p, a) => p * x.Layout.Shape[a]);
        int outer = kept.Aggregate(1, (p, a) => p * x.Layout.Shape[a]);
        return Reshape(Contiguous(Permute(x, [.. kept, .. ax])), outer, inner);
    }

    /// <summary>
    /// Reduces over axes: the reduced axes are permuted innermost and made contiguous, so every backend only
    /// reduces rows of a [outer, inner] matrix.
    /// </summary>
    public static Tensor Reduce(ReduceOp op, Tensor x, int[]? axes, bool keepDim, DType? resultType = null)
    {
        string name = op.ToString().ToLowerInvariant();
        var ax = ReduceAxes(axes, x.Rank, name);
        var outShape = Layout.Contiguous(ReducedShape(x.Layout.Shape, ax, keepDim));
        if ((resultType ?? x.DType) == x.DType && ColumnReducible(op, x, ax))
        {
            // Reduced axes form one block with kept axes after it: reduce columns in place of a transposing copy.
            int outer = x.Layout.Shape[..ax[0]].Aggregate(1, (p, d) => p * d);
            int r = ax.Aggregate(1, (p, a) => p * x.Layout.Shape[a]);
            int inner = x.Layout.Shape[(ax[^1] + 1)..].Aggregate(1, (p, d) => p * d);
            var cols = Empty([outer, inner], resultType ?? x.DType, x.Device);
            Backend(x).ReduceColumns(op, Reshape(x, outer, r, inner), cols);
            return cols.WithLayout(outShape);
        }
        var rows = ReductionRows(x, ax);
        var dst = Empty([rows.Layout.Shape[0]], resultType ?? x.DType, x.Device);
        Backend(x).Reduce(op, rows, dst);
        return dst.WithLayout(outShape);
    }

    static bool ColumnReducible(ReduceOp op, Tensor x, int[] ax) =>
        op is ReduceOp.Sum or ReduceOp.Prod or ReduceOp.Max or ReduceOp.Min
        && x.IsContiguous && x.Numel > 0 && ax.Length > 0 && ax[^1] < x.Rank - 1
        && ax[^1] - ax[0] == ax.Length - 1
        && x.Layout.Shape[(ax[^1] + 1)..].Aggregate(1, (p, d) => p * d) > 1;
}
