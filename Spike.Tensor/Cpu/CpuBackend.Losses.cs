using System.Numerics;
using System.Numerics.Tensors;

namespace Spike.Cpu;

// logits / input: [N, C, S] contiguous; per-position tensors [N, S] contiguous; position q = n·S + s reads the
// C values at n·C·S + c·S + s. Each position is gathered into a per-thread row so the class loop runs SIMD.
public sealed partial class CpuBackend
{
    static NotSupportedException LossType(string op, Tensor x) =>
        new($"{op}: expects a Float32 or Float64 input, got {x.DType} of shape {Layout.Fmt(x.Layout.Shape)}");

    public void CrossEntropy(Tensor logits, Tensor target, Tensor? weight, Tensor loss, Tensor lse, Tensor? targetWeight,
        double labelSmoothing, long ignoreIndex)
    {
        if (Float16Widening.Widen(this, [logits, target, weight], [loss, lse, targetWeight], w => CrossEntropy(w[0], w[1], w[2], w[3], w[4], w[5], labelSmoothing, ignoreIndex))) return;
        if (logits.DType == DType.Float32) Ce<float>(logits, target, weight, loss, lse, targetWeight, null, null, null, labelSmoothing, ignoreIndex);
        else if (logits.DType == DType.Float64) Ce<double>(logits, target, weight, loss, lse, targetWeight, null, null, null, labelSmoothing, ignoreIndex);
        else throw LossType("cross_entropy", logits);
    }

    public void CrossEntropyBackward(Tensor logits, Tensor target, Tensor? weight, Tensor lse, Tensor gradLoss, Tensor gradLogits,
        Tensor? gradTarget, double labelSmoothing, long ignoreIndex)
    {
        if (Float16Widening.Widen(this, [logits, target, weight, lse, gradLoss], [gradLogits, gradTarget], w => CrossEntropyBackward(w[0], w[1], w[2], w[3], w[4], w[5], w[6], labelSmoothing, ignoreIndex))) return;
        if (logits.DType == DType.Float32) Ce<float>(logits, target, weight, null, lse, null, gradLoss, gradLogits, gradTarget, labelSmoothing, ignoreIndex);
        else if (logits.DType == DType.Float64) Ce<double>(logits, target, weight, null, lse, null, gradLoss, gradLogits, gradTarget, labelSmoothing, ignoreIndex);
        else throw LossType("cross_entropy", logits);
    }

    /// <summary>Class targets must lie in [0, C) or equal ignoreIndex; checked before any thread starts.</summary>
    static void CheckTargets(string op, Tensor target, int classes, long ignoreIndex)
    {
        var t = Data<long>(target);
        int o = target.Layout.Offset;
        for (int q = 0; q < target.Numel; q++)
        {
            long v = t[o + q];
            if (v != ignoreIndex && (v < 0 || v >= classes))
                throw new ArgumentOutOfRangeException(nameof(target), $"{op}: target {v} at position {q} is out of bounds for {classes} classes");
        }
    }

    /// <summary>The class weights as an array (all ones when absent) and their sum.</summary>
    static (T[] W, T Total) ClassWeights<T>(Tensor? weight, int c) where T : unmanaged, INumber<T>
    {
        var w = new T[c];
        if (weight is null) w.AsSpan().Fill(T.One);
        else Data<T>(weight).AsSpan(weight.Layout.Offset, c).CopyTo(w);
        return (w, TensorPrimitives.Sum<T>(w));
    }

