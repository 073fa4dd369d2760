namespace Spike;

/// <summary>A flat buffer of elements that one or more tensors view through their layouts.</summary>
public abstract class Storage
{
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
        DType.Int32 => new int[length],
        DType.Int64 => new long[length],
        DType.UInt8 => new byte[length],
        DType.Bool => new bool[length],
        DType.Float16 => new Half[length],
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), $"storage: unknown dtype {dtype}"),
    }, dtype);

    public T[] As<T>() where T : unmanaged => Data as T[]
        ?? throw new InvalidCastException($"storage holds {DType}, not {typeof(T).Name}");
}
