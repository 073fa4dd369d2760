using System.Numerics;
using System.Numerics.Tensors;

namespace Spike.Cpu;

// x, y, dy, dx: [N, C, S] contiguous; mean, var, invstd, weight, bias and their grads: [C] contiguous.
// Channels are independent, so they are the unit of parallel work; each channel walks its N rows of S.
public sealed partial class CpuBackend
{
    static NotSupportedException BatchNormType(Tensor x) =>
        new($"batch_norm: expects a Float32 or Float64 tensor, got {x.DType} of shape {Layout.Fmt(x.Layout.Shape)}");

    public void BatchNormStats(Tensor x, Tensor mean, Tensor var)
    {
        if (Float16Widening.Widen(this, [x], [mean, var], w => BatchNormStats(w[0], w[1], w[2]))) return;
        if (x.DType == DType.Float32) BnStats<float>(x, mean, var);
        else if (x.DType == DType.Float64) BnStats<double>(x, mean, var);
        else throw BatchNormType(x);
    }

    public void BatchNormApply(Tensor x, Tensor mean, Tensor invstd, Tensor? weight, Tensor? bias, Tensor y)
    {
        if (Float16Widening.Widen(this, [x, mean, invstd, weight, bias], [y], w => BatchNormApply(w[0], w[1], w[2], w[3], w[4], w[5]))) return;
        if (x.DType == DType.Float32) BnApply<float>(x, mean, invstd, weight, bias, y);
        else if (x.DType == DType.Float64) BnApply<double>(x, mean, invstd, weight, bias, y);
        else throw BatchNormType(x);
    }

    public void BatchNormBackward(Tensor gradOut, Tensor x, Tensor mean, Tensor invstd, Tensor? weight, bool batchStats,
        Tensor? gradIn, Tensor? gradWeight, Tensor? gradBias)
    {
        if (Float16Widening.Widen(this, [gradOut, x, mean, invstd, weight], [gradIn, gradWeight, gradBias], w => BatchNormBackward(w[0], w[1], w[2], w[3], w[4], batchStats, w[5], w[6], w[7]))) return;
        if (x.DType == DType.Float32) BnBackward<float>(gradOut, x, mean, invstd, weight, batchStats, gradIn, gradWeight, gradBias);
        else if (x.DType == DType.Float64) BnBackward<double>(gradOut, x, mean, invstd, weight, batchStats, gradIn, gradWeight, gradBias);
        else throw BatchNormType(x);
    }

    static T At<T>(Tensor? t, int c, T absent) where T : unmanaged => t is null ? absent : Data<T>(t)[t.Layout.Offset + c];

    static void Set<T>(Tensor? t, int c, double v) where T : unmanaged, INumber<T>
    {
        if (t is not null) Data<T>(t)[t.Layout.Offset + c] = T.CreateTruncating(v);
    }

    static (int N, int C, int S) BnDims(Tensor x) => (x.Layout.Shape[0], x.Layout.Shape[1], x.Layout.Shape[2]);

