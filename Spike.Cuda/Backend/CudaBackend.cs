using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace Spike.Cuda;

/// <summary>
/// The CUDA implementation of <see cref="IBackend"/>: storage in device memory through a <see cref="CachingAllocator"/>,
/// every op a kernel from <c>kernels/</c> (compiled by NVRTC on first use) or a cuBLAS GEMM, all queued on one stream
/// and synchronised only when data returns to the host. Device operations go through an <see cref="IDeviceRuntime"/>,
/// a GPU's (<see cref="CudaRuntime"/>) in production. <see cref="Initialize"/> registers the backend for
/// <see cref="DeviceKind.Cuda"/>; after it, <c>tensor.To(Device.Cuda(0))</c> and <c>module.To(Device.Cuda(0))</c> work.
/// </summary>
public sealed partial class CudaBackend : IBackend
{
    static readonly ConcurrentDictionary<int, Lazy<CudaBackend>> Instances = new();
    readonly IDeviceRuntime _runtime;

    internal CudaBackend(IDeviceRuntime runtime, int ordinal)
    {
        _runtime = runtime;
        Device = Device.Cuda(ordinal);
        Allocator = new CachingAllocator(runtime);
    }

    public Device Device { get; }

    /// <summary>The device's memory pool (in use, cached and peak bytes).</summary>
    public CachingAllocator Allocator { get; }

    /// <summary>The device this backend runs on.</summary>
    public CudaDeviceInfo Info => _runtime.Info;

    /// <summary>
    /// Registers the CUDA backend for every <c>cuda:N</c> device. Cheap and safe without a GPU: the device is opened on
    /// first use, and a machine without a usable GPU then gets a <see cref="CudaUnavailableException"/> saying why, while
    /// CPU tensors keep working.
    /// </summary>
    public static void Initialize() => Backends.Register(DeviceKind.Cuda, For);

    /// <summary>The backend of cuda:<paramref name="ordinal"/>, opening the device on first use.</summary>
    public static CudaBackend For(int ordinal) =>
        Instances.GetOrAdd(ordinal, o => new Lazy<CudaBackend>(() => Open(o))).Value;

    static CudaBackend Open(int ordinal)
    {
        try { return new CudaBackend(new CudaRuntime(ordinal), ordinal); }
        catch (CudaUnavailableException e)
        {
            throw new CudaUnavailableException($"{e.Message}. CPU tensors and modules keep working; keep them on Device.Cpu.");
        }
    }

    /// <summary>Makes <paramref name="runtime"/> the device behind cuda:<paramref name="ordinal"/> (tests run the backend on
    /// a host runtime this way) and registers the backend; returns it.</summary>
    internal static CudaBackend Use(IDeviceRuntime runtime, int ordinal = 0)
    {
        var backend = new CudaBackend(runtime, ordinal);
        Instances[ordinal] = new Lazy<CudaBackend>(backend);
        Initialize();
        return backend;
    }

    /// <summary>Forgets the backend of cuda:<paramref name="ordinal"/> (the next use opens the device again).</summary>
    internal static void Forget(int ordinal) => Instances.TryRemove(ordinal, out _);

    /// <summary>Waits for every queued kernel and copy.</summary>
    public void Synchronize() => _runtime.Synchronize();

    public Storage Allocate(DType dtype, int length) => new CudaStorage(Allocator, Device, dtype, length);

    public unsafe Tensor ToCpu(Tensor src)
    {
        var dense = Dense(src);
        var cpu = Raw.Empty(src.Layout.Shape, src.DType, Device.Cpu);
        var array = ((CpuStorage)cpu.Storage).Data;
        long bytes = (long)src.Numel * src.DType.ElementSize();
        if (bytes > 0)
            fixed (byte* p = &MemoryMarshal.GetArrayDataReference(array)) _runtime.CopyToHost(p, At(dense), bytes);
        return cpu;
    }

    public unsafe Tensor FromCpu(Tensor src)
    {
        var dense = Raw.Contiguous(src);
        var dst = Raw.Empty(src.Layout.Shape, src.DType, Device);
        int size = src.DType.ElementSize();
        long bytes = (long)src.Numel * size;
        var array = ((CpuStorage)dense.Storage).Data;
        if (bytes > 0)
            fixed (byte* p = &MemoryMarshal.GetArrayDataReference(array)) _runtime.CopyToDevice(Ptr(dst), p + (long)dense.Layout.Offset * size, bytes);
        return dst;
    }

