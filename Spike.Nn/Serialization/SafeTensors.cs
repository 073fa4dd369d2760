using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Spike.Nn;

/// <summary>
/// The safetensors format (Hugging Face), so weights move to and from Python tools:
/// [u64 little-endian header length N][N bytes of JSON header, space-padded to a multiple of 8][raw little-endian data].
/// The header maps each name to {"dtype", "shape", "data_offsets": [begin, end)} relative to the data section, plus an
/// optional "__metadata__" object of string pairs. Files are written atomically (temporary file + rename).
/// </summary>
public static class SafeTensors
{
    const long MaxHeader = 100 << 20;

    static string Code(DType d) => d switch
    {
        DType.Float32 => "F32", DType.Float64 => "F64", DType.Int32 => "I32", DType.Int64 => "I64",
        DType.UInt8 => "U8", DType.Bool => "BOOL", DType.Float16 => "F16",
        _ => throw new ArgumentException($"safetensors: no code for dtype {d}"),
    };

    static DType? FromCode(string c) => c switch
    {
        "F32" => DType.Float32, "F64" => DType.Float64, "I32" => DType.Int32, "I64" => DType.Int64,
        "U8" => DType.UInt8, "BOOL" => DType.Bool, "F16" => DType.Float16, _ => null,
    };

    /// <summary>Writes tensors (in the given order) and metadata to <paramref name="path"/> atomically: a crash
    /// mid-write leaves any previous file at that path intact.</summary>
    public static void Save(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var items = tensors.Select(kv => (kv.Key, Tensor: Raw.Contiguous(Raw.ToCpu(kv.Value)))).ToList();
        var header = new JsonObject();
        if (metadata is { Count: > 0 })
            header["__metadata__"] = new JsonObject(metadata.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(kv.Value))));
        long offset = 0;
        foreach (var (name, t) in items)
        {
            if (header.ContainsKey(name)) throw new ArgumentException($"safetensors: tensor name '{name}' appears twice");
            long size = (long)t.Numel * t.DType.ElementSize();
            header[name] = new JsonObject
            {
                ["dtype"] = Code(t.DType),
                ["shape"] = new JsonArray(t.Shape.Select(d => (JsonNode?)JsonValue.Create(d)).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + size),
            };
            offset += size;
        }
        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        int padded = (json.Length + 7) / 8 * 8;
        AtomicFile.Write(path, stream =>
        {
            Span<byte> len = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)padded);
            stream.Write(len);
            stream.Write(json);
            for (int i = json.Length; i < padded; i++) stream.WriteByte((byte)' ');
            foreach (var (_, t) in items) WriteData(stream, t);
        });
    }

    static void WriteData(Stream s, Tensor t)
    {
        switch (t.DType)
        {
            case DType.Float32: s.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(t.AsSpan<float>())); break;
            case DType.Float64: s.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(t.AsSpan<double>())); break;
            case DType.Int32: s.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(t.AsSpan<int>())); break;
            case DType.Int64: s.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(t.AsSpan<long>())); break;
            case DType.UInt8: s.Write(t.AsSpan<byte>()); break;
            case DType.Float16: s.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(t.AsSpan<Half>())); break;
            default: s.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(t.AsSpan<bool>())); break;
        }
    }

    /// <summary>Reads every tensor (in file order) and the metadata; malformed files raise <see cref="InvalidDataException"/>
    /// naming the file and the byte offset.</summary>
    public static (List<KeyValuePair<string, Tensor>> Tensors, Dictionary<string, string> Metadata) Load(string path)
    {
        var bytes = File.ReadAllBytes(path);
        InvalidDataException Bad(long at, string why) => new($"safetensors {path} at byte {at}: {why}");
        if (bytes.Length < 8) throw Bad(0, $"file of {bytes.Length} bytes is too short for the header length");
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (n > MaxHeader || 8 + (long)n > bytes.Length) throw Bad(0, $"header length {n} exceeds the file size {bytes.Length}");
        JsonObject header;
        try { header = JsonNode.Parse(bytes.AsSpan(8, (int)n))?.AsObject() ?? throw Bad(8, "header is not a JSON object"); }
        catch (JsonException e) { throw Bad(8, "header is not valid JSON: " + e.Message); }
        long dataStart = 8 + (long)n, dataLength = bytes.Length - dataStart;
        var meta = new Dictionary<string, string>();
        var tensors = new List<KeyValuePair<string, Tensor>>();
        foreach (var (name, node) in header)
        {
            if (name == "__metadata__")
            {
                foreach (var (k, v) in node?.AsObject() ?? []) meta[k] = v?.GetValue<string>() ?? "";
                continue;
            }
            try
            {
                var o = node!.AsObject();
                var dtype = FromCode(o["dtype"]!.GetValue<string>()) ?? throw Bad(8, $"tensor '{name}' has unsupported dtype {o["dtype"]}");
                var shape = o["shape"]!.AsArray().Select(d => d!.GetValue<int>()).ToArray();
                var off = o["data_offsets"]!.AsArray().Select(d => d!.GetValue<long>()).ToArray();
                long size = (long)Layout.NumelOf(shape) * dtype.ElementSize();
                if (off.Length != 2 || off[0] < 0 || off[1] - off[0] != size || off[1] > dataLength)
                    throw Bad(dataStart + (off.Length > 0 ? off[0] : 0), $"tensor '{name}' of shape {Layout.Fmt(shape)} {dtype} has offsets [{string.Join(", ", off)}] outside the {dataLength}-byte data section");
                var t = Tensor.Empty(shape, dtype);
                var src = bytes.AsSpan((int)(dataStart + off[0]), (int)size);
                // Half is not a primitive type, which Buffer.BlockCopy requires.
                if (dtype == DType.Float16) src.CopyTo(System.Runtime.InteropServices.MemoryMarshal.AsBytes(t.AsSpan<Half>()));
                else Buffer.BlockCopy(bytes, (int)(dataStart + off[0]), ((CpuStorage)t.Storage).Data, 0, (int)size);
                tensors.Add(KeyValuePair.Create(name, t));
            }
            catch (Exception e) when (e is InvalidOperationException or NullReferenceException or FormatException or ArgumentException)
            {
                throw Bad(8, $"tensor '{name}' has a malformed entry: {e.Message}");
            }
        }
        return (tensors, meta);
    }
}
