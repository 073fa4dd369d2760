namespace Spike.Cuda;

public sealed partial class CudaBackend
{
    // x, y, dy, dx: [N, C, S] contiguous; per-channel vectors [C] (kernels/batchnorm.cu). Channel sums in double, one
    // block per channel.

    public void BatchNormStats(Tensor x, Tensor mean, Tensor var)
    {
        if (Float16Widening.Widen(this, [x], [mean, var], w => BatchNormStats(w[0], w[1], w[2]))) return;
        var (n, c, s) = BnDims(x);
        RunRows(Programs.BatchNorm, $"bn_stats_{Sfx(x.DType)}", c, new KernelArgs().Add(n).Add(c).Add(s).Add(At(x)).Add(At(mean)).Add(At(var)));
    }

    public void BatchNormApply(Tensor x, Tensor mean, Tensor invstd, Tensor? weight, Tensor? bias, Tensor y)
    {
        if (Float16Widening.Widen(this, [x, mean, invstd, weight, bias], [y], w => BatchNormApply(w[0], w[1], w[2], w[3], w[4], w[5]))) return;
        var (n, c, s) = BnDims(x);
        Run(Programs.BatchNorm, $"bn_apply_{Sfx(x.DType)}", n * c * s, new KernelArgs().Add(n).Add(c).Add(s).Add(At(x))
            .Add(At(mean)).Add(At(invstd)).Add(AtOrNull(weight)).Add(AtOrNull(bias)).Add(At(y)));
    }

    /// <summary>A reduction per channel (sums, dweight, dbias and the dx coefficients), then dx elementwise.</summary>
    public void BatchNormBackward(Tensor gradOut, Tensor x, Tensor mean, Tensor invstd, Tensor? weight, bool batchStats,
        Tensor? gradIn, Tensor? gradWeight, Tensor? gradBias)
    {
        if (Float16Widening.Widen(this, [gradOut, x, mean, invstd, weight], [gradIn, gradWeight, gradBias], w => BatchNormBackward(w[0], w[1], w[2], w[3], w[4], batchStats, w[5], w[6], w[7]))) return;
        var (n, c, s) = BnDims(x);
        var coef = Temp(DType.Float64, (int)c, 4);
        RunRows(Programs.BatchNorm, $"bn_bwd_reduce_{Sfx(x.DType)}", c, new KernelArgs().Add(n).Add(c).Add(s).Add(At(gradOut)).Add(At(x))
            .Add(At(mean)).Add(At(invstd)).Add(AtOrNull(weight)).Add(batchStats ? 1 : 0).Add(AtOrNull(gradWeight)).Add(AtOrNull(gradBias)).Add(At(coef)));
        if (gradIn is null) return;
        Run(Programs.BatchNorm, $"bn_bwd_apply_{Sfx(x.DType)}", n * c * s,
            new KernelArgs().Add(n).Add(c).Add(s).Add(At(gradOut)).Add(At(x)).Add(At(coef)).Add(At(gradIn)));
    }

    static (long N, long C, long S) BnDims(Tensor x)
    {
        if (!x.DType.IsFloating())
            throw new NotSupportedException($"batch_norm: expects a Float32 or Float64 tensor, got {x.DType} of shape {Layout.Fmt(x.Layout.Shape)}");
        return (x.Layout.Shape[0], x.Layout.Shape[1], x.Layout.Shape[2]);
    }
}
