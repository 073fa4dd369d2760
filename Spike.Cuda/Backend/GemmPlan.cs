namespace Spike.Cuda;

/// <summary>
/// How a row-major matrix [rows, cols] with element strides (rs, cs) looks to column-major BLAS without a copy:
/// with unit column stride it is the column-major Xᵀ (cols × rows, ld = rs); with unit row stride it is X itself
/// (rows × cols, ld = cs). A size-1 axis may have any stride. <see cref="Transposed"/>: the stored matrix is Xᵀ.
/// </summary>
public readonly record struct BlasView(bool Transposed, int Ld)
{
    /// <summary>The view, or null when neither stride is 1 or the leading dimension would be too small (overlapping
    /// rows from a broadcast): the caller then copies the operand to a contiguous one.</summary>
    public static BlasView? Of(int rows, int cols, int rs, int cs)
    {
        if (cs == 1 || cols == 1)
        {
            int ld = rows == 1 ? Math.Max(cols, 1) : rs;
            if (ld >= Math.Max(cols, 1)) return new(true, ld);
        }
        if (rs == 1 || rows == 1)
        {
            int ld = cols == 1 ? Math.Max(rows, 1) : cs;
            if (ld >= Math.Max(rows, 1)) return new(false, ld);
        }
        return null;
    }

    /// <summary>
    /// The cuBLAS call computing row-major C = A·B for B batches (a [M, K], b [K, N], c [M, N] per batch, batch strides
    /// sa, sb, sc in elements, pointers at element 0). When C is stored row-major (its view is Cᵀ), cuBLAS computes
    /// Cᵀ = Bᵀ·Aᵀ, so B is its first operand; otherwise C = A·B directly. Each operand is transposed by cuBLAS exactly
    /// when its stored view is not already the orientation the product needs.
    /// </summary>
    public static GemmCall Plan(DType dtype, int batches, int m, int n, int k, BlasView a, ulong pa, long sa, BlasView b, ulong pb, long sb,
        BlasView c, ulong pc, long sc, bool accumulate)
    {
        double beta = accumulate ? 1 : 0;
        return c.Transposed
            ? new GemmCall(dtype, !b.Transposed, !a.Transposed, n, m, k, 1, pb, b.Ld, sb, pa, a.Ld, sa, beta, pc, c.Ld, sc, batches)
            : new GemmCall(dtype, a.Transposed, b.Transposed, m, n, k, 1, pa, a.Ld, sa, pb, b.Ld, sb, beta, pc, c.Ld, sc, batches);
    }
}
