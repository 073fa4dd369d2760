namespace Spike.Cuda;

/// <summary>
/// Device memory holding one tensor storage, from the device's <see cref="CachingAllocator"/>. The GC cannot see device
/// memory, so <see cref="Dispose"/> (directly, through <see cref="Tensor.Dispose"/>, or at the end of a
/// <see cref="CudaScope"/>) returns the block at once; a finaliser returns it if the tensor is simply dropped.
/// Using a storage after it was freed throws <see cref="ObjectDisposedException"/>, never reads stale memory.
/// </summary>
public sealed class CudaStorage : Storage, IDisposable
{
    readonly CachingAllocator _allocator;
    readonly long _blockSize;
    ulong _pointer;

    internal CudaStorage(CachingAllocator allocator, Device device, DType dtype, int length)
    {
        _allocator = allocator;
        Device = device;
        DType = dtype;
        Length = length;
        (_pointer, _blockSize) = allocator.Allocate(Math.Max(1L, (long)length * dtype.ElementSize()), $"a {dtype} tensor of {length} elements");
        CudaScope.Track(this);
    }

    public override DType DType { get; }
    public override Device Device { get; }
    public override int Length { get; }

    public bool IsDisposed => Volatile.Read(ref _pointer) == 0;

    /// <summary>The device address of element 0.</summary>
    public ulong Pointer
    {
        get
        {
            ulong p = Volatile.Read(ref _pointer);
            return p != 0 ? p : throw new ObjectDisposedException(nameof(CudaStorage),
                $"the {DType} storage of {Length} elements on {Device} was freed (disposed, or its CudaScope ended); keep tensors that outlive a scope with CudaScope.Keep");
        }
    }

    public void Dispose()
    {
        Release();
        GC.SuppressFinalize(this);
    }

    ~CudaStorage() => Release();

    void Release()
    {
        ulong p = Interlocked.Exchange(ref _pointer, 0);
        if (p != 0) _allocator.Return(p, _blockSize);
    }
}
