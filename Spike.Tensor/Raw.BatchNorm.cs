namespace Spike;

/// <summary>Batch normalisation over every axis but C of [N, C, ...], as torch.nn.functional.batch_norm.</summary>
public static partial class Raw
{
    /// <summary>x as [N, C, S] contiguous, checking rank, dtype and the per-channel vectors.</summary>
    static Tensor BatchNormRows(Tensor x, params Tensor?[] perChannel)
    {
        const string op = "batch_norm";
        if (x.Rank < 2)
            throw new ArgumentException($"{op}: expects an input of rank 2 or more ([N, C, ...]), got shape {Layout.Fmt(x.Layout.Shape)}");
        if (!x.DType.IsFloating())
            throw new ArgumentException($"{op}: expects a Float32 or Float64 input, got {x.DType} of shape {Layout.Fmt(x.Layout.Shape)}");
        int c = x.Layout.Shape[1];
        string[] names = ["running_mean", "running_var", "weight", "bias"];
        for (int i = 0; i < perChannel.Length; i++)
        {
            var t = perChannel[i];
            if (t is null) continue;
            if (t.Rank != 1 || t.Layout.Shape[0] != c)
                throw new ArgumentException($"{op}: {names[i]} of shape {Layout.Fmt(t.Layout.Shape)} does not match the {c} channels of input {Layout.Fmt(x.Layout.Shape)}; expected [{c}]");
            CheckSameDevice(op, x, t);
        }
        int n = x.Layout.Shape[0];
        return Reshape(Contiguous(x), n, c, n * c == 0 ? 0 : x.Numel / (n * c));
    }

    static Tensor? PerChannel(Tensor? t, DType dtype) => t is null ? null : Contiguous(ToDType(t, dtype));

    /// <summary>
    /// y = (x − μ)/√(σ² + eps)·weight + bias per channel. Training: μ, σ² are the batch mean and biased variance over
    /// all axes but C, and the running statistics (when given) are updated in place:
    /// running = (1 − momentum)·running + momentum·batch, with the unbiased variance σ²·M/(M − 1), M = numel / C.
    /// Evaluation: μ, σ² are the running statistics. Returns y and the μ, 1/√(σ² + eps) that backward needs.
    /// </summary>
    public static (Tensor Y, Tensor Mean, Tensor Invstd) BatchNorm(Tensor x, Tensor? runningMean, Tensor? runningVar,
        Tensor? weight, Tensor? bias, bool training, double momentum, double eps)
    {
        var rows = BatchNormRows(x, runningMean, runningVar, weight, bias);
        int c = rows.Layout.Shape[1];
        long m = (long)rows.Layout.Shape[0] * rows.Layout.Shape[2];
        if ((runningMean is null) != (runningVar is null))
            throw new ArgumentException($"batch_norm: running_mean and running_var must be given together (input {Layout.Fmt(x.Layout.Shape)})");
        Tensor mean, invstd;
        if (training)
        {
            if (m <= 1)
                throw new ArgumentException($"batch_norm: expected more than 1 value per channel when training, got input of shape {Layout.Fmt(x.Layout.Shape)}");
            mean = Empty([c], x.DType, x.Device);
            var variance = Empty([c], x.DType, x.Device);
            Backend(x).BatchNormStats(rows, mean, variance);
            invstd = Unary(UnaryOp.Rsqrt, Binary(BinaryOp.Add, variance, ScalarFor(eps, variance)));
            if (runningMean is not null && runningVar is not null)
            {
                var keep = 1 - momentum;
                CopyInto(Binary(BinaryOp.Add, Binary(BinaryOp.Mul, runningMean, ScalarFor(keep, runningMean)),
                    Binary(BinaryOp.Mul, mean, ScalarFor(momentum, mean))), runningMean);
                var unbiased = Binary(BinaryOp.Mul, variance, ScalarFor(m / (double)(m - 1), variance));
                CopyInto(Binary(BinaryOp.Add, Binary(BinaryOp.Mul, runningVar, ScalarFor(keep, runningVar)),
                    Binary(BinaryOp.Mul, unbiased, ScalarFor(momentum, unbiased))), runningVar);
            }
        }
        else
        {
            if (runningMean is null || runningVar is null)
                throw new ArgumentException($"batch_norm: running_mean and running_var are required in evaluation mode (input {Layout.Fmt(x.Layout.Shape)})");
            // Copies: later training steps update the running buffers in place, but backward needs today's values.
            mean = Clone(ToDType(runningMean, x.DType));
            var v = ToDType(runningVar, x.DType);
            invstd = Unary(UnaryOp.Rsqrt, Binary(BinaryOp.Add, v, ScalarFor(eps, v)));
        }
        var y = EmptyLike(rows);
        Backend(x).BatchNormApply(rows, mean, invstd, PerChannel(weight, x.DType), PerChannel(bias, x.DType), y);
        return (Reshape(y, x.Layout.Shape), mean, invstd);
    }

    /// <summary>Gradients of <see cref="BatchNorm"/> w.r.t. input, weight and bias (null where not asked for);
    /// batchStats says whether μ and σ came from the batch (training) and so depend on x.</summary>
    public static (Tensor? GradIn, Tensor? GradWeight, Tensor? GradBias) BatchNormBackward(Tensor gradOut, Tensor x,
        Tensor mean, Tensor invstd, Tensor? weight, bool batchStats, bool needIn, bool needWeight, bool needBias)
    {
        var rows = BatchNormRows(x, null, null, weight);
        var dy = Reshape(Contiguous(ToDType(gradOut, x.DType)), rows.Layout.Shape);
        int c = rows.Layout.Shape[1];
        var gi = needIn ? EmptyLike(rows) : null;
        var gw = needWeight ? Empty([c], x.DType, x.Device) : null;
        var gb = needBias ? Empty([c], x.DType, x.Device) : null;
        Backend(x).BatchNormBackward(dy, rows, mean, invstd, PerChannel(weight, x.DType), batchStats, gi, gw, gb);
        return (gi is null ? null : Reshape(gi, x.Layout.Shape), gw, gb);
    }
}
