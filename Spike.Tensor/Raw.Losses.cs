namespace Spike;

/// <summary>Class-axis losses: [N, C, d...] inputs (or unbatched [C]) as [N, C, S] rows, per-position results of shape [N, d...].</summary>
public static partial class Raw
{
    /// <summary>The input as [N, C, S] contiguous and the per-position shape ([N, d...], or [] for an unbatched [C]).</summary>
    static (Tensor Rows, int[] PosShape) ClassRows(Tensor x, string op)
    {
        if (!x.DType.IsFloating())
            throw new ArgumentException($"{op}: expects a Float32 or Float64 input, got {x.DType} of shape {Layout.Fmt(x.Layout.Shape)}");
        if (x.Rank == 0)
            throw new ArgumentException($"{op}: expects an input of shape [C] or [N, C, ...], got a 0-d tensor");
        var shape = x.Layout.Shape;
        if (x.Rank == 1) return (Reshape(Contiguous(x), 1, shape[0], 1), []);
        int n = shape[0], c = shape[1], s = Layout.NumelOf(shape.AsSpan(2));
        if (c == 0) throw new ArgumentException($"{op}: input of shape {Layout.Fmt(shape)} has no classes");
        return (Reshape(Contiguous(x), n, c, s), [n, .. shape[2..]]);
    }

    /// <summary>Class-index targets as Int64 [N, S]; their shape must be the input's without axis 1.</summary>
    static Tensor ClassTargets(Tensor target, int[] posShape, Tensor input, string op)
    {
        if (target.DType is not (DType.Int64 or DType.Int32 or DType.UInt8))
            throw new ArgumentException($"{op}: class targets must be Int64 (or Int32), got {target.DType} of shape {Layout.Fmt(target.Layout.Shape)}");
        if (!target.Layout.Shape.AsSpan().SequenceEqual(posShape))
            throw new ArgumentException($"{op}: target of shape {Layout.Fmt(target.Layout.Shape)} does not match input of shape " +
                $"{Layout.Fmt(input.Layout.Shape)}; expected {Layout.Fmt(posShape)}");
        CheckSameDevice(op, input, target);
        int positions = Layout.NumelOf(posShape);
        return Reshape(Contiguous(ToDType(target, DType.Int64)), positions == 0 ? 0 : positions);
    }

    /// <summary>
    /// Per-position softmax cross-entropy of logits [N, C, d...] (or [C]) against Int64 class targets [N, d...] or
    /// probability targets of the logits' shape. Returns the loss [N, d...] and the log-sum-exp the backward reuses.
    /// </summary>
    public static (Tensor Loss, Tensor Lse) CrossEntropy(Tensor logits, Tensor target, double labelSmoothing, long ignoreIndex)
    {
        const string op = "cross_entropy";
        var (rows, pos) = ClassRows(logits, op);
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1))
            throw new ArgumentOutOfRangeException(nameof(labelSmoothing), $"{op}: label smoothing {labelSmoothing} must be in [0, 1]");
        var t = CrossEntropyTarget(target, rows, pos, logits, op);
        int positions = rows.Layout.Shape[0] * rows.Layout.Shape[2];
        var loss = Empty([positions], logits.DType, logits.Device);
        var lse = Empty([positions], logits.DType, logits.Device);
        Backend(logits).CrossEntropy(rows, t, loss, lse, labelSmoothing, ignoreIndex);
        return (Reshape(loss, pos), lse);
    }

    static Tensor CrossEntropyTarget(Tensor target, Tensor rows, int[] pos, Tensor logits, string op)
    {
        if (!target.DType.IsFloating()) return ClassTargets(target, pos, logits, op);
        if (!target.Layout.Shape.AsSpan().SequenceEqual(logits.Layout.Shape))
            throw new ArgumentException($"{op}: probability target of shape {Layout.Fmt(target.Layout.Shape)} must match input of shape {Layout.Fmt(logits.Layout.Shape)}");
        CheckSameDevice(op, logits, target);
        return Reshape(Contiguous(ToDType(target, logits.DType)), rows.Layout.Shape);
    }

    /// <summary>Gradients of <see cref="CrossEntropy"/> given dL/dloss per position (shape [N, d...]).</summary>
    public static (Tensor GradLogits, Tensor? GradTarget) CrossEntropyBackward(Tensor gradLoss, Tensor logits, Tensor target, Tensor lse,
        double labelSmoothing, long ignoreIndex, bool needTarget)
    {
        const string op = "cross_entropy";
        var (rows, pos) = ClassRows(logits, op);
        var t = CrossEntropyTarget(target, rows, pos, logits, op);
        var gl = Contiguous(ToDType(Expand(gradLoss, pos), logits.DType));
        var gz = EmptyLike(rows);
        var gt = needTarget && target.DType.IsFloating() ? EmptyLike(rows) : null;
        Backend(logits).CrossEntropyBackward(rows, t, lse, Reshape(gl, lse.Layout.Shape), gz, gt, labelSmoothing, ignoreIndex);
        return (Reshape(gz, logits.Layout.Shape), gt is null ? null : Reshape(gt, logits.Layout.Shape));
    }

    /// <summary>Per-position −input[n, target, d...] for log-probabilities [N, C, d...] (or [C]); 0 where target = ignoreIndex.</summary>
    public static Tensor NllLoss(Tensor input, Tensor target, long ignoreIndex)
    {
        const string op = "nll_loss";
        var (rows, pos) = ClassRows(input, op);
        var t = ClassTargets(target, pos, input, op);
        var loss = Empty([t.Numel], input.DType, input.Device);
        Backend(input).NllLoss(rows, t, loss, ignoreIndex);
        return Reshape(loss, pos);
    }

    public static Tensor NllLossBackward(Tensor gradLoss, Tensor input, Tensor target, long ignoreIndex)
    {
        const string op = "nll_loss";
        var (rows, pos) = ClassRows(input, op);
        var t = ClassTargets(target, pos, input, op);
        var gl = Reshape(Contiguous(ToDType(Expand(gradLoss, pos), input.DType)), t.Numel);
        var gi = EmptyLike(rows);
        Backend(input).NllLossBackward(gl, t, gi, ignoreIndex);
        return Reshape(gi, input.Layout.Shape);
    }

    /// <summary>Elementwise −(y·ln p + (1 − y)·ln(1 − p)) with each log clamped at −100; p and y of one shape.</summary>
    public static Tensor BinaryCrossEntropy(Tensor p, Tensor y)
    {
        const string op = "binary_cross_entropy";
        if (!p.DType.IsFloating())
            throw new ArgumentException($"{op}: expects a Float32 or Float64 input, got {p.DType} of shape {Layout.Fmt(p.Layout.Shape)}");
        if (!p.Layout.Shape.AsSpan().SequenceEqual(y.Layout.Shape))
            throw new ArgumentException($"{op}: target of shape {Layout.Fmt(y.Layout.Shape)} must match input of shape {Layout.Fmt(p.Layout.Shape)}");
        CheckSameDevice(op, p, y);
        var loss = EmptyLike(p);
        Backend(p).BinaryCrossEntropy(p, ToDType(y, p.DType), loss);
        return loss;
    }
}