    static void BnStats<T>(Tensor x, Tensor mean, Tensor var) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var s = Data<T>(x);
        var (n, c, len) = BnDims(x);
        int xo = x.Layout.Offset;
        double count = (double)n * len;
        NnParallel.For(c, (long)n * len * 2, (c0, c1) =>
        {
            var tmp = new T[len];
            for (int ch = c0; ch < c1; ch++)
            {
                double sum = 0;
                for (int i = 0; i < n; i++) sum += double.CreateTruncating(TensorPrimitives.Sum<T>(s.AsSpan(xo + (i * c + ch) * len, len)));
                double m = sum / count;
                // Second pass over the deviations: no cancellation when |mean| ≫ std.
                double sq = 0;
                for (int i = 0; i < n; i++)
                {
                    TensorPrimitives.Subtract(s.AsSpan(xo + (i * c + ch) * len, len), T.CreateTruncating(m), tmp);
                    sq += double.CreateTruncating(TensorPrimitives.SumOfSquares<T>(tmp));
                }
                Set<T>(mean, ch, m);
                Set<T>(var, ch, sq / count);
            }
        });
    }

    static void BnApply<T>(Tensor x, Tensor mean, Tensor invstd, Tensor? weight, Tensor? bias, Tensor y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var s = Data<T>(x); var d = Data<T>(y);
        var (n, c, len) = BnDims(x);
        int xo = x.Layout.Offset, yo = y.Layout.Offset;
        NnParallel.For(c, (long)n * len, (c0, c1) =>
        {
            for (int ch = c0; ch < c1; ch++)
            {
                // y = x·scale + shift with scale = w·σ⁻¹, shift = b − μ·scale: two SIMD passes over the row.
                double scale = double.CreateTruncating(At(invstd, ch, T.One)) * double.CreateTruncating(At(weight, ch, T.One));
                double shift = double.CreateTruncating(At(bias, ch, T.Zero)) - double.CreateTruncating(At(mean, ch, T.Zero)) * scale;
                T sc = T.CreateTruncating(scale), sh = T.CreateTruncating(shift);
                for (int i = 0; i < n; i++)
                {
                    int r = (i * c + ch) * len;
                    var dst = d.AsSpan(yo + r, len);
                    TensorPrimitives.Multiply(s.AsSpan(xo + r, len), sc, dst);
                    TensorPrimitives.Add<T>(dst, sh, dst);
                }
            }
        });
    }

    static void BnBackward<T>(Tensor gradOut, Tensor x, Tensor mean, Tensor invstd, Tensor? weight, bool batchStats,
        Tensor? gradIn, Tensor? gradWeight, Tensor? gradBias) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var dy = Data<T>(gradOut); var s = Data<T>(x);
        var dx = gradIn is null ? null : Data<T>(gradIn);
        var (n, c, len) = BnDims(x);
        int go = gradOut.Layout.Offset, xo = x.Layout.Offset, gi = gradIn?.Layout.Offset ?? 0;
        double count = (double)n * len;
        NnParallel.For(c, (long)n * len * 3, (c0, c1) =>
        {
            var xmu = new T[len];
            for (int ch = c0; ch < c1; ch++)
            {
                double m = double.CreateTruncating(At(mean, ch, T.Zero)), inv = double.CreateTruncating(At(invstd, ch, T.One));
                double w = double.CreateTruncating(At(weight, ch, T.One));
                // sumDy = Σ dy, dot = Σ dy·(x − μ) over the channel.
                double sumDy = 0, dot = 0;
                for (int i = 0; i < n; i++)
                {
                    int r = (i * c + ch) * len;
                    var dyRow = dy.AsSpan(go + r, len);
                    TensorPrimitives.Subtract(s.AsSpan(xo + r, len), T.CreateTruncating(m), xmu);
                    sumDy += double.CreateTruncating(TensorPrimitives.Sum<T>(dyRow));
                    dot += double.CreateTruncating(TensorPrimitives.Dot<T>(dyRow, xmu));
                }
                Set<T>(gradWeight, ch, dot * inv);
                Set<T>(gradBias, ch, sumDy);
                if (dx is null) continue;
                // Training: dx = w·σ⁻¹·(dy − sumDy/M − (x − μ)·σ⁻²·dot/M) = a·dy + b·(x − μ) + k.
                double a = w * inv;
                double b = batchStats ? -a * inv * inv * dot / count : 0;
                double k = batchStats ? -a * sumDy / count : 0;
                T ta = T.CreateTruncating(a), tb = T.CreateTruncating(b), tk = T.CreateTruncating(k);
                for (int i = 0; i < n; i++)
                {
                    int r = (i * c + ch) * len;
                    var dst = dx.AsSpan(gi + r, len);
                    TensorPrimitives.Subtract(s.AsSpan(xo + r, len), T.CreateTruncating(m), xmu);
                    TensorPrimitives.Multiply<T>(xmu, tb, dst);
                    TensorPrimitives.Add<T>(dst, tk, dst);
                    TensorPrimitives.MultiplyAdd<T>(dy.AsSpan(go + r, len), ta, dst, dst);
                }
            }
        });
    }
}
