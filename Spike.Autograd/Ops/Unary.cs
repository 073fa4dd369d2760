namespace Spike;

/// <summary>Elementwise unary math, forward and backward side by side. Gradients flow to floating inputs only.</summary>
public static class UnaryOps
{
    static Tensor U(UnaryOp op, Tensor x, double p0 = 0, double p1 = 0) => Raw.Unary(op, x, p0, p1);

    extension(Tensor x)
    {
        /// <summary>−x.</summary>
        public Tensor Neg() => Graph.Record(U(UnaryOp.Neg, x), "Neg", [x], g => [g.Neg()]);

        /// <summary>|x|; d/dx = sign(x) (0 at 0, as PyTorch).</summary>
        public Tensor Abs() => Graph.Record(U(UnaryOp.Abs, x), "Abs", [x], g => [g * x.Sign()]);

        /// <summary>eˣ; d/dx = eˣ (the saved output).</summary>
        public Tensor Exp()
        {
            var y = U(UnaryOp.Exp, x);
            return Graph.Record(y, "Exp", [x], g => [g * y]);
        }

        /// <summary>ln x; d/dx = 1/x.</summary>
        public Tensor Log() => Graph.Record(U(UnaryOp.Log, x), "Log", [x], g => [g / x]);

        /// <summary>ln(1 + x); d/dx = 1/(1 + x).</summary>
        public Tensor Log1p() => Graph.Record(U(UnaryOp.Log1p, x), "Log1p", [x], g => [g / (x + 1)]);

        /// <summary>√x; d/dx = 1/(2√x).</summary>
        public Tensor Sqrt()
        {
            var y = U(UnaryOp.Sqrt, x);
            return Graph.Record(y, "Sqrt", [x], g => [g / (y * 2)]);
        }

        /// <summary>1/√x; d/dx = −y³/2.</summary>
        public Tensor Rsqrt()
        {
            var y = U(UnaryOp.Rsqrt, x);
            return Graph.Record(y, "Rsqrt", [x], g => [g * y * y * y * -0.5]);
        }

        public Tensor Sin() => Graph.Record(U(UnaryOp.Sin, x), "Sin", [x], g => [g * x.Cos()]);

        public Tensor Cos() => Graph.Record(U(UnaryOp.Cos, x), "Cos", [x], g => [-(g * x.Sin())]);

        /// <summary>tanh x; d/dx = 1 − y².</summary>
        public Tensor Tanh()
        {
            var y = U(UnaryOp.Tanh, x);
            return Graph.Record(y, "Tanh", [x], g => [g * (1 - y * y)]);
        }

        /// <summary>σ(x) = 1/(1 + e⁻ˣ); d/dx = y(1 − y).</summary>
        public Tensor Sigmoid()
        {
            var y = U(UnaryOp.Sigmoid, x);
            return Graph.Record(y, "Sigmoid", [x], g => [g * y * (1 - y)]);
        }

        /// <summary>max(x, 0); d/dx = 1 where x &gt; 0.</summary>
        public Tensor Relu() => Graph.Record(U(UnaryOp.Relu, x), "Relu", [x], g => [g * x.Gt(0).To(g.DType)]);

        /// <summary>atan x; d/dx = 1/(1 + x²).</summary>
        public Tensor Atan() => Graph.Record(U(UnaryOp.Atan, x), "Atan", [x], g => [g / (x * x + 1)]);

        /// <summary>erf x; d/dx = 2/√π·e^(−x²).</summary>
        public Tensor Erf() => Graph.Record(U(UnaryOp.Erf, x), "Erf", [x], g => [g * (x * x).Neg().Exp() * (2 / Math.Sqrt(Math.PI))]);

        /// <summary>erfc x = 1 − erf x; d/dx = −2/√π·e^(−x²).</summary>
        public Tensor Erfc() => Graph.Record(U(UnaryOp.Erfc, x), "Erfc", [x], g => [g * (x * x).Neg().Exp() * (-2 / Math.Sqrt(Math.PI))]);

        /// <summary>1/x; d/dx = −y².</summary>
        public Tensor Reciprocal()
        {
            var y = U(UnaryOp.Reciprocal, x);
            return Graph.Record(y, "Reciprocal", [x], g => [-(g * y * y)]);
        }

        /// <summary>xᵖ; d/dx = p·xᵖ⁻¹.</summary>
        public Tensor Pow(double p) => Graph.Record(U(UnaryOp.PowScalar, x, p), "PowScalar", [x],
            g => [p == 0 ? Tensor.ZerosLike(g) : g * x.Pow(p - 1) * p]);

        /// <summary>min(max(x, min), max); the gradient passes where min ≤ x ≤ max.</summary>
        public Tensor Clamp(double? min = null, double? max = null)
        {
            double lo = min ?? double.NegativeInfinity, hi = max ?? double.PositiveInfinity;
            return Graph.Record(U(UnaryOp.Clamp, x, lo, hi), "Clamp", [x],
                g => [g * x.Ge(lo).LogicalAnd(x.Le(hi)).To(g.DType)]);
        }

        // Piecewise-constant ops: zero gradient almost everywhere, so they record nothing (as PyTorch's are 0).
        public Tensor Sign() => ZeroGrad(U(UnaryOp.Sign, x), x);
        public Tensor Floor() => ZeroGrad(U(UnaryOp.Floor, x), x);
        public Tensor Ceil() => ZeroGrad(U(UnaryOp.Ceil, x), x);
        /// <summary>Round half to even, as torch.round.</summary>
        public Tensor Round() => ZeroGrad(U(UnaryOp.Round, x), x);
        public Tensor LogicalNot() => U(UnaryOp.LogicalNot, x);
    }

    static Tensor ZeroGrad(Tensor y, Tensor x) => Graph.Record(y, "ZeroGrad", [x], g => [Tensor.ZerosLike(x)]);
}