    /// <summary>
    /// Forward (loss != null) or backward (gradLogits != null) of the fused softmax cross-entropy. With class weights w
    /// (W = Σ w) and class targets: loss = (1 − ε)·w_t·(lse − z_t) + ε/C·Σ_c w_c(lse − z_c), so
    /// d/dz = softmax·((1 − ε)w_t + ε/C·W) − (1 − ε)w_t·onehot − ε/C·w. Probability targets use y'·w in place of y'.
    /// </summary>
    static void Ce<T>(Tensor logits, Tensor target, Tensor? weight, Tensor? loss, Tensor lse, Tensor? targetWeight,
        Tensor? gradLoss, Tensor? gradLogits, Tensor? gradTarget, double eps, long ignoreIndex) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = logits.Layout.Shape[0], c = logits.Layout.Shape[1], s = logits.Layout.Shape[2];
        bool classTargets = target.DType == DType.Int64;
        if (classTargets) CheckTargets("cross_entropy", target, c, ignoreIndex);
        var (w, wSum) = ClassWeights<T>(weight, c);
        var z = Data<T>(logits); var l = Data<T>(lse);
        int zo = logits.Layout.Offset, lo = lse.Layout.Offset, to = target.Layout.Offset;
        var ti = classTargets ? Data<long>(target) : null;
        var tp = classTargets ? null : Data<T>(target);
        var outLoss = loss is null ? null : Data<T>(loss);
        var tw = targetWeight is null ? null : Data<T>(targetWeight);
        var gl = gradLoss is null ? null : Data<T>(gradLoss);
        var gz = gradLogits is null ? null : Data<T>(gradLogits);
        var gt = gradTarget is null ? null : Data<T>(gradTarget);
        int lossO = loss?.Layout.Offset ?? 0, twO = targetWeight?.Layout.Offset ?? 0, glO = gradLoss?.Layout.Offset ?? 0;
        int gzO = gradLogits?.Layout.Offset ?? 0, gtO = gradTarget?.Layout.Offset ?? 0;
        T smooth = T.CreateTruncating(eps / c), keep = T.CreateTruncating(1 - eps);
        NnParallel.For(n * s, (long)c * 4, (q0, q1) =>
        {
            var row = new T[c]; var y = new T[c]; var tmp = new T[c];
            for (int q = q0; q < q1; q++)
            {
                int b = (q / s) * c * s + q % s;
                Gather(z, zo + b, s, row);
                long t = classTargets ? ti![to + q] : 0;
                if (classTargets && t == ignoreIndex)
                {
                    if (outLoss is not null) { outLoss[lossO + q] = T.Zero; l[lo + q] = T.Zero; if (tw is not null) tw[twO + q] = T.Zero; }
                    else Scatter(gz!, gzO + b, s, T.Zero, tmp);
                    continue;
                }
                T wt = classTargets ? w[(int)t] : T.Zero;
                if (!classTargets)
                {
                    // y' = ((1 − ε)y + ε/C)·w
                    Gather(tp!, to + b, s, y);
                    TensorPrimitives.Multiply(y, keep, y);
                    TensorPrimitives.Add(y, smooth, y);
                    TensorPrimitives.Multiply<T>(y, w, y);
                }
                if (outLoss is not null)
                {
                    // lse = m + log Σ e^{z − m}: the largest term is e⁰, so nothing overflows.
                    T m = TensorPrimitives.Max<T>(row);
                    TensorPrimitives.Subtract(row, m, tmp);
                    TensorPrimitives.Exp<T>(tmp, tmp);
                    T lseV = m + T.Log(TensorPrimitives.Sum<T>(tmp));
                    l[lo + q] = lseV;
                    outLoss[lossO + q] = classTargets
                        ? keep * wt * (lseV - row[(int)t]) + smooth * (wSum * lseV - TensorPrimitives.Dot<T>(w, row))
                        : lseV * TensorPrimitives.Sum<T>(y) - TensorPrimitives.Dot<T>(y, row);
                    if (tw is not null) tw[twO + q] = wt;
                    continue;
                }
                T g = gl![glO + q];
                TensorPrimitives.Subtract(row, l[lo + q], tmp); // z − lse = log softmax
                if (gt is not null)
                {
                    // d loss / d y_c = (1 − ε)·w_c·(lse − z_c)
                    for (int k = 0; k < c; k++) gt[gtO + b + k * s] = -g * keep * w[k] * tmp[k];
                }
                TensorPrimitives.Exp<T>(tmp, tmp);
                if (classTargets)
                {
                    TensorPrimitives.Multiply(tmp, keep * wt + smooth * wSum, tmp);
                    tmp[(int)t] -= keep * wt;
                    TensorPrimitives.MultiplyAdd<T>(w, -smooth, tmp, tmp);
                }
                else
                {
                    TensorPrimitives.Multiply(tmp, TensorPrimitives.Sum<T>(y), tmp);
                    TensorPrimitives.Subtract<T>(tmp, y, tmp);
                }
                TensorPrimitives.Multiply(tmp, g, tmp);
                Scatter(gz!, gzO + b, s, T.One, tmp);
            }
        });
    }

    static void Gather<T>(T[] src, int start, int stride, Span<T> row) where T : unmanaged
    {
        if (stride == 1) src.AsSpan(start, row.Length).CopyTo(row);
        else for (int k = 0; k < row.Length; k++) row[k] = src[start + k * stride];
    }

    /// <summary>dst[start + k·stride] = scale == 0 ? 0 : row[k].</summary>
    static void Scatter<T>(T[] dst, int start, int stride, T scale, ReadOnlySpan<T> row) where T : unmanaged, INumber<T>
    {
        for (int k = 0; k < row.Length; k++) dst[start + k * stride] = scale == T.Zero ? T.Zero : row[k];
    }

    public void NllLoss(Tensor input, Tensor target, Tensor? weight, Tensor loss, Tensor? targetWeight, long ignoreIndex)
    {
        if (Float16Widening.Widen(this, [input, target, weight], [loss, targetWeight], w => NllLoss(w[0], w[1], w[2], w[3], w[4], ignoreIndex))) return;
        if (input.DType == DType.Float32) Nll<float>(input, target, weight, loss, targetWeight, ignoreIndex, backward: false);
        else if (input.DType == DType.Float64) Nll<double>(input, target, weight, loss, targetWeight, ignoreIndex, backward: false);
        else throw LossType("nll_loss", input);
    }

    public void NllLossBackward(Tensor gradLoss, Tensor target, Tensor? weight, Tensor gradInput, long ignoreIndex)
    {
        if (Float16Widening.Widen(this, [gradLoss, target, weight], [gradInput], w => NllLossBackward(w[0], w[1], w[2], w[3], ignoreIndex))) return;
        if (gradInput.DType == DType.Float32) Nll<float>(gradInput, target, weight, gradLoss, null, ignoreIndex, backward: true);
        else if (gradInput.DType == DType.Float64) Nll<double>(gradInput, target, weight, gradLoss, null, ignoreIndex, backward: true);
        else throw LossType("nll_loss", gradInput);
    }

    /// <summary>Forward: perPos = −w_t·input[n, t, s]. Backward: input (the gradient, zeroed) [n, t, s] = −w_t·perPos.</summary>
    static void Nll<T>(Tensor input, Tensor target, Tensor? weight, Tensor perPos, Tensor? targetWeight, long ignoreIndex, bool backward)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int c = input.Layout.Shape[1], s = input.Layout.Shape[2];
        CheckTargets("nll_loss", target, c, ignoreIndex);
        var (w, _) = ClassWeights<T>(weight, c);
        var x = Data<T>(input); var t = Data<long>(target); var p = Data<T>(perPos);
        var tw = targetWeight is null ? null : Data<T>(targetWeight);
        int xo = input.Layout.Offset, to = target.Layout.Offset, po = perPos.Layout.Offset, twO = targetWeight?.Layout.Offset ?? 0;
        if (backward) x.AsSpan(xo, input.Numel).Clear();
        for (int q = 0; q < target.Numel; q++)
        {
            long k = t[to + q];
            bool ignored = k == ignoreIndex;
            T wt = ignored ? T.Zero : w[k];
            int at = xo + (q / s) * c * s + (int)k * s + q % s;
            if (backward) { if (!ignored) x[at] = -wt * p[po + q]; }
            else
            {
                p[po + q] = ignored ? T.Zero : -wt * x[at];
                if (tw is not null) tw[twO + q] = wt;
            }
        }
    }

    public void BinaryCrossEntropy(Tensor p, Tensor y, Tensor loss)
    {
        if (Float16Widening.Widen(this, [p, y], [loss], w => BinaryCrossEntropy(w[0], w[1], w[2]))) return;
        if (p.DType == DType.Float32) Bce<float>(p, y, loss);
        else if (p.DType == DType.Float64) Bce<double>(p, y, loss);
        else throw LossType("binary_cross_entropy", p);
    }

    static void Bce<T>(Tensor p, Tensor y, Tensor loss) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var a = Data<T>(p); var b = Data<T>(y); var d = Data<T>(loss);
        T floor = T.CreateTruncating(-100);
        bool bad = false;
        Strided.ForEachRow(loss.Layout.Shape, [p.Layout, y.Layout, loss.Layout], (o, count, st) =>
        {
            for (int i = 0; i < count; i++)
            {
                T pv = a[o[0] + i * st[0]], yv = b[o[1] + i * st[1]];
                if (!(pv >= T.Zero && pv <= T.One)) { bad = true; continue; }
                T logP = T.Max(T.Log(pv), floor), log1mP = T.Max(T.Log(T.One - pv), floor);
                d[o[2] + i * st[2]] = -(yv * logP + (T.One - yv) * log1mP);
            }
        });
        if (bad)
            throw new ArgumentOutOfRangeException(nameof(p), $"binary_cross_entropy: all elements of the input of shape {Layout.Fmt(p.Layout.Shape)} must lie in [0, 1]");
    }
}
