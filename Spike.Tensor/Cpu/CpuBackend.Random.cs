namespace Spike.Cpu;

public sealed partial class CpuBackend
{
    /// <summary>Element i (row-major in dst) draws from counter offset + i, whatever dst's strides.</summary>
    public void Random(RandomKind kind, Tensor dst, ulong seed, ulong offset, double p0, double p1)
    {
        var values = new double[dst.Numel];
        bool single = dst.DType != DType.Float64;
        void Draw(int i)
        {
            ulong c = offset + (ulong)i;
            values[i] = kind switch
            {
                RandomKind.Uniform => p0 + (p1 - p0) * (single ? Philox.UniformFloat(seed, c) : Philox.UniformDouble(seed, c)),
                RandomKind.Normal => p0 + p1 * Philox.Normal(seed, c),
                _ => Philox.UniformFloat(seed, c) < p0 ? 1.0 : 0.0,
            };
        }
        if (values.Length >= Strided.ParallelThreshold / 8) Parallel.For(0, values.Length, Draw);
        else for (int i = 0; i < values.Length; i++) Draw(i);
        var src = new Tensor(new CpuStorage(values, DType.Float64), Layout.Contiguous(dst.Layout.Shape));
        Copy(src, dst);
    }
}
