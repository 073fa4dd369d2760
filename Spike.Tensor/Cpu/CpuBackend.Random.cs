using System.Numerics;

namespace Spike.Cpu;

public sealed partial class CpuBackend
{
    /// <summary>Element i (row-major in dst) draws from counter offset + i, whatever dst's strides or the thread
    /// that computes it, so results never depend on the machine.</summary>
    public void Random(RandomKind kind, Tensor dst, ulong seed, ulong offset, double p0, double p1)
    {
        var target = dst.IsContiguous ? dst : Raw.EmptyLike(dst);
        switch (target.DType)
        {
            case DType.Float32: Draw<float>(kind, target, seed, offset, p0, p1, single: true); break;
            case DType.Float64: Draw<double>(kind, target, seed, offset, p0, p1, single: false); break;
            default:
                var tmp = Raw.EmptyLike(target, DType.Float32);
                Draw<float>(kind, tmp, seed, offset, p0, p1, single: true);
                Copy(tmp, target);
                break;
        }
        if (!ReferenceEquals(target, dst)) Copy(target, dst);
    }

    static void Draw<T>(RandomKind kind, Tensor dst, ulong seed, ulong offset, double p0, double p1, bool single)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var d = Data<T>(dst);
        int start = dst.Layout.Offset, n = dst.Numel;
        void Range(int a, int b)
        {
            // The common case (Poisson encoding, dropout masks): U[0, 1) floats, drawn eight counters at a time.
            if (kind == RandomKind.Uniform && single && p0 == 0 && p1 == 1 && d is float[] f)
            {
                PhiloxBatch.UniformFloat(seed, offset + (ulong)a, f.AsSpan(start + a, b - a));
                return;
            }
            if (kind == RandomKind.Bernoulli || (kind == RandomKind.Uniform && single))
            {
                // These use only the first Philox word, as a float: draw it a SIMD batch at a time.
                Span<float> u = stackalloc float[1024];
                for (int i = a; i < b; i += u.Length)
                {
                    var batch = u[..Math.Min(u.Length, b - i)];
                    PhiloxBatch.UniformFloat(seed, offset + (ulong)i, batch);
                    for (int k = 0; k < batch.Length; k++)
                        d[start + i + k] = T.CreateTruncating(kind == RandomKind.Uniform ? p0 + (p1 - p0) * batch[k] : batch[k] < p0 ? 1.0 : 0.0);
                }
                return;
            }
            for (int i = a; i < b; i++)
            {
                ulong c = offset + (ulong)i;
                double v = kind switch
                {
                    RandomKind.Uniform => p0 + (p1 - p0) * Philox.UniformDouble(seed, c),
                    _ => p0 + p1 * Philox.Normal(seed, c),
                };
                d[start + i] = T.CreateTruncating(v);
            }
        }
        const int chunk = 1 << 14;
        if (n < 2 * chunk) { Range(0, n); return; }
        WorkerTeam.For(0, (n + chunk - 1) / chunk, k => Range(k * chunk, Math.Min(n, (k + 1) * chunk)));
    }
}
