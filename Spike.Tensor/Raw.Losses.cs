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

    /// <summary>Class weights as a contiguous [C] tensor of the input's dtype, or null.</summary>
    static Tensor? ClassWeight(Tensor? weight, Tensor rows, Tensor input, string op)
    {
        if (weight is null) return null;
        int c = rows.Layout.Shape[1];
        if (weight.Rank != 1 || weight.Layout.Shape[0] != c)
            throw new ArgumentException($"{op}: weight of shape {Layout.Fmt(weight.Layout.Shape)} does not match the {c} classes of input {Layout.Fmt(input.Layout.Shape)}; expected [{c}]");
        CheckSameDevice(op, input, weight);
        return Contiguous(ToDType(weight, input.DType));
    }

    /// <summary>
    /// Per-position softmax cross-entropy of logits [N, C, d...] (or [C]) against Int64 class targets [N, d...] or
    /// probability targets of the logits' shape, with optional class weights [C]. Returns the loss [N, d...], the
    /// log-sum-exp the backward reuses and, for class targets, each position's target weight (0 where ignored; the
    /// divisor of the mean is their sum).
    /// </summary>
    public static (Tensor Loss, Tensor Lse, Tensor? TargetWeight) CrossEntropy(Tensor logits, Tensor target, Tensor? weight,
        double labelSmoothing, long ignoreIndex)
    {
        const string op = "cross_entropy";
        var (rows, pos) = ClassRows(logits, op);
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1))
            throw new ArgumentOutOfRangeException(nameof(labelSmoothing), $"{op}: label smoothing {labelSmoothing} must be in [0, 1]");
        var t = CrossEntropyTarget(target, rows, pos, logits, op);
        var w = ClassWeight(weight, rows, logits, op);
        int positions = rows.Layout.Shape[0] * rows.Layout.Shape[2];
        var loss = Empty([positions], logits.DType, logits.Device);
        var lse = Empty([positions], logits.DType, logits.Device);
        var tw = target.DType.IsFloating() ? null : Empty([positions], logits.DType, logits.Device);
        Backend(logits).CrossEntropy(rows, t, w, loss, lse, tw, labelSmoothing, ignoreIndex);
        return (Reshape(loss, pos), lse, tw is null ? null : Reshape(tw, pos));
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
    public static (Tensor GradLogits, Tensor? GradTarget) CrossEntropyBackward(Tensor gradLoss, Tensor logits, Tensor target, Tensor? weight,
        Tensor lse, double labelSmoothing, long ignoreIndex, bool needTarget)
    {
        const string op = "cross_entropy";
        var (rows, pos) = ClassRows(logits, op);
        var t = CrossEntropyTarget(target, rows, pos, logits, op);
        var gl = Contiguous(ToDType(Expand(gradLoss, pos), logits.DType));
        var gz = EmptyLike(rows);
        var gt = needTarget && target.DType.IsFloating() ? EmptyLike(rows) : null;
        Backend(logits).CrossEntropyBackward(rows, t, ClassWeight(weight, rows, logits, op), lse, Reshape(gl, lse.Layout.Shape), gz, gt,
            labelSmoothing, ignoreIndex);
        return (Reshape(gz, logits.Layout.Shape), gt is null ? null : Reshape(gt, logits.Layout.Shape));
    }

    /// <summary>Per-position −w_t·input[n, t, d...] for log-probabilities [N, C, d...] (or [C]); 0 where t = ignoreIndex.
    /// Also returns each position's w_t (0 where ignored), the weighted mean's divisor terms.</summary>
    public static (Tensor Loss, Tensor TargetWeight) NllLoss(Tensor input, Tensor target, Tensor? weight, long ignoreIndex)
    {
        const string op = "nll_loss";
        var (rows, pos) = ClassRows(input, op);
        var t = ClassTargets(target, pos, input, op);
        var loss = Empty([t.Numel], input.DType, input.Device);
        var tw = Empty([t.Numel], input.DType, input.Device);
        Backend(input).NllLoss(rows, t, ClassWeight(weight, rows, input, op), loss, tw, ignoreIndex);
        return (Reshape(loss, pos), Reshape(tw, pos));
    }

    public static Tensor NllLossBackward(Tensor gradLoss, Tensor input, Tensor target, Tensor? weight, long ignoreIndex)
    {
        const string op = "nll_loss";
        var (rows, pos) = ClassRows(input, op);
        var t = ClassTargets(target, pos, input, op);
        var gl = Reshape(Contiguous(ToDType(Expand(gradLoss, pos), input.DType)), t.Numel);
        var gi = EmptyLike(rows);
        Backend(input).NllLossBackward(gl, t, ClassWeight(weight, rows, input, op), gi, ignoreIndex);
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
