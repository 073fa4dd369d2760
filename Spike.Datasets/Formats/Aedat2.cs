using System.Buffers.Binary;
using System.Text;

namespace Spike.Datasets.Formats;

/// <summary>
/// AEDAT 2 as used by CIFAR10-DVS: header lines starting with '#', then big-endian uint32 pairs (address, timestamp).
/// Address bits: x = (a &amp; 0xFE) ≫ 1, y = (a &amp; 0x7F00) ≫ 8, p = a &amp; 1. SpikingJelly then transforms to
/// x' = 127 - y, y' = 127 - x, p' = 1 - p, which <see cref="ReadCifar10Dvs"/> applies.
/// </summary>
public static class Aedat2
{
    /// <summary>Raw events (no coordinate transform): x, y from the address bits, t the timestamp.</summary>
    public static EventStream Parse(ReadOnlySpan<byte> data, string source)
    {
        int start = SkipHeader(data);
        int body = data.Length - start;
        if (body % 8 != 0)
            throw new DatasetFormatException(source, data.Length - body % 8, $"truncated: {body} data bytes is not a whole number of 8-byte (address, timestamp) events");
        int n = body / 8;
        var t = new long[n]; var x = new int[n]; var y = new int[n]; var p = new byte[n];
        for (int i = 0, o = start; i < n; i++, o += 8)
        {
            uint a = BinaryPrimitives.ReadUInt32BigEndian(data[o..]);
            t[i] = BinaryPrimitives.ReadUInt32BigEndian(data[(o + 4)..]);
            x[i] = (int)((a & 0xFE) >> 1);
            y[i] = (int)((a & 0x7F00) >> 8);
            p[i] = (byte)(a & 1);
        }
        return new EventStream(t, x, y, p);
    }

    /// <summary>A CIFAR10-DVS recording with SpikingJelly's transform (x' = 127 - y, y' = 127 - x, p' = 1 - p), 128×128.</summary>
    public static EventStream ReadCifar10Dvs(string path) => ParseCifar10Dvs(DataFile.ReadAll(path), path);

    public static EventStream ParseCifar10Dvs(ReadOnlySpan<byte> data, string source)
    {
        var raw = Parse(data, source);
        var x = new int[raw.Count]; var y = new int[raw.Count]; var p = new byte[raw.Count];
        for (int i = 0; i < raw.Count; i++)
        {
            x[i] = 127 - raw.Y[i];
            y[i] = 127 - raw.X[i];
            p[i] = (byte)(1 - raw.P[i]);
        }
        return new EventStream(raw.T, x, y, p);
    }

    /// <summary>
    /// Skips lines that, stripped of whitespace, start with '#' (skip_header in SpikingJelly's reader); stops at the
    /// first other line or at one that is not valid UTF-8.
    /// </summary>
    private static int SkipHeader(ReadOnlySpan<byte> data)
    {
        int pos = 0;
        var utf8 = new UTF8Encoding(false, throwOnInvalidBytes: true);
        while (pos < data.Length)
        {
            int nl = data[pos..].IndexOf((byte)'\n');
            int len = nl < 0 ? data.Length - pos : nl + 1;
            string text;
            try { text = utf8.GetString(data.Slice(pos, len)).Trim(); }
            catch (ArgumentException) { break; }
            if (text.Length == 0 || text[0] != '#') break;
            pos += len;
        }
        return pos;
    }

    /// <summary>Encodes raw events (x, y &lt; 128, p ∈ {0, 1}) with a header, as CIFAR10-DVS files are laid out.</summary>
    public static byte[] Encode(EventStream raw, string header = "#!AER-DAT2.0\r\n# This is a raw AE data file\r\n")
    {
        var head = Encoding.ASCII.GetBytes(header);
        var bytes = new byte[head.Length + 8 * raw.Count];
        head.CopyTo(bytes, 0);
        for (int i = 0; i < raw.Count; i++)
        {
            uint a = (uint)raw.Y[i] << 8 | (uint)raw.X[i] << 1 | raw.P[i];
            BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(head.Length + 8 * i), a);
            BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(head.Length + 8 * i + 4), (uint)raw.T[i]);
        }
        return bytes;
    }
}
