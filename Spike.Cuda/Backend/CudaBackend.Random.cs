namespace Spike.Cuda;

public sealed partial class CudaBackend
{
    /// <summary>
    /// Counter-based fills (kernels/random.cu), element i of the row-major order from counter offset + i: the same
    /// numbers as <c>CpuBackend.Random</c>. Other dtypes draw Float32 and convert, as on the CPU; a strided dst is
    /// filled through a contiguous temporary.
    /// </summary>
    public void Random(RandomKind kind, Tensor dst, ulong seed, ulong offset, double p0, double p1)
    {
        if (dst.DType is not (DType.Float32 or DType.Float64) || !dst.IsContiguous)
        {
            var tmp = Temp(dst.DType is DType.Float64 ? DType.Float64 : DType.Float32, dst.Layout.Shape);
            Random(kind, tmp, seed, offset, p0, p1);
            Copy(tmp, dst);
            return;
        }
        long n = dst.Numel;
        string name = kind switch { RandomKind.Uniform => "uniform", RandomKind.Normal => "normal", _ => "bernoulli" };
        var args = new KernelArgs().Add(n).Add(seed).Add(offset).Add(p0);
        if (kind != RandomKind.Bernoulli) args.Add(p1);
        Run(Programs.Random, $"{name}_{Sfx(dst.DType)}", n, args.Add(At(dst)));
    }

    /// <summary>dst (contiguous) = 1/(1 − p) where UniformFloat(seed, offset + i) &lt; 1 − p, else 0.</summary>
    public void DropoutMask(Tensor dst, ulong seed, ulong offset, double p)
    {
        if (Float16Widening.Widen(this, [], [dst], w => DropoutMask(w[0], seed, offset, p))) return;
        long n = dst.Numel;
        double keep = 1 - p;
        var args = new KernelArgs().Add(n).Add(seed).Add(offset).Add(keep);
        if (dst.DType == DType.Float32) args.Add(keep > 0 ? (float)(1 / keep) : 0f);
        else if (dst.DType == DType.Float64) args.Add(keep > 0 ? 1 / keep : 0.0);
        else
        {
            args.Dispose();
            throw new NotSupportedException($"dropout: the mask must be Float32 or Float64, got {dst.DType} of shape {Layout.Fmt(dst.Layout.Shape)}");
        }
        Run(Programs.Random, $"dropout_mask_{Sfx(dst.DType)}", n, args.Add(At(dst)));
    }
}
