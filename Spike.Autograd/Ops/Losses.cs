namespace Spike;

/// <summary>How a loss combines its per-element (or per-position) values, as PyTorch's reduction=.</summary>
public enum Reduction
{
    /// <summary>The average (over non-ignored positions for class targets).</summary>
    Mean,
    Sum,
    /// <summary>No reduction: one value per position.</summary>
    None,
}

/// <summary>
/// Losses as torch.nn.functional: fused softmax cross-entropy, NLL, MSE, binary cross-entropy (on probabilities and,
/// stably, on logits). Each is one graph node whose backward is written out, not composed.
/// </summary>
public static class LossOps
{
    /// <summary>Sum or mean (÷ count, a 0-d tensor) of the per-position losses, or them unchanged.</summary>
    static Tensor Reduce(Tensor perPos, Reduction r, Tensor count) => r switch
    {
        Reduction.None => perPos,
        Reduction.Sum => Raw.Reduce(ReduceOp.Sum, perPos, null, false),
        _ => Raw.Binary(BinaryOp.Div, Raw.Reduce(ReduceOp.Sum, perPos, null, false), count),
    };

    /// <summary>dL/d(per-position loss) from the gradient of the reduced loss.</summary>
    static Tensor Spread(Tensor g, int[] posShape, Reduction r, Tensor count) => r switch
    {
        Reduction.None => g,
        Reduction.Sum => Raw.Expand(g, posShape),
        _ => Raw.Expand(Raw.Binary(BinaryOp.Div, g, count), posShape),
    };

    static Tensor Count(double n, Tensor like) => Raw.ScalarFor(n, like);

    extension(Tensor input)
    {
        /// <summary>
        /// Softmax cross-entropy of logits [N, C], [N, C, d...] or [C]. Targets: Int64 class indices [N, d...] (ε = labelSmoothing:
        /// loss = (1 − ε)·w_t(lse − z_t) + ε/C·Σ_c w_c(lse − z_c); positions with target = ignoreIndex count neither in the loss
        /// nor in the mean, whose divisor is Σ w_t over the other positions), or probabilities of the logits' shape
        /// (loss = Σ_c w_c·y'_c(lse − z_c), y' = (1 − ε)y + ε/C, mean over positions). weight: optional class weights [C]
        /// (constants), all 1 when null. Computed from the log-sum-exp, so large logits do not overflow.
        /// Unweighted d/dz = softmax − (1 − ε)·onehot − ε/C.
        /// </summary>
        public Tensor CrossEntropy(Tensor target, Reduction reduction = Reduction.Mean, double labelSmoothing = 0, long ignoreIndex = -100,
            Tensor? weight = null)
        {
            var (perPos, lse, targetWeight) = Raw.CrossEntropy(input, target, weight, labelSmoothing, ignoreIndex);
            var pos = perPos.Layout.Shape;
            var count = targetWeight is null ? Count(perPos.Numel, perPos) : Raw.Reduce(ReduceOp.Sum, targetWeight, null, false);
            Tensor[] inputs = target.DType.IsFloating() ? [input, target] : [input];
            return Graph.Record(Reduce(perPos, reduction, count), "CrossEntropy", inputs, g =>
            {
                var (gz, gt) = Raw.CrossEntropyBackward(Spread(g, pos, reduction, count), input, target, weight, lse, labelSmoothing,
                    ignoreIndex, needTarget: target.RequiresGrad);
                return inputs.Length == 2 ? [gz, gt] : [gz];
            });
        }

        /// <summary>Negative log-likelihood of log-probabilities [N, C, d...] (or [C]): loss = −w_t·input[n, t, d...];
        /// the mean divides by Σ w_t over non-ignored targets (their count when weight is null).</summary>
        public Tensor NllLoss(Tensor target, Reduction reduction = Reduction.Mean, long ignoreIndex = -100, Tensor? weight = null)
        {
            var (perPos, targetWeight) = Raw.NllLoss(input, target, weight, ignoreIndex);
            var pos = perPos.Layout.Shape;
            var count = Raw.Reduce(ReduceOp.Sum, targetWeight, null, false);
            return Graph.Record(Reduce(perPos, reduction, count), "NllLoss", [input],
                g => [Raw.NllLossBackward(Spread(g, pos, reduction, count), input, target, weight, ignoreIndex)]);
        }

