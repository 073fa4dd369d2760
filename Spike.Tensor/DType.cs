namespace Spike;

/// <summary>Element type of a tensor. Bool is stored one byte per element (as .NET <c>bool</c>); Float16 is IEEE
/// binary16 stored as <see cref="System.Half"/>, computed in float and rounded back (see docs/dtypes.md).</summary>
public enum DType
{
    Float32,
    Float64,
    Int32,
    Int64,
    UInt8,
    Bool,
    Float16,
}

/// <summary>Facts about a <see cref="DType"/> and the type-promotion rule used by binary ops.</summary>
public static class DTypes
{
    public static int ElementSize(this DType d) => d switch
    {
        DType.Float32 or DType.Int32 => 4,
        DType.Float64 or DType.Int64 => 8,
        DType.Float16 => 2,
        DType.UInt8 or DType.Bool => 1,
        _ => throw Unknown(d),
    };

    public static bool IsFloating(this DType d) => d is DType.Float32 or DType.Float64 or DType.Float16;

    public static Type ClrType(this DType d) => d switch
    {
        DType.Float32 => typeof(float),
        DType.Float64 => typeof(double),
        DType.Int32 => typeof(int),
        DType.Int64 => typeof(long),
        DType.UInt8 => typeof(byte),
        DType.Bool => typeof(bool),
        DType.Float16 => typeof(Half),
        _ => throw Unknown(d),
    };

    public static DType Of<T>() where T : unmanaged =>
        typeof(T) == typeof(float) ? DType.Float32
        : typeof(T) == typeof(double) ? DType.Float64
        : typeof(T) == typeof(int) ? DType.Int32
        : typeof(T) == typeof(long) ? DType.Int64
        : typeof(T) == typeof(byte) ? DType.UInt8
        : typeof(T) == typeof(bool) ? DType.Bool
        : typeof(T) == typeof(Half) ? DType.Float16
        : throw new NotSupportedException($"Spike has no dtype for {typeof(T).Name}");

    /// <summary>
    /// Result type of a binary op, as in PyTorch for tensor-tensor operands:
    /// Bool &lt; UInt8 &lt; Int32 &lt; Int64 &lt; Float16 &lt; Float32 &lt; Float64 (the larger category wins, so Float16
    /// with any integer stays Float16 and Float16 with Float32 is Float32).
    /// </summary>
    public static DType Promote(DType a, DType b) => Rank(a) >= Rank(b) ? a : b;

    /// <summary>The floating type an op that needs real numbers (exp, mean, ...) computes in.</summary>
    public static DType ToFloating(this DType d) => d.IsFloating() ? d : DType.Float32;

    static int Rank(DType d) => d switch
    {
        DType.Bool => 0,
        DType.UInt8 => 1,
        DType.Int32 => 2,
        DType.Int64 => 3,
        DType.Float16 => 4,
        DType.Float32 => 5,
        DType.Float64 => 6,
        _ => throw Unknown(d),
    };

    static ArgumentOutOfRangeException Unknown(DType d) => new(nameof(d), $"unknown dtype {(int)d}");
}
