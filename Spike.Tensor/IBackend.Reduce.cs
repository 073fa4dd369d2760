namespace Spike;

public partial interface IBackend
{
    /// <summary>Row reduction: x is [outer, inner] contiguous, dst is [outer] contiguous (ArgMax/ArgMin: Int64).</summary>
    void Reduce(ReduceOp op, Tensor x, Tensor dst);
}

public enum ReduceOp { Sum, Prod, Max, Min, ArgMax, ArgMin, Any, All }
