namespace Spike.Cuda;

/// <summary>
/// Device memory for one device, with freed blocks kept for reuse: a training step allocates the same sizes every
/// iteration, so after the first one almost nothing reaches the driver (whose alloc and free synchronise the device).
/// Sizes are rounded up (512 B steps below 1 MiB, 1 MiB steps above) and reused by exact rounded size. Blocks return
/// to the cache in stream order, so reusing one for the next tensor is safe without synchronising. On out-of-memory:
/// finalisable tensors are collected, every cached block goes back to the driver, and the allocation is retried once;
/// a second failure throws <see cref="CudaOutOfMemoryException"/>.
/// </summary>
public sealed class CachingAllocator
{
    const long SmallStep = 512, LargeStep = 1 << 20;
    readonly IDeviceRuntime _runtime;
    readonly Dictionary<long, Stack<ulong>> _cache = [];
    readonly Lock _lock = new();
    long _inUse, _cached, _peak;

    public CachingAllocator(IDeviceRuntime runtime) { _runtime = runtime; }

    /// <summary>Bytes held by live blocks (rounded sizes).</summary>
    public long InUseBytes { get { lock (_lock) return _inUse; } }

    /// <summary>Bytes held by freed blocks waiting for reuse.</summary>
    public long CachedBytes { get { lock (_lock) return _cached; } }

    /// <summary>The largest <see cref="InUseBytes"/> seen.</summary>
    public long PeakBytes { get { lock (_lock) return _peak; } }

    /// <summary>Allocations served by the driver (not from the cache).</summary>
    public int DriverAllocations { get; private set; }

    public static long RoundUp(long bytes)
    {
        long step = bytes < LargeStep ? SmallStep : LargeStep;
        return (Math.Max(bytes, 1) + step - 1) / step * step;
    }

    /// <summary>A block of at least <paramref name="bytes"/>; <paramref name="what"/> names the request in an out-of-memory message.</summary>
    public (ulong Pointer, long Size) Allocate(long bytes, string what)
    {
        long size = RoundUp(bytes);
        lock (_lock)
        {
            if (_cache.TryGetValue(size, out var free) && free.Count > 0)
            {
                _cached -= size;
                return (Take(free.Pop(), size), size);
            }
        }
        if (TryDriver(size, out var p)) return (p, size);
        // Tensors the program dropped without disposing may still hold blocks: let their finalisers return them.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        ReleaseCache();
        if (TryDriver(size, out p)) return (p, size);
        var (free0, total) = _runtime.MemoryInfo();
        throw new CudaOutOfMemoryException(
            $"cuda:{_runtime.Info.Ordinal} is out of memory: {what} needs {Size(bytes)} and the allocation failed again after the cache was released; " +
            $"this process holds {Size(InUseBytes)} in live tensors, the device has {Size(free0)} free of {Size(total)}. " +
            "Dispose tensors you no longer need (or use a CudaScope), or reduce the batch size.");
    }

    bool TryDriver(long size, out ulong pointer)
    {
        if (!_runtime.TryAllocate(size, out pointer)) return false;
        lock (_lock)
        {
            DriverAllocations++;
            Take(pointer, size);
        }
        return true;
    }

    ulong Take(ulong pointer, long size)
    {
        _inUse += size;
        _peak = Math.Max(_peak, _inUse);
        return pointer;
    }

    /// <summary>Returns a block for reuse (any thread, finalisers included).</summary>
    public void Return(ulong pointer, long size)
    {
        lock (_lock)
        {
            if (!_cache.TryGetValue(size, out var free)) _cache[size] = free = new Stack<ulong>();
            free.Push(pointer);
            _inUse -= size;
            _cached += size;
        }
    }

    /// <summary>Gives every cached block back to the driver.</summary>
    public void ReleaseCache()
    {
        List<ulong> blocks;
        lock (_lock)
        {
            blocks = _cache.Values.SelectMany(s => s).ToList();
            _cache.Clear();
            _cached = 0;
        }
        foreach (var b in blocks) _runtime.Free(b);
    }

    static string Size(long bytes) => bytes < LargeStep ? $"{bytes / 1024.0:F1} KiB" : $"{bytes / (1024.0 * 1024):F1} MiB";
}
