namespace Spike;

/// <summary>Matrix products: <c>Matmul</c> with torch.matmul semantics and <c>Linear</c> (x·Wᵀ + b).</summary>
public static class LinalgOps
{
    static Tensor MT(Tensor x) => Raw.Transpose(x, -1, -2);

    extension(Tensor a)
    {
        /// <summary>
        /// torch.matmul. [K]·[K] → [] (dot); [M, K]·[K, N] → [M, N]; a 1-D operand is promoted to a row (left) or
        /// column (right) and the added axis removed; [*, M, K]·[*, K, N] → [*, M, N] with broadcast batch axes.
        /// Backward: dA = dY·Bᵀ, dB = Aᵀ·dY, each summed over the batch axes its operand was broadcast along.
        /// </summary>
        public Tensor Matmul(Tensor b)
        {
            if (a.Rank == 0 || b.Rank == 0) return Raw.Matmul(a, b); // throws with both shapes
            if (a.Rank == 1 || b.Rank == 1)
            {
                // The promoted axes are views, so their gradients come back through Unsqueeze/Squeeze.
                var y = (a.Rank == 1 ? a.Unsqueeze(0) : a).Matmul(b.Rank == 1 ? b.Unsqueeze(-1) : b);
                if (a.Rank == 1) y = y.Squeeze(-2);
                return b.Rank == 1 ? y.Squeeze(-1) : y;
            }
            return Graph.Record(Raw.Matmul(a, b), "Matmul", [a, b], g =>
                [a.RequiresGrad ? GradLeft(g, a, b) : null, b.RequiresGrad ? GradRight(g, a, b) : null]);
        }

        /// <summary>
        /// y = x·Wᵀ + b. x: [*, in], weight: [out, in], bias: [out] or null → [*, out] (torch.nn.functional.linear).
        /// Backward: dx = dy·W, dW = dyᵀ·x and db = Σ dy over the leading axes (dy, x flattened to rows).
        /// </summary>
        public Tensor Linear(Tensor weight, Tensor? bias = null)
        {
            var x = a;
            var y = Raw.Linear(x, weight, bias);
            Tensor[] inputs = bias is null ? [x, weight] : [x, weight, bias];
            return Graph.Record(y, "Linear", inputs, g =>
            {
                int outF = weight.Layout.Shape[0], inF = weight.Layout.Shape[1];
                int count = Layout.NumelOf(x.Layout.Shape[..^1]);
                var g2 = Raw.Reshape(g, count, outF);
                var dx = x.RequiresGrad ? Raw.ToDType(Raw.Reshape(Raw.Matmul(g2, Raw.ToDType(weight, g.DType)), x.Layout.Shape), x.DType) : null;
                var dw = weight.RequiresGrad ? Raw.ToDType(Raw.Matmul(MT(g2), Raw.Reshape(Raw.ToDType(x, g.DType), count, inF)), weight.DType) : null;
                if (bias is null) return [dx, dw];
                var db = bias.RequiresGrad ? Raw.ToDType(Raw.Reduce(ReduceOp.Sum, g2, [0], keepDim: false), bias.DType) : null;
                return [dx, dw, db];
            });
        }
    }

    // a: [*a, M, K], b: [*b, K, N], g: [*, M, N] → dA: [*a, M, K].
    static Tensor GradLeft(Tensor g, Tensor a, Tensor b)
    {
        var bt = Raw.ToDType(b, g.DType);
        Tensor d;
        if (a.Rank == 2 && g.Rank > 2)
        {
            // a shared by every batch: Σ_b g_b·b_bᵀ straight into one matrix (a dst with batch stride 0 sums).
            int m = a.Layout.Shape[0], k = a.Layout.Shape[1], n = g.Layout.Shape[^1];
            var batch = g.Layout.Shape[..^2];
            int count = Layout.NumelOf(batch);
            var g3 = Raw.Reshape(g, count, m, n);
            var b3 = Raw.Reshape(Raw.Expand(bt, [.. batch, k, n]), count, k, n);
            d = Raw.Empty([m, k], g.DType, g.Device);
            Raw.MatmulInto(g3, MT(b3), Raw.Expand(Raw.Unsqueeze(d, 0), count, m, k));
        }
        else d = Broadcasting.SumTo(Raw.Matmul(g, MT(bt)), a.Layout.Shape);
        return Raw.ToDType(d, a.DType);
    }

    // dB = Aᵀ·g, summed over the batch axes b was broadcast along.
    static Tensor GradRight(Tensor g, Tensor a, Tensor b)
    {
        var at = Raw.ToDType(a, g.DType);
        Tensor d;
        if (b.Rank == 2 && g.Rank > 2)
        {
            // b shared by every batch: fold the batch into the rows, [K, (B·M)]·[(B·M), N].
            int k = b.Layout.Shape[0], n = b.Layout.Shape[1], m = g.Layout.Shape[^2];
            int rows = Layout.NumelOf(g.Layout.Shape[..^1]);
            var am = Raw.Reshape(Raw.Expand(at, [.. g.Layout.Shape[..^2], m, k]), rows, k);
            d = Raw.Matmul(MT(am), Raw.Reshape(g, rows, n));
        }
        else d = Broadcasting.SumTo(Raw.Matmul(MT(at), g), b.Layout.Shape);
        return Raw.ToDType(d, b.DType);
    }
}
