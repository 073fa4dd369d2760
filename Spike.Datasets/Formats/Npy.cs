using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Spike.Datasets.Formats;

/// <summary>
/// NumPy <c>.npy</c> (format versions 1–3): magic <c>\x93NUMPY</c>, version, header length (uint16 for v1, uint32
/// for v2/v3), a Python dict literal <c>{'descr': '&lt;f4', 'fortran_order': False, 'shape': (2, 3), }</c> padded so
/// the data starts on a 64-byte boundary, then the raw elements.
/// dtypes: <c>f4</c> Float32, <c>f8</c> Float64, <c>i4</c> Int32, <c>i8</c> Int64, <c>u1</c> UInt8, <c>b1</c> Bool;
/// either byte order on read, little-endian on write. Fortran-order arrays are read and made C-contiguous.
/// </summary>
public static partial class Npy
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];
    private const int MaxHeaderBytes = 1 << 16;

    public static void Write(string path, Tensor t) => File.WriteAllBytes(path, Encode(t));

    public static Tensor Read(string path) => Parse(DataFile.ReadAll(path), path);

    /// <summary>The .npy bytes of a tensor (any layout; written C-contiguous, little-endian, version 1.0).</summary>
    public static byte[] Encode(Tensor t)
    {
        string descr = t.DType switch
        {
            DType.Float32 => "<f4", DType.Float64 => "<f8", DType.Int32 => "<i4", DType.Int64 => "<i8",
            DType.UInt8 => "|u1", DType.Bool => "|b1",
            _ => throw new ArgumentException($"Npy.Encode: no NumPy dtype for {t.DType}"),
        };
        string shape = t.Rank == 1 ? $"({t.Shape[0]},)" : "(" + string.Join(", ", t.Shape) + ")";
        string dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}";
        int headerLen = dict.Length + 1;
        headerLen += (64 - (10 + headerLen) % 64) % 64;
        var header = dict.PadRight(headerLen - 1) + "\n";
        int size = t.DType.ElementSize();
        var bytes = new byte[10 + headerLen + (long)t.Numel * size];
        Magic.CopyTo(bytes, 0);
        bytes[6] = 1;
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)headerLen);
        Encoding.ASCII.GetBytes(header, bytes.AsSpan(10));
        var body = bytes.AsSpan(10 + headerLen);
        switch (t.DType)
        {
            case DType.Float32: Copy<float>(t, body); break;
            case DType.Float64: Copy<double>(t, body); break;
            case DType.Int32: Copy<int>(t, body); break;
            case DType.Int64: Copy<long>(t, body); break;
            case DType.UInt8: Copy<byte>(t, body); break;
            default: { var a = t.ToArray<bool>(); for (int i = 0; i < a.Length; i++) body[i] = a[i] ? (byte)1 : (byte)0; break; }
        }
        return bytes;

        static void Copy<T>(Tensor t, Span<byte> dst) where T : unmanaged
        {
            // The machine is little-endian (checked at Parse); .npy little-endian data is the raw memory.
            System.Runtime.InteropServices.MemoryMarshal.AsBytes(t.ToArray<T>().AsSpan()).CopyTo(dst);
        }
    }

    [GeneratedRegex(@"['""]descr['""]\s*:\s*['""]([^'""]*)['""]")] private static partial Regex DescrRe();
    [GeneratedRegex(@"['""]fortran_order['""]\s*:\s*(True|False)")] private static partial Regex FortranRe();
    [GeneratedRegex(@"['""]shape['""]\s*:\s*\(([^)]*)\)")] private static partial Regex ShapeRe();

    public static Tensor Parse(ReadOnlySpan<byte> data, string source)
    {
        var r = new ByteReader(data, source);
        if (!r.Bytes(6, "magic").SequenceEqual(Magic)) throw r.Error("bad magic: .npy files start with \\x93NUMPY", 0);
        byte major = r.U8("version"); r.U8("version");
        if (major is < 1 or > 3) throw r.Error($"unsupported .npy format version {major}", 6);
        long headerLen = major == 1 ? r.U16LE("header length") : r.U32LE("header length");
        if (headerLen > MaxHeaderBytes) throw r.Error($"header length {headerLen} is absurd", 8);
        int headerAt = r.Position;
        var header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(r.Bytes((int)headerLen, "header"));
        var dm = DescrRe().Match(header);
        var fm = FortranRe().Match(header);
        var sm = ShapeRe().Match(header);
        if (!header.TrimStart().StartsWith('{') || !dm.Success || !fm.Success || !sm.Success)
            throw r.Error($"header is not a dict with descr, fortran_order and shape: {Clip(header)}", headerAt);
        string descr = dm.Groups[1].Value;
        if (descr.Length != 3) throw r.Error($"unsupported dtype '{descr}'", headerAt);
        char order = descr[0];
        string kind = descr[1..];
        (DType dtype, int size) = kind switch
        {
            "f4" => (DType.Float32, 4), "f8" => (DType.Float64, 8), "i4" => (DType.Int32, 4), "i8" => (DType.Int64, 8),
            "u1" => (DType.UInt8, 1), "b1" => (DType.Bool, 1),
            // Types Spike has no dtype for are widened: SpikingJelly's event caches hold uint32/uint16 arrays.
            "i1" or "i2" or "u2" => (DType.Int32, kind[1] - '0'), "u4" => (DType.Int64, 4),
            _ => throw r.Error($"unsupported dtype '{descr}' (supported: f4, f8, i1, i2, i4, i8, u1, u2, u4, b1)", headerAt),
        };
        if (order is not ('<' or '>' or '|' or '=')) throw r.Error($"bad byte order in dtype '{descr}'", headerAt);
        bool swap = order == '>' && size > 1;
        var dimsText = sm.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (dimsText.Length > 32) throw r.Error($"absurd rank {dimsText.Length}", headerAt);
        var dims = new long[dimsText.Length];
        for (int i = 0; i < dims.Length; i++)
            if (!long.TryParse(dimsText[i].TrimEnd('L'), NumberStyles.None, CultureInfo.InvariantCulture, out dims[i]))
                throw r.Error($"bad dimension '{dimsText[i]}' in shape", headerAt);
        if (!DataFile.TryProduct(dims, int.MaxValue, out long count))
            throw r.Error($"absurd element count for shape ({string.Join(", ", dims)})", headerAt);
        long payload = count * size;
        if (payload != r.Remaining)
            throw r.Error(payload > r.Remaining
                ? $"truncated: shape ({string.Join(", ", dims)}) needs {payload} data bytes, {r.Remaining} remain"
                : $"{r.Remaining - payload} unexpected trailing bytes", payload > r.Remaining ? r.Length : r.Position + payload);
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("Npy: big-endian machines are not supported");
        bool fortran = fm.Groups[1].Value == "True";
        var shape = dims.Select(d => (int)d).ToArray();
        // A Fortran-order array is the C-order array of the reversed shape, transposed.
        var storedShape = fortran ? shape.Reverse().ToArray() : shape;
        var t = Tensor.Empty(storedShape, dtype);
        var body = r.Rest;
        switch (kind)
        {
            case "i1": { var s = t.AsSpan<int>(); for (int i = 0; i < s.Length; i++) s[i] = (sbyte)body[i]; break; }
            case "i2": { var s = t.AsSpan<int>(); for (int i = 0; i < s.Length; i++) s[i] = swap ? BinaryPrimitives.ReadInt16BigEndian(body[(2 * i)..]) : BinaryPrimitives.ReadInt16LittleEndian(body[(2 * i)..]); break; }
            case "u2": { var s = t.AsSpan<int>(); for (int i = 0; i < s.Length; i++) s[i] = swap ? BinaryPrimitives.ReadUInt16BigEndian(body[(2 * i)..]) : BinaryPrimitives.ReadUInt16LittleEndian(body[(2 * i)..]); break; }
            case "u4": { var s = t.AsSpan<long>(); for (int i = 0; i < s.Length; i++) s[i] = swap ? BinaryPrimitives.ReadUInt32BigEndian(body[(4 * i)..]) : BinaryPrimitives.ReadUInt32LittleEndian(body[(4 * i)..]); break; }
        }
        if (kind is not ("i1" or "i2" or "u2" or "u4")) switch (dtype)
        {
            case DType.Bool: { var s = t.AsSpan<bool>(); for (int i = 0; i < s.Length; i++) s[i] = body[i] != 0; break; }
            case DType.UInt8: body.CopyTo(t.AsSpan<byte>()); break;
            case DType.Float32: Fill(body, t.AsSpan<float>(), swap); break;
            case DType.Float64: Fill(body, t.AsSpan<double>(), swap); break;
            case DType.Int32: Fill(body, t.AsSpan<int>(), swap); break;
            default: Fill(body, t.AsSpan<long>(), swap); break;
        }
        if (fortran && shape.Length > 1) t = Raw.Contiguous(Raw.Permute(t, Enumerable.Range(0, shape.Length).Reverse().ToArray()));
        return t;
    }

    private static void Fill<T>(ReadOnlySpan<byte> src, Span<T> dst, bool swap) where T : unmanaged
    {
        var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(dst);
        src.CopyTo(bytes);
        if (!swap) return;
        int size = bytes.Length / Math.Max(dst.Length, 1);
        for (int i = 0; i < bytes.Length; i += size) bytes.Slice(i, size).Reverse();
    }

    private static string Clip(string s) => s.Length <= 80 ? s : s[..80] + "...";
}
