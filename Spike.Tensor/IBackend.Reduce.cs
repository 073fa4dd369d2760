namespace Spike;

public partial interface IBackend
{
    /// <summary>Row reduction: x is [outer, inner] contiguous, dst is [outer] contiguous.
    /// Sum, Prod, Max, Min, LogSumExp keep x's dtype; ArgMax/ArgMin write Int64 (first extreme; NaN counts as the
    /// extreme); Any/All take Bool rows and write Bool. Max, Min, ArgMax, ArgMin are never called on empty rows.</summary>
    void Reduce(ReduceOp op, Tensor x, Tensor dst);

    /// <summary>Column reduction for Sum, Prod, Max, Min: x is [outer, r, inner] contiguous, dst is [outer, inner] contiguous,
    /// dst[o, i] = reduce over k of x[o, k, i] (k in order). Lets a reduction over leading or middle axes of a contiguous
    /// tensor run without a transposing copy. Max and Min are never called with r = 0.</summary>
    void ReduceColumns(ReduceOp op, Tensor x, Tensor dst);

    /// <summary>dst[r] = Σ(x[r, :] − mean)² / max(0, inner − correction); x [outer, inner] contiguous floating, dst [outer].</summary>
    void Variance(Tensor x, Tensor dst, double correction);
}

public enum ReduceOp { Sum, Prod, Max, Min, ArgMax, ArgMin, Any, All, LogSumExp }
