namespace Spike;

public partial interface IBackend
{
    /// <summary>Row reduction: x is [outer, inner] contiguous, dst is [outer] contiguous.
    /// Sum, Prod, Max, Min, LogSumExp keep x's dtype; ArgMax/ArgMin write Int64 (first extreme; NaN counts as the
    /// extreme); Any/All take Bool rows and write Bool. Max, Min, ArgMax, ArgMin are never called on empty rows.</summary>
    void Reduce(ReduceOp op, Tensor x, Tensor dst);

    /// <summary>dst[r] = Σ(x[r, :] − mean)² / max(0, inner − correction); x [outer, inner] contiguous floating, dst [outer].</summary>
    void Variance(Tensor x, Tensor dst, double correction);
}

public enum ReduceOp { Sum, Prod, Max, Min, ArgMax, ArgMin, Any, All, LogSumExp }
