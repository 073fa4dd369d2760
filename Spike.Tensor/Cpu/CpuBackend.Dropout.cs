using System.Numerics;

namespace Spike.Cpu;

public sealed partial class CpuBackend
{
    public void DropoutMask(Tensor dst, ulong seed, ulong offset, double p)
    {
        if (Float16Widening.Widen(this, [], [dst], w => DropoutMask(w[0], seed, offset, p))) return;
        if (dst.DType == DType.Float32) Mask<float>(dst, seed, offset, p);
        else if (dst.DType == DType.Float64) Mask<double>(dst, seed, offset, p);
        else throw new NotSupportedException($"dropout: the mask must be Float32 or Float64, got {dst.DType} of shape {Layout.Fmt(dst.Layout.Shape)}");
    }

    // dst: contiguous; element i uses counter offset + i whatever the thread split, so the mask is reproducible.
    static void Mask<T>(Tensor dst, ulong seed, ulong offset, double p) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var d = Data<T>(dst);
        int o = dst.Layout.Offset;
        double keep = 1 - p;
        T scale = keep > 0 ? T.CreateTruncating(1 / keep) : T.Zero;
        // Philox costs ~10 rounds per element, so threads pay off well below the elementwise threshold; the
        // uniforms come a SIMD batch at a time (bit-identical to Philox.UniformFloat per counter).
        NnParallel.For(dst.Numel, 8, (a, b) =>
        {
            Span<float> u = stackalloc float[1024];
            for (int i = a; i < b; i += u.Length)
            {
                var batch = u[..Math.Min(u.Length, b - i)];
                PhiloxBatch.UniformFloat(seed, offset + (ulong)i, batch);
                for (int k = 0; k < batch.Length; k++) d[o + i + k] = batch[k] < keep ? scale : T.Zero;
            }
        });
    }
}
