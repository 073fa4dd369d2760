using System.Buffers.Binary;

namespace Spike.Datasets;

/// <summary>
/// Bounds-checked cursor over a byte buffer. Every read that would run past the end throws a
/// <see cref="DatasetFormatException"/> naming the source and the offset, so parsers never index blindly.
/// </summary>
internal ref struct ByteReader
{
    private readonly ReadOnlySpan<byte> _data;
    public readonly string Source;
    public int Position;

    public ByteReader(ReadOnlySpan<byte> data, string source, int position = 0)
    {
        _data = data;
        Source = source;
        Position = position;
    }

    public readonly int Length => _data.Length;
    public readonly int Remaining => _data.Length - Position;
    public readonly ReadOnlySpan<byte> Rest => _data[Position..];

    public readonly DatasetFormatException Error(string message, long? offset = null) =>
        new(Source, offset ?? Position, message);

    /// <summary>Throws unless <paramref name="n"/> more bytes exist (n may come from a header: checked for sign too).</summary>
    public readonly void Need(long n, string what)
    {
        if (n < 0 || n > Remaining)
            throw Error($"truncated: {what} needs {n} bytes, {Remaining} remain (file has {Length})");
    }

    public ReadOnlySpan<byte> Bytes(int n, string what)
    {
        Need(n, what);
        var s = _data.Slice(Position, n);
        Position += n;
        return s;
    }

    public byte U8(string what) => Bytes(1, what)[0];
    public ushort U16LE(string what) => BinaryPrimitives.ReadUInt16LittleEndian(Bytes(2, what));
    public ushort U16BE(string what) => BinaryPrimitives.ReadUInt16BigEndian(Bytes(2, what));
    public int I32LE(string what) => BinaryPrimitives.ReadInt32LittleEndian(Bytes(4, what));
    public uint U32LE(string what) => BinaryPrimitives.ReadUInt32LittleEndian(Bytes(4, what));
    public int I32BE(string what) => BinaryPrimitives.ReadInt32BigEndian(Bytes(4, what));
    public uint U32BE(string what) => BinaryPrimitives.ReadUInt32BigEndian(Bytes(4, what));
    public long I64LE(string what) => BinaryPrimitives.ReadInt64LittleEndian(Bytes(8, what));

    public void Skip(long n, string what)
    {
        Need(n, what);
        Position += (int)n;
    }
}

/// <summary>File reading and size checks shared by the parsers.</summary>
internal static class DataFile
{
    /// <summary>Files larger than this are refused before reading (no dataset sample comes near it).</summary>
    public const long MaxFileBytes = 1L << 31;

    public static byte[] ReadAll(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: file not found", path);
        long len = new FileInfo(path).Length;
        if (len >= MaxFileBytes) throw new DatasetFormatException(path, 0, $"file of {len} bytes is too large to load at once");
        return File.ReadAllBytes(path);
    }

    /// <summary>n0·n1·... with overflow and a ceiling, so header counts cannot make us allocate absurdly.</summary>
    public static bool TryProduct(ReadOnlySpan<long> dims, long ceiling, out long product)
    {
        product = 1;
        foreach (long d in dims)
        {
            if (d < 0) return false;
            if (d != 0 && product > ceiling / d) { product = long.MaxValue; return false; }
            product *= d;
        }
        return product <= ceiling;
    }
}
