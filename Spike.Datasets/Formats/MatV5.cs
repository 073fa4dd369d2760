using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Spike.Datasets.Formats;

/// <summary>
/// MATLAB v5 .mat files (numeric arrays only, as ASL-DVS needs): a 128-byte header (text, subsystem offset, version
/// 0x0100, endian indicator "IM"/"MI"), then data elements, each a tag (type u32, byte count u32, or the 4-byte
/// "small element" form) and its data padded to 8 bytes. miMATRIX (14) holds array flags, dimensions, name and the real
/// part; miCOMPRESSED (15) holds a zlib-deflated element. Struct, cell, char, sparse and complex arrays are skipped.
/// </summary>
public static class MatV5
{
    private const int MiMatrix = 14, MiCompressed = 15;
    private const long MaxInflate = 1L << 30;

    public static Dictionary<string, (int[] Shape, double[] Data)> Read(string path) => Parse(DataFile.ReadAll(path), path);

    /// <summary>Numeric variables by name, converted to double, column-major data as stored with their MATLAB dims.</summary>
    public static Dictionary<string, (int[] Shape, double[] Data)> Parse(byte[] data, string source)
    {
        var r = new ByteReader(data, source);
        r.Need(128, "128-byte MAT header");
        var text = Encoding.ASCII.GetString(data, 0, 10);
        if (!text.StartsWith("MATLAB", StringComparison.Ordinal)) throw r.Error("bad header: a MAT v5 file starts with 'MATLAB'", 0);
        bool big = data[126] == 'M' && data[127] == 'I';
        if (!big && !(data[126] == 'I' && data[127] == 'M')) throw r.Error("bad endian indicator (expected 'IM' or 'MI')", 126);
        int version = big ? data[124] << 8 | data[125] : data[125] << 8 | data[124];
        if (version != 0x0100) throw r.Error($"unsupported MAT version 0x{version:X4} (v7.3 HDF5 files are not read)", 124);
        r.Position = 128;
        var vars = new Dictionary<string, (int[], double[])>();
        while (r.Remaining > 0) ReadElement(ref r, big, vars, topLevel: true);
        return vars;
    }

    private readonly record struct Element(uint Type, int Bytes, int DataAt, bool Small);

    private static Element Tag(ref ByteReader r, bool big)
    {
        int at = r.Position;
        uint a = big ? r.U32BE("element tag") : r.U32LE("element tag");
        if ((a >> 16) != 0)
        {
            // Small data element: byte count in the upper half, up to 4 data bytes inside the tag.
            int n = (int)(a >> 16);
            if (n > 4) throw r.Error($"small data element claims {n} bytes (at most 4)", at);
            r.Need(4, "small element data");
            return new Element(a & 0xFFFF, n, r.Position, true);
        }
        uint bytes = big ? r.U32BE("element size") : r.U32LE("element size");
        if (bytes > r.Remaining) throw r.Error($"truncated: element of type {a} declares {bytes} bytes, {r.Remaining} remain", at + 4);
        return new Element(a, (int)bytes, r.Position, false);
    }

    /// <summary>The element's data; leaves the reader after it and its padding to 8 bytes.</summary>
    private static ReadOnlySpan<byte> Body(ref ByteReader r, Element e, string what)
    {
        if (e.Small) return r.Bytes(4, what)[..e.Bytes];
        var data = r.Bytes(e.Bytes, what);
        r.Skip(Math.Min((8 - e.Bytes % 8) % 8, r.Remaining), "padding");
        return data;
    }

    private static void ReadElement(ref ByteReader r, bool big, Dictionary<string, (int[], double[])> vars, bool topLevel)
    {
        int at = r.Position;
        var e = Tag(ref r, big);
        if (e.Type == MiCompressed && topLevel && !e.Small)
        {
            // Compressed elements are not padded.
            var inner = Inflate(r.Bytes(e.Bytes, "compressed element").ToArray(), r.Source, e.DataAt);
            var ir = new ByteReader(inner, $"{r.Source} (element at byte {at}, inflated)");
            while (ir.Remaining > 0) ReadElement(ref ir, big, vars, topLevel: false);
            return;
        }
        var body = Body(ref r, e, "element data");
        if (e.Type == MiMatrix) ReadMatrix(new ByteReader(body, r.Source), big, e.DataAt, vars);
    }

