namespace Spike;

/// <summary>Binary arithmetic with NumPy broadcasting, the C# operators, comparisons and where.
/// Broadcast gradients are summed back to each input's shape.</summary>
public static class BinaryOps
{
    static Tensor B(BinaryOp op, Tensor a, Tensor b) => Raw.Binary(op, a, b);
    static Tensor To(Tensor g, Tensor like) => Broadcasting.SumTo(g, like.Layout.Shape);
    static Tensor S(double v, Tensor like) => Raw.ScalarFor(v, like);

    extension(Tensor a)
    {
        public Tensor Add(Tensor b) => Graph.Record(B(BinaryOp.Add, a, b), "Add", [a, b], g => [To(g, a), To(g, b)]);

        public Tensor Sub(Tensor b) => Graph.Record(B(BinaryOp.Sub, a, b), "Sub", [a, b], g => [To(g, a), To(g.Neg(), b)]);

        public Tensor Mul(Tensor b) => Graph.Record(B(BinaryOp.Mul, a, b), "Mul", [a, b],
            g => [a.RequiresGrad ? To(g * b, a) : null, b.RequiresGrad ? To(g * a, b) : null]);

        /// <summary>True division (integers promote to Float32); d/da = 1/b, d/db = −a/b².</summary>
        public Tensor Div(Tensor b) => Graph.Record(B(BinaryOp.Div, a, b), "Div", [a, b],
            g => [a.RequiresGrad ? To(g / b, a) : null, b.RequiresGrad ? To(-(g * a) / (b * b), b) : null]);

        /// <summary>aᵇ; d/da = b·aᵇ⁻¹ (0 where b = 0), d/db = aᵇ·ln a (0 where a = 0 and b ≥ 0, the limit PyTorch
        /// also takes, instead of 0·(−∞) = NaN).</summary>
        public Tensor Pow(Tensor b)
        {
            var y = B(BinaryOp.Pow, a, b);
            return Graph.Record(y, "Pow", [a, b], g =>
            {
                var zero = Raw.ScalarFor(0, g);
                var da = a.RequiresGrad ? To(Raw.Where(b.Eq(0), zero, g * b * a.Pow(b - 1)), a) : null;
                var db = b.RequiresGrad ? To(Raw.Where(a.Eq(0).LogicalAnd(b.Ge(0)), zero, g * y * a.Log()), b) : null;
                return [da, db];
            });
        }

        /// <summary>Elementwise max; on ties the gradient is split evenly, as PyTorch.</summary>
        public Tensor Maximum(Tensor b) => Graph.Record(B(BinaryOp.Maximum, a, b), "Maximum", [a, b], g => SplitGrad(g, a, b, a.Gt(b), a.Eq(b)));

        public Tensor Minimum(Tensor b) => Graph.Record(B(BinaryOp.Minimum, a, b), "Minimum", [a, b], g => SplitGrad(g, a, b, a.Lt(b), a.Eq(b)));

        public Tensor Eq(Tensor b) => B(BinaryOp.Eq, a, b);
        public Tensor Ne(Tensor b) => B(BinaryOp.Ne, a, b);
        public Tensor Lt(Tensor b) => B(BinaryOp.Lt, a, b);
        public Tensor Le(Tensor b) => B(BinaryOp.Le, a, b);
        public Tensor Gt(Tensor b) => B(BinaryOp.Gt, a, b);
        public Tensor Ge(Tensor b) => B(BinaryOp.Ge, a, b);
        public Tensor Eq(double b) => B(BinaryOp.Eq, a, S(b, a));
        public Tensor Ne(double b) => B(BinaryOp.Ne, a, S(b, a));
        public Tensor Lt(double b) => B(BinaryOp.Lt, a, S(b, a));
        public Tensor Le(double b) => B(BinaryOp.Le, a, S(b, a));
        public Tensor Gt(double b) => B(BinaryOp.Gt, a, S(b, a));
        public Tensor Ge(double b) => B(BinaryOp.Ge, a, S(b, a));
        public Tensor LogicalAnd(Tensor b) => B(BinaryOp.LogicalAnd, a, b);
        public Tensor LogicalOr(Tensor b) => B(BinaryOp.LogicalOr, a, b);

    }

    static Tensor?[] SplitGrad(Tensor g, Tensor a, Tensor b, Tensor aWins, Tensor tie)
    {
        var wa = aWins.To(g.DType) + tie.To(g.DType) * 0.5;
        return [a.RequiresGrad ? To(g * wa, a) : null, b.RequiresGrad ? To(g * (1 - wa), b) : null];
    }

    extension(Tensor)
    {
        public static Tensor operator +(Tensor a, Tensor b) => a.Add(b);
        public static Tensor operator -(Tensor a, Tensor b) => a.Sub(b);
        public static Tensor operator *(Tensor a, Tensor b) => a.Mul(b);
        public static Tensor operator /(Tensor a, Tensor b) => a.Div(b);
        public static Tensor operator -(Tensor a) => a.Neg();

        public static Tensor operator +(Tensor a, double b) => a.Add(S(b, a));
        public static Tensor operator +(double a, Tensor b) => S(a, b).Add(b);
        public static Tensor operator -(Tensor a, double b) => a.Sub(S(b, a));
        public static Tensor operator -(double a, Tensor b) => S(a, b).Sub(b);
        public static Tensor operator *(Tensor a, double b) => a.Mul(S(b, a));
        public static Tensor operator *(double a, Tensor b) => S(a, b).Mul(b);
        public static Tensor operator /(Tensor a, double b) => a.Div(S(b, a));
        public static Tensor operator /(double a, Tensor b) => S(a, b).Div(b);

        /// <summary>cond ? a : b with broadcasting; gradients flow to the chosen side.</summary>
        public static Tensor Where(Tensor cond, Tensor a, Tensor b)
        {
            var y = Raw.Where(cond, a, b);
            return Graph.Record(y, "Where", [a, b], g =>
            {
                var zero = Tensor.ZerosLike(g);
                return [a.RequiresGrad ? To(Raw.Where(cond, g, zero), a) : null, b.RequiresGrad ? To(Raw.Where(cond, zero, g), b) : null];
            });
        }

    }
}
