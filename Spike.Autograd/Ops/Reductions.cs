namespace Spike;

/// <summary>Sum and mean over any axes with keepDim; the gradient is broadcast back over the reduced axes.</summary>
public static class ReductionOps
{
    /// <summary>Reshapes a reduced gradient to the keepDim shape and expands it over x's shape.</summary>
    internal static Tensor Spread(Tensor g, Tensor x, int[] axes) =>
        Raw.Expand(Raw.Reshape(g, Raw.ReducedShape(x.Layout.Shape, axes, keepDim: true)), x.Layout.Shape);

    extension(Tensor x)
    {
        /// <summary>Σ over axes (all when none given). Integer and Bool inputs sum in Int64, as PyTorch.</summary>
        public Tensor Sum(int[]? axes = null, bool keepDim = false)
        {
            var ax = Raw.ReduceAxes(axes, x.Rank, "sum");
            var input = x.DType.IsFloating() ? x : Raw.ToDType(x, DType.Int64);
            return Graph.Record(Raw.Reduce(ReduceOp.Sum, input, ax, keepDim), "Sum", [x], g => [Spread(g, x, ax)]);
        }

        public Tensor Sum(int axis, bool keepDim = false) => x.Sum([axis], keepDim);

        /// <summary>Arithmetic mean over axes (all when none given); integers average in Float32.</summary>
        public Tensor Mean(int[]? axes = null, bool keepDim = false)
        {
            var ax = Raw.ReduceAxes(axes, x.Rank, "mean");
            int count = ax.Aggregate(1, (p, a) => p * x.Layout.Shape[a]);
            var xf = x.To(x.DType.ToFloating());
            return xf.Sum(ax, keepDim) / count;
        }

        public Tensor Mean(int axis, bool keepDim = false) => x.Mean([axis], keepDim);
    }
}
