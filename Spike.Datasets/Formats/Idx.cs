using System.Buffers.Binary;
using System.IO.Compression;

namespace Spike.Datasets.Formats;

/// <summary>
/// The IDX format of MNIST and Fashion-MNIST: magic <c>00 00 type ndims</c>, then ndims big-endian int32
/// dimensions, then the elements big-endian in row-major order. Files may be gzip-compressed
/// (detected by the gzip magic, not by the name).
/// Element types: 0x08 uint8 → UInt8; 0x09 int8, 0x0B int16, 0x0C int32 → Int32; 0x0D float32 → Float32;
/// 0x0E float64 → Float64.
/// </summary>
public static class Idx
{
    private const int MaxDims = 16;

    /// <summary>Reads an IDX file (raw or gzip) into a CPU tensor with the file's dimensions.</summary>
    public static Tensor Read(string path) => Decode(DataFile.ReadAll(path), path);

    /// <summary>Parses the bytes of a whole IDX file, inflating them first when they are gzip.</summary>
    public static Tensor Decode(byte[] bytes, string source) =>
        Gzip.IsGzip(bytes) ? Parse(Gzip.Decompress(bytes, source), source + " (decompressed)") : Parse(bytes, source);

    /// <summary>Parses IDX bytes (already decompressed). The whole buffer must be exactly one array.</summary>
    public static Tensor Parse(ReadOnlySpan<byte> data, string source)
    {
        var r = new ByteReader(data, source);
        if (r.U8("magic") != 0 || r.U8("magic") != 0) throw r.Error("bad magic: IDX files start with two zero bytes", 0);
        byte type = r.U8("element type");
        int ndims = r.U8("dimension count");
        if (ndims == 0 || ndims > MaxDims) throw r.Error($"dimension count {ndims} outside 1..{MaxDims}", 3);
        (int size, DType dtype) = type switch
        {
            0x08 => (1, DType.UInt8),
            0x09 => (1, DType.Int32),
            0x0B => (2, DType.Int32),
            0x0C => (4, DType.Int32),
            0x0D => (4, DType.Float32),
            0x0E => (8, DType.Float64),
            _ => throw r.Error($"unknown element type 0x{type:X2}", 2),
        };
        var shape = new int[ndims];
        var dims = new long[ndims];
        for (int i = 0; i < ndims; i++)
        {
            int at = r.Position;
            int d = r.I32BE($"dimension {i}");
            if (d < 0) throw r.Error($"dimension {i} is negative ({d})", at);
            shape[i] = d;
            dims[i] = d;
        }
        if (!DataFile.TryProduct(dims, int.MaxValue, out long count))
            throw r.Error($"absurd element count for dimensions [{string.Join(", ", dims)}]", 4);
        long payload = count * size;
        if (payload != r.Remaining)
            throw r.Error(payload > r.Remaining
                ? $"truncated: dimensions [{string.Join(", ", dims)}] need {payload} data bytes, {r.Remaining} remain"
                : $"{r.Remaining - payload} unexpected trailing bytes after {payload} data bytes",
                payload > r.Remaining ? r.Length : r.Position + payload);
        var body = r.Rest;
        int n = (int)count;
        Tensor t = Tensor.Empty(shape, dtype);
        switch (type)
        {
            case 0x08: body.CopyTo(t.AsSpan<byte>()); break;
            case 0x09: { var s = t.AsSpan<int>(); for (int i = 0; i < n; i++) s[i] = (sbyte)body[i]; break; }
            case 0x0B: { var s = t.AsSpan<int>(); for (int i = 0; i < n; i++) s[i] = BinaryPrimitives.ReadInt16BigEndian(body[(2 * i)..]); break; }
            case 0x0C: { var s = t.AsSpan<int>(); for (int i = 0; i < n; i++) s[i] = BinaryPrimitives.ReadInt32BigEndian(body[(4 * i)..]); break; }
            case 0x0D: { var s = t.AsSpan<float>(); for (int i = 0; i < n; i++) s[i] = BinaryPrimitives.ReadSingleBigEndian(body[(4 * i)..]); break; }
            default: { var s = t.AsSpan<double>(); for (int i = 0; i < n; i++) s[i] = BinaryPrimitives.ReadDoubleBigEndian(body[(8 * i)..]); break; }
        }
        return t;
    }

    /// <summary>IDX bytes for a UInt8, Int32, Float32 or Float64 tensor (types 0x08, 0x0C, 0x0D, 0x0E).</summary>
    public static byte[] Encode(Tensor t)
    {
        (byte type, int size) = t.DType switch
        {
            DType.UInt8 => ((byte)0x08, 1),
            DType.Int32 => ((byte)0x0C, 4),
            DType.Float32 => ((byte)0x0D, 4),
            DType.Float64 => ((byte)0x0E, 8),
            _ => throw new ArgumentException($"Idx.Encode: {t.DType} has no IDX element type (use UInt8, Int32, Float32 or Float64)"),
        };
        if (t.Rank == 0 || t.Rank > MaxDims) throw new ArgumentException($"Idx.Encode: rank {t.Rank} outside 1..{MaxDims}");
        var bytes = new byte[4 + 4 * t.Rank + (long)t.Numel * size];
        bytes[2] = type;
        bytes[3] = (byte)t.Rank;
        for (int i = 0; i < t.Rank; i++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * i), t.Shape[i]);
        var body = bytes.AsSpan(4 + 4 * t.Rank);
        switch (t.DType)
        {
            case DType.UInt8: t.ToArray<byte>().CopyTo(body); break;
            case DType.Int32: { var a = t.ToArray<int>(); for (int i = 0; i < a.Length; i++) BinaryPrimitives.WriteInt32BigEndian(body[(4 * i)..], a[i]); break; }
            case DType.Float32: { var a = t.ToArray<float>(); for (int i = 0; i < a.Length; i++) BinaryPrimitives.WriteSingleBigEndian(body[(4 * i)..], a[i]); break; }
            default: { var a = t.ToArray<double>(); for (int i = 0; i < a.Length; i++) BinaryPrimitives.WriteDoubleBigEndian(body[(8 * i)..], a[i]); break; }
        }
        return bytes;
    }

    /// <summary>Writes <paramref name="t"/> as an IDX file, gzip-compressed when <paramref name="gzip"/>.</summary>
    public static void Write(string path, Tensor t, bool gzip = false)
    {
        var bytes = Encode(t);
        if (!gzip) { File.WriteAllBytes(path, bytes); return; }
        using var f = File.Create(path);
        using var gz = new GZipStream(f, CompressionLevel.Fastest);
        gz.Write(bytes);
    }
}
