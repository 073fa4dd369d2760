namespace Spike.Cpu;

/// <summary>The CPU backend: SIMD over contiguous rows (TensorPrimitives, Vector256/512), a strided scalar
/// fallback, and multiple threads above <see cref="Strided.ParallelThreshold"/> elements.</summary>
public sealed partial class CpuBackend : IBackend
{
    public static readonly CpuBackend Instance = new();

    CpuBackend() { }

    public Device Device => Device.Cpu;

    public Storage Allocate(DType dtype, int length) => CpuStorage.Allocate(dtype, length);

    public Tensor ToCpu(Tensor src) => src;

    public Tensor FromCpu(Tensor src) => src;

    internal static T[] Data<T>(Tensor t) where T : unmanaged => ((CpuStorage)t.Storage).As<T>();
}
