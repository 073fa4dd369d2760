using System.Numerics;
using System.Numerics.Tensors;

namespace Spike.Cpu;

// logits / input: [N, C, S] contiguous; per-position tensors [N, S] contiguous; position q = n·S + s reads the
// C values at n·C·S + c·S + s. Each position is gathered into a per-thread row so the class loop runs SIMD.
public sealed partial class CpuBackend
{
    static NotSupportedException LossType(string op, Tensor x) =>
        new($"{op}: expects a Float32 or Float64 input, got {x.DType} of shape {Layout.Fmt(x.Layout.Shape)}");

    public void CrossEntropy(Tensor logits, Tensor target, Tensor loss, Tensor lse, double labelSmoothing, long ignoreIndex)
    {
        if (logits.DType == DType.Float32) Ce<float>(logits, target, loss, lse, null, null, null, labelSmoothing, ignoreIndex);
        else if (logits.DType == DType.Float64) Ce<double>(logits, target, loss, lse, null, null, null, labelSmoothing, ignoreIndex);
        else throw LossType("cross_entropy", logits);
    }

    public void CrossEntropyBackward(Tensor logits, Tensor target, Tensor lse, Tensor gradLoss, Tensor gradLogits, Tensor? gradTarget,
        double labelSmoothing, long ignoreIndex)
    {
        if (logits.DType == DType.Float32) Ce<float>(logits, target, null, lse, gradLoss, gradLogits, gradTarget, labelSmoothing, ignoreIndex);
        else if (logits.DType == DType.Float64) Ce<double>(logits, target, null, lse, gradLoss, gradLogits, gradTarget, labelSmoothing, ignoreIndex);
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

    /// <summary>Forward (loss != null) or backward (gradLogits != null) of the fused softmax cross-entropy.</summary>
    static void Ce<T>(Tensor logits, Tensor target, Tensor? loss, Tensor lse, Tensor? gradLoss, Tensor? gradLogits, Tensor? gradTarget,
        double eps, long ignoreIndex) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = logits.Layout.Shape[0], c = logits.Layout.Shape[1], s = logits.Layout.Shape[2];
        bool classTargets = target.DType == DType.Int64;
        if (classTargets) CheckTargets("cross_entropy", target, c, ignoreIndex);
        var z = Data<T>(logits); var l = Data<T>(lse);
        int zo = logits.Layout.Offset, lo = lse.Layout.Offset, to = target.Layout.Offset;
        var ti = classTargets ? Data<long>(target) : null;
        var tp = classTargets ? null : Data<T>(target);
        var outLoss = loss is null ? null : Data<T>(loss);
        var gl = gradLoss is null ? null : Data<T>(gradLoss);
        var gz = gradLogits is null ? null : Data<T>(gradLogits);
        var gt = gradTarget is null ? null : Data<T>(gradTarget);
        int lossO = loss?.Layout.Offset ?? 0, glO = gradLoss?.Layout.Offset ?? 0, gzO = gradLogits?.Layout.Offset ?? 0, gtO = gradTarget?.Layout.Offset ?? 0;
        T smooth = T.CreateTruncating(eps / c), keep = T.CreateTruncating(1 - eps);
        NnParallel.For(n * s, (long)c * 4, (q0, q1) =>
        {
            var row = new T[c]; var y = new T[c]; var tmp = new T[c];
            for (int q = q0; q < q1; q++)
            {
                int nIdx = q / s, sIdx = q % s, b = nIdx * c * s + sIdx;
                Gather(z, zo + b, s, row);
                long t = classTargets ? ti![to + q] : 0;
                if (classTargets && t == ignoreIndex)
                {
                    if (outLoss is not null) { outLoss[lossO + q] = T.Zero; l[lo + q] = T.Zero; }
                    else Scatter(gz!, gzO + b, s, T.Zero, tmp);
                    continue;
                }
                if (!classTargets)
                {
                    Gather(tp!, to + b, s, y);
                    TensorPrimitives.Multiply(y, keep, y);
                    TensorPrimitives.Add(y, smooth, y);
                }
                if (outLoss is not null)
                {
                    // lse = m + log Σ e^{z − m}: the largest term is e⁰, so nothing overflows.
                    T m = TensorPrimitives.Max<T>(row);
                    TensorPrimitives.Subtract(row, m, tmp);
                    TensorPrimitives.Exp<T>(tmp, tmp);
                    T lseV = m + T.Log(TensorPrimitives.Sum<T>(tmp));
                    l[lo + q] = lseV;
                    T value;
                    if (classTargets)
                        value = keep * (lseV - row[(int)t]) + smooth * (T.CreateTruncating(c) * lseV - TensorPrimitives.Sum<T>(row));
                    else
                        value = lseV * TensorPrimitives.Sum<T>(y) - TensorPrimitives.Dot<T>(y, row);
                    outLoss[lossO + q] = value;
                    continue;
                }
                T g = gl![glO + q], lseB = l[lo + q];
                // softmax = e^{z − lse}
                TensorPrimitives.Subtract(row, lseB, tmp);
                if (gt is not null)
                {
                    // d loss / d y_c = (1 − ε)(lse − z_c) = −(1 − ε)(z_c − lse)
                    for (int k = 0; k < c; k++) gt[gtO + b + k * s] = -g * keep * tmp[k];
                }
                TensorPrimitives.Exp<T>(tmp, tmp);
                if (classTargets)
                {
                    TensorPrimitives.Subtract(tmp, smooth, tmp);
                    tmp[(int)t] -= keep;
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

    public void NllLoss(Tensor input, Tensor target, Tensor loss, long ignoreIndex)
    {
        if (input.DType == DType.Float32) Nll<float>(input, target, loss, ignoreIndex, backward: false);
        else if (input.DType == DType.Float64) Nll<double>(input, target, loss, ignoreIndex, backward: false);
        else throw LossType("nll_loss", input);
    }

    public void NllLossBackward(Tensor gradLoss, Tensor target, Tensor gradInput, long ignoreIndex)
    {
        if (gradInput.DType == DType.Float32) Nll<float>(gradInput, target, gradLoss, ignoreIndex, backward: true);
        else if (gradInput.DType == DType.Float64) Nll<double>(gradInput, target, gradLoss, ignoreIndex, backward: true);
        else throw LossType("nll_loss", gradInput);
    }

    /// <summary>Forward: perPos = −input[n, t, s]. Backward: input (the gradient, zeroed) [n, t, s] = −perPos.</summary>
    static void Nll<T>(Tensor input, Tensor target, Tensor perPos, long ignoreIndex, bool backward) where T : unmanaged, INumber<T>
    {
        int c = input.Layout.Shape[1], s = input.Layout.Shape[2];
        CheckTargets("nll_loss", target, c, ignoreIndex);
        var x = Data<T>(input); var t = Data<long>(target); var p = Data<T>(perPos);
        int xo = input.Layout.Offset, to = target.Layout.Offset, po = perPos.Layout.Offset;
        if (backward) x.AsSpan(xo, input.Numel).Clear();
        for (int q = 0; q < target.Numel; q++)
        {
            long k = t[to + q];
            int at = xo + (q / s) * c * s + (int)k * s + q % s;
            if (backward) { if (k != ignoreIndex) x[at] = -p[po + q]; }
            else p[po + q] = k == ignoreIndex ? T.Zero : -x[at];
        }
    }

    public void BinaryCrossEntropy(Tensor p, Tensor y, Tensor loss)
    {
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