        /// <summary>(x − y)² with broadcasting, reduced; d/dx = 2(x − y), d/dy = −2(x − y) (times the reduction's factor).</summary>
        public Tensor MseLoss(Tensor target, Reduction reduction = Reduction.Mean)
        {
            Layout.Broadcast(input.Layout.Shape, target.Layout.Shape, "mse_loss");
            var d = Raw.Binary(BinaryOp.Sub, input, target);
            if (!d.DType.IsFloating())
                throw new ArgumentException($"mse_loss: expects floating inputs, got {input.DType} {Layout.Fmt(input.Layout.Shape)} and {target.DType} {Layout.Fmt(target.Layout.Shape)}");
            var pos = d.Layout.Shape;
            var count = Count(d.Numel, d);
            return Graph.Record(Reduce(Raw.Binary(BinaryOp.Mul, d, d), reduction, count), "MseLoss", [input, target], g =>
            {
                var two = Raw.Binary(BinaryOp.Mul, Spread(g, pos, reduction, count), Raw.Binary(BinaryOp.Mul, d, Raw.ScalarFor(2, d)));
                return [input.RequiresGrad ? Broadcasting.SumTo(two, input.Layout.Shape) : null,
                        target.RequiresGrad ? Broadcasting.SumTo(Raw.Unary(UnaryOp.Neg, two), target.Layout.Shape) : null];
            });
        }

        /// <summary>
        /// −w·(y·ln p + (1 − y)·ln(1 − p)) for probabilities p in [0, 1] (each log clamped at −100, as PyTorch); y has p's
        /// shape, weight broadcasts to it. d/dp = w(p − y)/max(p(1 − p), 1e−12); d/dy = w(ln(1 − p) − ln p).
        /// </summary>
        public Tensor BinaryCrossEntropy(Tensor target, Tensor? weight = null, Reduction reduction = Reduction.Mean)
        {
            var loss = Raw.BinaryCrossEntropy(input, target);
            CheckWeight(weight, input, "binary_cross_entropy", "weight");
            if (weight is not null) loss = Raw.Binary(BinaryOp.Mul, loss, weight);
            var count = Count(loss.Numel, loss);
            var pos = loss.Layout.Shape;
            return Graph.Record(Reduce(loss, reduction, count), "BinaryCrossEntropy", [input, target], g =>
            {
                var gl = Spread(g, pos, reduction, count);
                if (weight is not null) gl = gl * weight;
                var p = input; var y = target.To(input.DType);
                return [input.RequiresGrad ? gl * (p - y) / (p * (1 - p)).Clamp(min: 1e-12) : null,
                        target.RequiresGrad ? gl * ((1 - p).Log() - p.Log()) : null];
            });
        }

        /// <summary>
        /// Binary cross-entropy on logits z, stable for any z: loss = w·((1 − y)z + L·softplus(−z)), L = 1 + (posWeight − 1)y,
        /// softplus(−z) = ln(1 + e^{−|z|}) + max(−z, 0). d/dz = w((1 − y) − L·σ(−z)) (= w(σ(z) − y) without posWeight);
        /// d/dy = w(−z + (posWeight − 1)·softplus(−z)). y has z's shape; weight and posWeight broadcast to it.
        /// </summary>
        public Tensor BinaryCrossEntropyWithLogits(Tensor target, Tensor? weight = null, Tensor? posWeight = null, Reduction reduction = Reduction.Mean)
        {
            const string op = "binary_cross_entropy_with_logits";
            if (!input.DType.IsFloating())
                throw new ArgumentException($"{op}: expects a Float32 or Float64 input, got {input.DType} of shape {Layout.Fmt(input.Layout.Shape)}");
            if (!input.Layout.Shape.AsSpan().SequenceEqual(target.Layout.Shape))
                throw new ArgumentException($"{op}: target of shape {Layout.Fmt(target.Layout.Shape)} must match input of shape {Layout.Fmt(input.Layout.Shape)}");
            CheckWeight(weight, input, op, "weight");
            CheckWeight(posWeight, input, op, "pos_weight");
            Tensor loss, softplus, y, lw;
            using (Autograd.NoGrad())
            {
                var z = input;
                y = target.To(z.DType);
                softplus = (-z.Abs()).Exp().Log1p() + (-z).Relu();
                lw = posWeight is null ? Tensor.OnesLike(z) : 1 + (posWeight - 1) * y;
                loss = (1 - y) * z + lw * softplus;
                if (weight is not null) loss = loss * weight;
            }
            var count = Count(loss.Numel, loss);
            var pos = loss.Layout.Shape;
            return Graph.Record(Reduce(loss, reduction, count), "BinaryCrossEntropyWithLogits", [input, target], g =>
            {
                var gl = Spread(g, pos, reduction, count);
                if (weight is not null) gl = gl * weight;
                return [input.RequiresGrad ? gl * ((1 - y) - lw * (-input).Sigmoid()) : null,
                        target.RequiresGrad ? gl * (posWeight is null ? -input : (posWeight - 1) * softplus - input) : null];
            });
        }
    }

    static void CheckWeight(Tensor? w, Tensor input, string op, string name)
    {
        if (w is null) return;
        var shape = Layout.Broadcast(input.Layout.Shape, w.Layout.Shape, op);
        if (!shape.AsSpan().SequenceEqual(input.Layout.Shape))
            throw new ArgumentException($"{op}: {name} of shape {Layout.Fmt(w.Layout.Shape)} does not broadcast to input of shape {Layout.Fmt(input.Layout.Shape)}");
    }
}
