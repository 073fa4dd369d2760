namespace Spike;

/// <summary>Maximum and minimum: over axes (values; the gradient is split evenly among tied extremes, as torch.amax),
/// along one axis with indices (as torch.max(x, dim); the gradient goes to the returned index), and arg-max/min.</summary>
public static class MaxMinOps
{
    extension(Tensor x)
    {
        /// <summary>Maximum over axes (all when none given), NaN propagating; gradient split evenly among ties.</summary>
        public Tensor Max(int[]? axes = null, bool keepDim = false) => Extreme(x, axes, keepDim, max: true);

        /// <summary>Minimum over axes (all when none given), NaN propagating; gradient split evenly among ties.</summary>
        public Tensor Min(int[]? axes = null, bool keepDim = false) => Extreme(x, axes, keepDim, max: false);

        /// <summary>torch.amax: the maximum over axes, as Max(axes).</summary>
        public Tensor Amax(int[]? axes = null, bool keepDim = false) => Extreme(x, axes, keepDim, max: true);

        public Tensor Amin(int[]? axes = null, bool keepDim = false) => Extreme(x, axes, keepDim, max: false);

        /// <summary>torch.max(x, dim): values along axis and the Int64 index of the first maximum; the gradient flows to
        /// that index only.</summary>
        public (Tensor Values, Tensor Indices) Max(int axis, bool keepDim = false) => Along(x, axis, keepDim, max: true);

        /// <summary>torch.min(x, dim): values along axis and the Int64 index of the first minimum.</summary>
        public (Tensor Values, Tensor Indices) Min(int axis, bool keepDim = false) => Along(x, axis, keepDim, max: false);

        /// <summary>Int64 index of the first maximum along axis, or in the flattened tensor when axis is null.</summary>
        public Tensor ArgMax(int? axis = null, bool keepDim = false) => Raw.ArgMax(x, axis, keepDim);

        /// <summary>Int64 index of the first minimum along axis, or in the flattened tensor when axis is null.</summary>
        public Tensor ArgMin(int? axis = null, bool keepDim = false) => Raw.ArgMin(x, axis, keepDim);
    }

    static Tensor Extreme(Tensor x, int[]? axes, bool keepDim, bool max)
    {
        var ax = Raw.ReduceAxes(axes, x.Rank, max ? "amax" : "amin");
        var y = max ? Raw.Amax(x, ax, keepDim) : Raw.Amin(x, ax, keepDim);
        return Graph.Record(y, max ? "Amax" : "Amin", [x], g =>
        {
            // Every element equal to the extreme shares the gradient: g / (number of ties).
            var hit = Raw.ToDType(Raw.Binary(BinaryOp.Eq, x, ReductionOps.Spread(y, x, ax)), g.DType);
            var ties = Raw.Reduce(ReduceOp.Sum, hit, ax, keepDim: false);
            return [hit * ReductionOps.Spread(g, x, ax) / ReductionOps.Spread(ties, x, ax)];
        });
    }

    static (Tensor, Tensor) Along(Tensor x, int axis, bool keepDim, bool max)
    {
        var (values, indices) = max ? Raw.MaxAlong(x, axis, keepDim) : Raw.MinAlong(x, axis, keepDim);
        if (x.Rank == 0) return (Graph.Record(values, max ? "Max" : "Min", [x], g => [g]), indices);
        int a = Layout.Axis(axis, x.Rank, max ? "max" : "min");
        values = Graph.Record(values, max ? "Max" : "Min", [x], g =>
        {
            var ix = keepDim ? indices : Raw.Unsqueeze(indices, a);
            var gk = keepDim ? g : Raw.Unsqueeze(g, a);
            return [Raw.ScatterAdd(Tensor.ZerosLike(x), a, ix, gk)];
        });
        return (values, indices);
    }
}