    private static void ReadMatrix(ByteReader m, bool big, int baseOffset, Dictionary<string, (int[], double[])> vars)
    {
        var src = m.Source;
        DatasetFormatException Err(string msg, int at) => new(src, baseOffset + at, msg);
        if (m.Length == 0) return; // an empty matrix element is legal
        var fe = Tag(ref m, big);
        var flagBytes = Body(ref m, fe, "array flags");
        if (fe.Type != 6 || fe.Bytes != 8) throw Err("matrix without array flags (miUINT32, 8 bytes)", fe.DataAt);
        uint flags = big ? BinaryPrimitives.ReadUInt32BigEndian(flagBytes) : BinaryPrimitives.ReadUInt32LittleEndian(flagBytes);
        int cls = (int)(flags & 0xFF);
        bool complex = (flags & 0x0800) != 0;
        var de = Tag(ref m, big);
        var dimBytes = Body(ref m, de, "dimensions");
        if (de.Type != 5 || de.Bytes % 4 != 0 || de.Bytes == 0) throw Err("matrix without int32 dimensions", de.DataAt);
        var dims = new int[de.Bytes / 4];
        var ldims = new long[dims.Length];
        for (int i = 0; i < dims.Length; i++)
        {
            var s = dimBytes.Slice(4 * i, 4);
            int d = big ? BinaryPrimitives.ReadInt32BigEndian(s) : BinaryPrimitives.ReadInt32LittleEndian(s);
            if (d < 0) throw Err($"negative dimension {d}", de.DataAt + 4 * i);
            dims[i] = d; ldims[i] = d;
        }
        var ne = Tag(ref m, big);
        var nameBytes = Body(ref m, ne, "array name");
        if (ne.Type != 1 && ne.Type != 2) throw Err("matrix without a name (miINT8)", ne.DataAt);
        string name = Encoding.ASCII.GetString(nameBytes);
        if (cls < 6 || cls > 15 || complex) return; // not a real numeric array: skipped
        if (!DataFile.TryProduct(ldims, int.MaxValue, out long count)) throw Err($"absurd dimensions [{string.Join(", ", ldims)}]", de.DataAt);
        var re = Tag(ref m, big);
        var raw = Body(ref m, re, "real part");
        int size = re.Type switch { 1 or 2 => 1, 3 or 4 => 2, 5 or 6 or 7 => 4, 9 or 12 or 13 => 8, _ => 0 };
        if (size == 0) throw Err($"unsupported numeric element type {re.Type}", re.DataAt);
        if (re.Bytes != count * size) throw Err($"real part has {re.Bytes} bytes, dims [{string.Join(", ", dims)}] need {count * size}", re.DataAt);
        var values = new double[count];
        uint rt = re.Type;
        for (int i = 0; i < count; i++)
        {
            var s = raw.Slice(i * size, size);
            values[i] = rt switch
            {
                1 => (sbyte)s[0], 2 => s[0],
                3 => big ? BinaryPrimitives.ReadInt16BigEndian(s) : BinaryPrimitives.ReadInt16LittleEndian(s),
                4 => big ? BinaryPrimitives.ReadUInt16BigEndian(s) : BinaryPrimitives.ReadUInt16LittleEndian(s),
                5 => big ? BinaryPrimitives.ReadInt32BigEndian(s) : BinaryPrimitives.ReadInt32LittleEndian(s),
                6 => big ? BinaryPrimitives.ReadUInt32BigEndian(s) : BinaryPrimitives.ReadUInt32LittleEndian(s),
                7 => big ? BinaryPrimitives.ReadSingleBigEndian(s) : BinaryPrimitives.ReadSingleLittleEndian(s),
                9 => big ? BinaryPrimitives.ReadDoubleBigEndian(s) : BinaryPrimitives.ReadDoubleLittleEndian(s),
                12 => big ? BinaryPrimitives.ReadInt64BigEndian(s) : BinaryPrimitives.ReadInt64LittleEndian(s),
                _ => big ? BinaryPrimitives.ReadUInt64BigEndian(s) : BinaryPrimitives.ReadUInt64LittleEndian(s),
            };
        }
        vars[name] = (dims, values);
    }

    private static byte[] Inflate(byte[] compressed, string source, int at)
    {
        try
        {
            using var z = new ZLibStream(new MemoryStream(compressed), CompressionMode.Decompress);
            using var ms = new MemoryStream();
            var buf = new byte[1 << 16];
            int n;
            while ((n = z.Read(buf, 0, buf.Length)) > 0)
            {
                if (ms.Length + n > MaxInflate) throw new DatasetFormatException(source, at, $"compressed element inflates past {MaxInflate} bytes");
                ms.Write(buf, 0, n);
            }
            return ms.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new DatasetFormatException(source, at, $"corrupt compressed element ({e.Message})", e);
        }
    }

