using Spike.Cuda.Native;

namespace Spike.Cuda;

/// <summary>
/// A device's primary context (the one the CUDA runtime would use, shared with any other library in the process)
/// plus one stream. Every call makes the context current on the calling thread first, so callers need not track
/// which thread set it. Throws <see cref="CudaUnavailableException"/> with the reason when there is no usable GPU.
/// </summary>
public sealed class CudaContext : IDisposable
{
    readonly int _device;
    nint _context, _stream;

    public CudaContext(int ordinal = 0)
    {
        Cuda.Require();
        if (ordinal < 0 || ordinal >= Cuda.Devices.Count)
            throw new CudaUnavailableException($"cuda:{ordinal} does not exist; this machine has {Cuda.Devices.Count} CUDA device(s)");
        Info = Cuda.Devices[ordinal];
        CuDriver.Check(CuDriver.cuDeviceGet(out _device, ordinal), "cuDeviceGet", $"cuda:{ordinal}");
        CuDriver.Check(CuDriver.cuDevicePrimaryCtxRetain(out _context, _device), "cuDevicePrimaryCtxRetain", $"cuda:{ordinal}");
        MakeCurrent();
        // A blocking stream (flags 0): the synchronous copies on the legacy default stream then order with its kernels.
        CuDriver.Check(CuDriver.cuStreamCreate(out _stream, 0), "cuStreamCreate");
    }

    public CudaDeviceInfo Info { get; }

    /// <summary>The stream kernels and async copies of this context are queued on.</summary>
    public nint Stream => _stream;

    public void MakeCurrent()
    {
        ObjectDisposedException.ThrowIf(_context == 0, this);
        CuDriver.Check(CuDriver.cuCtxSetCurrent(_context), "cuCtxSetCurrent", $"cuda:{Info.Ordinal}");
    }

    /// <summary>Waits for all work queued on <see cref="Stream"/>.</summary>
    public void Synchronize()
    {
        MakeCurrent();
        CuDriver.Check(CuDriver.cuStreamSynchronize(_stream), "cuStreamSynchronize", $"cuda:{Info.Ordinal}");
    }

    /// <summary>Free and total device memory in bytes.</summary>
    public (long Free, long Total) MemoryInfo()
    {
        MakeCurrent();
        CuDriver.Check(CuDriver.cuMemGetInfo(out nuint free, out nuint total), "cuMemGetInfo");
        return ((long)free, (long)total);
    }

    public void Dispose()
    {
        if (_context == 0) return;
        CuDriver.cuCtxSetCurrent(_context);
        if (_stream != 0) CuDriver.cuStreamDestroy(_stream);
        CuDriver.cuDevicePrimaryCtxRelease(_device);
        _stream = 0;
        _context = 0;
    }
}

/// <summary>A block of device memory (<c>CUdeviceptr</c>), freed on disposal. Copies are synchronous with respect to
/// the host: they wait for the context's stream first so queued kernels have finished writing.</summary>
public sealed unsafe class DeviceBuffer : IDisposable
{
    readonly CudaContext _context;

    public DeviceBuffer(CudaContext context, long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        _context = context;
        Bytes = bytes;
        context.MakeCurrent();
        CuDriver.Check(CuDriver.cuMemAlloc(out ulong ptr, (nuint)Math.Max(bytes, 1)), "cuMemAlloc",
            $"{bytes} bytes on cuda:{context.Info.Ordinal}, free/total {context.MemoryInfo()}");
        Pointer = ptr;
    }

    public ulong Pointer { get; private set; }
    public long Bytes { get; }

    public void CopyFrom<T>(ReadOnlySpan<T> source) where T : unmanaged
    {
        Check(source.Length * sizeof(T), "copy from host");
        _context.Synchronize();
        fixed (T* p = source) CuDriver.Check(CuDriver.cuMemcpyHtoD(Pointer, (nint)p, (nuint)(source.Length * sizeof(T))), "cuMemcpyHtoD");
    }

    public void CopyTo<T>(Span<T> destination) where T : unmanaged
    {
        Check(destination.Length * sizeof(T), "copy to host");
        _context.Synchronize();
        fixed (T* p = destination) CuDriver.Check(CuDriver.cuMemcpyDtoH((nint)p, Pointer, (nuint)(destination.Length * sizeof(T))), "cuMemcpyDtoH");
    }

    public void Clear()
    {
        _context.MakeCurrent();
        CuDriver.Check(CuDriver.cuMemsetD8Async(Pointer, 0, (nuint)Bytes, _context.Stream), "cuMemsetD8Async");
    }

    void Check(long bytes, string what)
    {
        ObjectDisposedException.ThrowIf(Pointer == 0, this);
        if (bytes > Bytes) throw new ArgumentException($"{what}: {bytes} bytes do not fit a device buffer of {Bytes} bytes");
    }

    public void Dispose()
    {
        if (Pointer == 0) return;
        _context.MakeCurrent();
        CuDriver.cuMemFree(Pointer);
        Pointer = 0;
    }
}