    // ---- helpers shared by the op files -----------------------------------------------------------------------

    /// <summary>The device address of the tensor's storage (element 0; kernels add the layout's offset).</summary>
    ulong Ptr(Tensor t)
    {
        if (t.Storage is not CudaStorage s || t.Device != Device)
            throw new ArgumentException($"{Device}: expected a tensor on {Device}, got one on {t.Device} with shape {Layout.Fmt(t.Layout.Shape)}");
        return s.Pointer;
    }

    /// <summary>The device address of the tensor's first element (for kernels that take contiguous data).</summary>
    ulong At(Tensor t) => Ptr(t) + (ulong)((long)t.Layout.Offset * t.DType.ElementSize());

    /// <summary>An optional operand's first element, or a null pointer.</summary>
    ulong AtOrNull(Tensor? t) => t is null ? 0 : At(t);

    /// <summary>The tensor itself when contiguous, else a contiguous copy on the device.</summary>
    Tensor Dense(Tensor t)
    {
        if (t.IsContiguous) return t;
        var d = Raw.EmptyLike(t);
        Copy(t, d);
        return d;
    }

    static KernelLayout L(Tensor t) => KernelLayout.From(t.Layout);

    /// <summary>Kernel name suffix of a dtype; Bool shares the u8 kernels (its bytes are 0 or 1). Only copies, casts,
    /// elementwise ops, neurons and Poisson have f16 kernels; every other op reaches Float16 through
    /// <see cref="Float16Widening"/> (Float32 twins on the device, rounded back).</summary>
    static string Sfx(DType d) => d switch
    {
        DType.Float32 => "f32",
        DType.Float64 => "f64",
        DType.Int32 => "i32",
        DType.Int64 => "i64",
        DType.Float16 => "f16",
        DType.UInt8 or DType.Bool => "u8",
        _ => throw new NotSupportedException($"CUDA: no kernels for dtype {d}"),
    };

    /// <summary>Launches a grid-stride kernel over <paramref name="work"/> items (nothing when 0) and frees the arguments.</summary>
    void Run(KernelVariant program, string kernel, long work, KernelArgs args)
    {
        using (args)
        {
            if (work <= 0) return;
            int block = _runtime.BlockSize;
            _runtime.Launch(program, kernel, new LaunchShape(CudaModule.GridFor(work, block, Info), block), args);
        }
    }

    /// <summary>Launches a one-block-per-row kernel over <paramref name="rows"/> rows (with block-wide reductions unless
    /// <paramref name="blockSync"/> is false).</summary>
    void RunRows(KernelVariant program, string kernel, long rows, KernelArgs args, bool blockSync = true)
    {
        using (args)
        {
            if (rows <= 0) return;
            int block = _runtime.BlockSize;
            int grid = (int)Math.Min(rows, Math.Max(1, Info.Multiprocessors) * 32L);
            _runtime.Launch(program, kernel, new LaunchShape(grid, block, blockSync), args);
        }
    }

    /// <summary>A device tensor used inside one op (freed by the GC or the enclosing scope like any other).</summary>
    Tensor Temp(DType dtype, params int[] shape) => Raw.Empty(shape, dtype, Device);

    static NotSupportedException Unsupported(string op, Tensor x) =>
        new($"{op}: not defined for {x.DType} tensors (shape {Layout.Fmt(x.Layout.Shape)}) on CUDA");
}

/// <summary>The kernel programs of kernels/ that the backend launches (one compilation each).</summary>
internal static class Programs
{
    public static readonly KernelVariant Elementwise = new("elementwise.cu");
    public static readonly KernelVariant Copy = new("copy.cu");
    public static readonly KernelVariant Reduce = new("reduce.cu");
    public static readonly KernelVariant Softmax = new("softmax.cu");
    public static readonly KernelVariant Losses = new("losses.cu");
    public static readonly KernelVariant Pooling = new("pooling.cu");
    public static readonly KernelVariant BatchNorm = new("batchnorm.cu");
    public static readonly KernelVariant Indexing = new("indexing.cu");
    public static readonly KernelVariant Conv = new("conv.cu");
    public static readonly KernelVariant Matmul = new("matmul.cu");
    public static readonly KernelVariant Random = new("random.cu");
    public static readonly KernelVariant Sparse = new("sparse.cu");
}