    /// <summary>
    /// An ASL-DVS recording: variables <c>ts</c>, <c>x</c>, <c>y</c>, <c>pol</c> (squeezed; as SpikingJelly's
    /// load_matlab_mat, no coordinate transform), checked against the 240×180 (W×H) sensor.
    /// </summary>
    public static EventStream ReadAslDvs(string path) => AslDvsEvents(Read(path), path);

    public static EventStream AslDvsEvents(Dictionary<string, (int[] Shape, double[] Data)> vars, string source)
    {
        double[] Get(string k) => vars.TryGetValue(k, out var v) ? v.Data : throw new DatasetFormatException(source, 128, $"no numeric variable '{k}' (ASL-DVS files hold ts, x, y, pol)");
        var ts = Get("ts"); var xs = Get("x"); var ys = Get("y"); var ps = Get("pol");
        if (xs.Length != ts.Length || ys.Length != ts.Length || ps.Length != ts.Length)
            throw new DatasetFormatException(source, 128, $"ts, x, y, pol lengths differ ({ts.Length}, {xs.Length}, {ys.Length}, {ps.Length})");
        var t = new long[ts.Length]; var x = new int[ts.Length]; var y = new int[ts.Length]; var p = new byte[ts.Length];
        for (int i = 0; i < ts.Length; i++)
        {
            if (!(xs[i] >= 0 && xs[i] < 240 && ys[i] >= 0 && ys[i] < 180))
                throw new DatasetFormatException(source, 128, $"event {i} at (x={xs[i]}, y={ys[i]}) lies outside the 240×180 sensor");
            t[i] = (long)ts[i]; x[i] = (int)xs[i]; y[i] = (int)ys[i]; p[i] = ps[i] != 0 ? (byte)1 : (byte)0;
        }
        return new EventStream(t, x, y, p);
    }
}

/// <summary>Writes MAT v5 files of real double column vectors (for tests and interchange).</summary>
public static class MatV5Writer
{
    public static byte[] Encode(IReadOnlyDictionary<string, double[]> vars, bool compress)
    {
        using var ms = new MemoryStream();
        var header = new byte[128];
        Encoding.ASCII.GetBytes("MATLAB 5.0 MAT-file, written by Spike".PadRight(116)).CopyTo(header, 0);
        header[124] = 0x00; header[125] = 0x01; header[126] = (byte)'I'; header[127] = (byte)'M';
        ms.Write(header);
        foreach (var (name, data) in vars)
        {
            var matrix = Matrix(name, data);
            if (!compress) { ms.Write(matrix); continue; }
            using var zs = new MemoryStream();
            using (var z = new ZLibStream(zs, CompressionLevel.Optimal, leaveOpen: true)) z.Write(matrix);
            WriteTag(ms, 15, (int)zs.Length);
            ms.Write(zs.ToArray());
        }
        return ms.ToArray();
    }

    private static byte[] Matrix(string name, double[] data)
    {
        using var body = new MemoryStream();
        WriteTag(body, 6, 8); body.Write(BitConverter.GetBytes(6u)); body.Write(new byte[4]);          // flags: mxDOUBLE_CLASS
        WriteTag(body, 5, 8); body.Write(BitConverter.GetBytes(data.Length)); body.Write(BitConverter.GetBytes(1));
        var nb = Encoding.ASCII.GetBytes(name);
        if (nb.Length <= 4) { body.Write(BitConverter.GetBytes((uint)(nb.Length << 16 | 1))); body.Write(nb); body.Write(new byte[4 - nb.Length]); }
        else { WriteTag(body, 1, nb.Length); body.Write(nb); body.Write(new byte[(8 - nb.Length % 8) % 8]); }
        WriteTag(body, 9, 8 * data.Length);
        foreach (var v in data) body.Write(BitConverter.GetBytes(v));
        using var outer = new MemoryStream();
        WriteTag(outer, 14, (int)body.Length);
        outer.Write(body.ToArray());
        return outer.ToArray();
    }

    private static void WriteTag(Stream s, uint type, int bytes)
    {
        s.Write(BitConverter.GetBytes(type));
        s.Write(BitConverter.GetBytes(bytes));
    }
}
