namespace Spike;

/// <summary>The Euclidean norm over axes (torch's <c>Tensor.norm(p=2, dim, keepdim)</c>).</summary>
public static class NormOps
{
    extension(Tensor x)
    {
        /// <summary>
        /// ‖x‖₂ = √(Σ x²) over axes (all when none given). d/dx = x/‖x‖, and 0 for a slice whose norm is 0 (the
        /// subgradient PyTorch uses), so an all-zero row yields zero gradient rather than NaN.
        /// </summary>
        public Tensor Norm(int[]? axes = null, bool keepDim = false)
        {
            if (!x.DType.IsFloating())
                throw new ArgumentException($"norm: expects a Float32 or Float64 input, got {x.DType} of shape {Layout.Fmt(x.Layout.Shape)}");
            var ax = Raw.ReduceAxes(axes, x.Rank, "norm");
            var y = Raw.Unary(UnaryOp.Sqrt, Raw.Reduce(ReduceOp.Sum, Raw.Binary(BinaryOp.Mul, x, x), ax, keepDim));
            return Graph.Record(y, "Norm", [x], g =>
            {
                var zero = Raw.Binary(BinaryOp.Eq, y, Raw.ScalarFor(0, y));
                var denom = Raw.Where(zero, Raw.ScalarFor(1, y), y);
                var scale = g / denom * Raw.ToDType(Raw.Unary(UnaryOp.LogicalNot, zero), y.DType);
                return [ReductionOps.Spread(scale, x, ax) * x];
            });
        }

        public Tensor Norm(int axis, bool keepDim = false) => x.Norm([axis], keepDim);
    }
}
