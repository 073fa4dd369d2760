namespace Spike;

/// <summary>A flat buffer of elements that one or more tensors view through their layouts.</summary>
public abstract class Storage
{
    static long _created;

    /// <summary>Creation order of this storage among all storages of the process (1, 2, …). Backward uses it to tell
    /// gradients made during the pass from tensors that existed before it.</summary>
    internal long Serial { get; } = Interlocked.Increment(ref _created);

    /// <summary>The serial the next storage will get.</summary>
    internal static long NextSerial => Volatile.Read(ref _created) + 1;

    public abstract DType DType { get; }
    public abstract Device Device { get; }
    public abstract int Length { get; }
}

/// <summary>Managed-array storage of the CPU backend.</summary>
public sealed class CpuStorage : Storage
{
    public Array Data { get; }
    public override DType DType { get; }
    public override Device Device => Device.Cpu;
    public override int Length => Data.Length;

    public CpuStorage(Array data, DType dtype)
    {
        if (data.GetType().GetElementType() != dtype.ClrType())
            throw new ArgumentException($"storage: array of {data.GetType().GetElementType()?.Name} cannot hold {dtype}");
        Data = data;
        DType = dtype;
    }

    public static CpuStorage Allocate(DType dtype, int length) => new(dtype switch
    {
        DType.Float32 => Cpu.LargeArrays.Zeroed<float>(length),
        DType.Float64 => Cpu.LargeArrays.Zeroed<double>(length),
        DType.Int32 => Cpu.LargeArrays.Zeroed<int>(length),
        DType.Int64 => Cpu.LargeArrays.Zeroed<long>(length),
        DType.UInt8 => Cpu.LargeArrays.Zeroed<byte>(length),
        DType.Bool => Cpu.LargeArrays.Zeroed<bool>(length),
        DType.Float16 => Cpu.LargeArrays.Zeroed<Half>(length),
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), $"storage: unknown dtype {dtype}"),
    }, dtype);

    public T[] As<T>() where T : unmanaged => Data as T[]
        ?? throw new InvalidCastException($"storage holds {DType}, not {typeof(T).Name}");
}
