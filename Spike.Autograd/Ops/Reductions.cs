namespace Spike;

/// <summary>Sum, mean, product, variance, standard deviation, log-sum-exp, any and all over any axes with keepDim;
/// gradients are broadcast back over the reduced axes.</summary>
public static class ReductionOps
{
    /// <summary>Reshapes a reduced gradient to the keepDim shape and expands it over x's shape.</summary>
    internal static Tensor Spread(Tensor g, Tensor x, int[] axes) =>
        Raw.Expand(Raw.Reshape(g, Raw.ReducedShape(x.Layout.Shape, axes, keepDim: true)), x.Layout.Shape);

    static int Count(Tensor x, int[] axes) => axes.Aggregate(1, (p, a) => p * x.Layout.Shape[a]);

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
            int count = Count(x, ax);
            var xf = x.To(x.DType.ToFloating());
            return xf.Sum(ax, keepDim) / count;
        }

        public Tensor Mean(int axis, bool keepDim = false) => x.Mean([axis], keepDim);

        /// <summary>Π over axes (all when none given); integers and Bool multiply in Int64.
        /// d/dxᵢ = Π_{j≠i} xⱼ, computed without dividing by zero: a slice with one zero sends the product of the
        /// others to that zero and 0 elsewhere; a slice with two or more zeros has gradient 0.</summary>
        public Tensor Prod(int[]? axes = null, bool keepDim = false)
        {
            var ax = Raw.ReduceAxes(axes, x.Rank, "prod");
            var y = Raw.Prod(x, ax, keepDim);
            return Graph.Record(y, "Prod", [x], g =>
            {
                var isZero = Raw.Binary(BinaryOp.Eq, x, Raw.ScalarFor(0, x));
                var zeros = Spread(Raw.Reduce(ReduceOp.Sum, Raw.ToDType(isZero, DType.Int64), ax, keepDim: false), x, ax);
                var safe = Raw.Where(isZero, Raw.ScalarFor(1, x), x);
                var gs = Spread(g, x, ax);
                // No zero in the slice: g·y/x. One zero: g·Π(non-zero) at the zero. Otherwise 0.
                var noZero = gs * Spread(y, x, ax) / safe;
                var oneZero = gs * Spread(Raw.Prod(safe, ax, keepDim: false), x, ax);
                var atOnlyZero = Raw.Binary(BinaryOp.LogicalAnd, isZero, Raw.Binary(BinaryOp.Eq, zeros, Raw.ScalarFor(1, zeros)));
                var zero = Raw.ScalarFor(0, noZero);
                return [Raw.Where(Raw.Binary(BinaryOp.Eq, zeros, Raw.ScalarFor(0, zeros)), noZero, Raw.Where(atOnlyZero, oneZero, zero))];
            });
        }

        public Tensor Prod(int axis, bool keepDim = false) => x.Prod([axis], keepDim);

        /// <summary>Σ(x − x̄)² / max(0, N − correction) over axes; correction 1 (default) is the unbiased estimate, as torch.var.
        /// d/dx = 2(x − x̄)/(N − correction).</summary>
        public Tensor Var(int[]? axes = null, double correction = 1, bool keepDim = false)
        {
            var ax = Raw.ReduceAxes(axes, x.Rank, "var");
            var y = Raw.Var(x, ax, correction, keepDim);
            return Graph.Record(y, "Var", [x], g =>
            {
                var xf = Raw.ToDType(x, y.DType);
                var centered = xf - Spread(Raw.Reduce(ReduceOp.Sum, xf, ax, keepDim: false), x, ax) / Count(x, ax);
                return [Spread(g, x, ax) * centered * (2 / Math.Max(0, Count(x, ax) - correction))];
            });
        }

        public Tensor Var(int axis, double correction = 1, bool keepDim = false) => x.Var([axis], correction, keepDim);

        /// <summary>√Var; d/dx = (x − x̄)/((N − correction)·σ) (NaN where σ = 0, as PyTorch).</summary>
        public Tensor Std(int[]? axes = null, double correction = 1, bool keepDim = false)
        {
            var ax = Raw.ReduceAxes(axes, x.Rank, "std");
            var y = Raw.Unary(UnaryOp.Sqrt, Raw.Var(x, ax, correction, keepDim));
            return Graph.Record(y, "Std", [x], g =>
            {
                var xf = Raw.ToDType(x, y.DType);
                var centered = xf - Spread(Raw.Reduce(ReduceOp.Sum, xf, ax, keepDim: false), x, ax) / Count(x, ax);
                return [Spread(g / y, x, ax) * centered * (1 / Math.Max(0, Count(x, ax) - correction))];
            });
        }

        public Tensor Std(int axis, double correction = 1, bool keepDim = false) => x.Std([axis], correction, keepDim);

        /// <summary>log Σ eˣ over axes, without overflow; d/dx = e^(x − y) (the softmax over the slice).</summary>
        public Tensor LogSumExp(int[]? axes = null, bool keepDim = false)
        {
            var ax = Raw.ReduceAxes(axes, x.Rank, "logsumexp");
            var y = Raw.LogSumExp(x, ax, keepDim);
            return Graph.Record(y, "LogSumExp", [x], g => [Spread(g, x, ax) * (Raw.ToDType(x, y.DType) - Spread(y, x, ax)).Exp()]);
        }

        public Tensor LogSumExp(int axis, bool keepDim = false) => x.LogSumExp([axis], keepDim);

        /// <summary>Whether any element over axes is non-zero (Bool; not differentiable).</summary>
        public Tensor Any(int[]? axes = null, bool keepDim = false) => Raw.Any(x, axes, keepDim);

        public Tensor Any(int axis, bool keepDim = false) => Raw.Any(x, [axis], keepDim);

        /// <summary>Whether every element over axes is non-zero (Bool; not differentiable).</summary>
        public Tensor All(int[]? axes = null, bool keepDim = false) => Raw.All(x, axes, keepDim);

        public Tensor All(int axis, bool keepDim = false) => Raw.All(x, [axis], keepDim);
    }
}
