using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Spike.Datasets.Formats;

/// <summary>
/// AEDAT 3.1 (jAER / DV, DVS128 Gesture): ASCII header lines starting with '#' up to <c>#!END-HEADER\r\n</c>, then packets.
/// A packet has a 28-byte little-endian header (type u16, source u16, eventSize u32, tsOffset u32, tsOverflow u32,
/// capacity u32, number u32, valid u32) followed by capacity·eventSize bytes. Polarity packets (type 1) hold events
/// (data u32, timestamp u32): x = (data ≫ 17) &amp; 0x7FFF, y = (data ≫ 2) &amp; 0x7FFF, p = (data ≫ 1) &amp; 1,
/// t = timestamp | tsOverflow ≪ 31. As SpikingJelly's <c>load_aedat_v3</c>, every slot up to capacity is read and
/// the validity bit is not consulted; other packet types are skipped.
/// </summary>
public static class Aedat3
{
    private static readonly byte[] EndHeader = "#!END-HEADER\r\n"u8.ToArray();
    private const int PacketHeader = 28;

    public static EventStream Read(string path, int? width = 128, int? height = 128) => Parse(DataFile.ReadAll(path), path, width, height);

    public static EventStream Parse(ReadOnlySpan<byte> data, string source, int? width = 128, int? height = 128)
    {
        // Pass 1 checks every packet header and finds the polarity packets, so pass 2 fills arrays of the exact size.
        var r = new ByteReader(data, source, SkipHeader(data, source));
        var packets = new List<(int Start, int Size, int Capacity, long Overflow)>();
        long total = 0;
        while (r.Remaining > 0)
        {
            int at = r.Position;
            ushort type = r.U16LE("packet type"); r.U16LE("packet source");
            uint size = r.U32LE("event size"); r.U32LE("timestamp offset");
            uint overflow = r.U32LE("timestamp overflow"); uint capacity = r.U32LE("capacity");
            r.U32LE("event number"); r.U32LE("valid number");
            long bytes = (long)capacity * size;
            if (bytes > r.Remaining)
                throw r.Error($"truncated: packet at byte {at} declares {capacity} events of {size} bytes, {r.Remaining} bytes remain", at + 16);
            if (type == 1)
            {
                if (size < 8) throw r.Error($"polarity packet with event size {size} (at least 8 needed)", at + 4);
                packets.Add((r.Position, (int)size, (int)capacity, (long)overflow << 31));
                total += capacity;
            }
            r.Skip(bytes, "packet data");
        }
        var t = new long[total]; var x = new int[total]; var y = new int[total]; var p = new byte[total];
        int n = 0;
        foreach (var (start, size, capacity, overflow) in packets)
            for (int k = 0, o = start; k < capacity; k++, o += size, n++)
            {
                uint d = BinaryPrimitives.ReadUInt32LittleEndian(data[o..]);
                int xi = (int)((d >> 17) & 0x7FFF), yi = (int)((d >> 2) & 0x7FFF);
                if (width is int w && xi >= w) throw r.Error($"event x = {xi} is outside the sensor width {w}", o);
                if (height is int h && yi >= h) throw r.Error($"event y = {yi} is outside the sensor height {h}", o);
                x[n] = xi; y[n] = yi; p[n] = (byte)((d >> 1) & 1);
                t[n] = BinaryPrimitives.ReadUInt32LittleEndian(data[(o + 4)..]) | overflow;
            }
        return new EventStream(t, x, y, p);
    }

    /// <summary>Offset of the first packet: after the '#' lines ending with <c>#!END-HEADER\r\n</c>.</summary>
    private static int SkipHeader(ReadOnlySpan<byte> data, string source)
    {
        int pos = 0;
        while (true)
        {
            if (pos >= data.Length) throw new DatasetFormatException(source, pos, "truncated: no #!END-HEADER line");
            if (data[pos] != (byte)'#') throw new DatasetFormatException(source, pos, "bad header: AEDAT 3 header lines start with '#'");
            int nl = data[pos..].IndexOf((byte)'\n');
            if (nl < 0) throw new DatasetFormatException(source, pos, "truncated: header line without end");
            var line = data.Slice(pos, nl + 1);
            pos += nl + 1;
            if (line.SequenceEqual(EndHeader)) return pos;
        }
    }

    /// <summary>Encodes polarity events as an AEDAT 3.1 file: one polarity packet (capacity = count, 8-byte events).</summary>
    public static byte[] Encode(EventStream ev, string header = "#!AER-DAT3.1\r\n#Format: RAW\r\n")
    {
        var head = Encoding.ASCII.GetBytes(header);
        var bytes = new byte[head.Length + EndHeader.Length + PacketHeader + 8L * ev.Count];
        head.CopyTo(bytes, 0);
        EndHeader.CopyTo(bytes, head.Length);
        var s = bytes.AsSpan(head.Length + EndHeader.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(s, 1);
        BinaryPrimitives.WriteUInt32LittleEndian(s[4..], 8);
        BinaryPrimitives.WriteUInt32LittleEndian(s[8..], 4);
        BinaryPrimitives.WriteUInt32LittleEndian(s[20..], (uint)ev.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(s[24..], (uint)ev.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(s[16..], (uint)ev.Count);
        for (int i = 0; i < ev.Count; i++)
        {
            if (ev.T[i] < 0 || ev.T[i] > uint.MaxValue) throw new ArgumentException($"Aedat3.Encode: timestamp {ev.T[i]} of event {i} needs the overflow field");
            uint d = (uint)ev.X[i] << 17 | (uint)ev.Y[i] << 2 | (uint)ev.P[i] << 1 | 1u;
            BinaryPrimitives.WriteUInt32LittleEndian(s[(PacketHeader + 8 * i)..], d);
            BinaryPrimitives.WriteUInt32LittleEndian(s[(PacketHeader + 8 * i + 4)..], (uint)ev.T[i]);
        }
        return bytes;
    }

    /// <summary>One row of a DVS128 Gesture <c>_labels.csv</c>: class (1-based in the file), start and end time (µs).</summary>
    public readonly record struct GestureLabel(int Class, long StartUs, long EndUs);

    /// <summary>
    /// Parses <c>class,startTime_usec,endTime_usec</c> rows after one header row (np.loadtxt(..., skiprows=1)).
    /// </summary>
    public static List<GestureLabel> ReadLabels(string csvPath) => ParseLabels(File.ReadAllText(csvPath), csvPath);

    public static List<GestureLabel> ParseLabels(string text, string source)
    {
        var rows = new List<GestureLabel>();
        var lines = text.Split('\n');
        long offset = lines[0].Length + 1;
        for (int i = 1; i < lines.Length; offset += lines[i].Length + 1, i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0) continue;
            var f = line.Split(',');
            if (f.Length != 3 || !int.TryParse(f[0], NumberStyles.None, CultureInfo.InvariantCulture, out int c) ||
                !long.TryParse(f[1], NumberStyles.None, CultureInfo.InvariantCulture, out long a) ||
                !long.TryParse(f[2], NumberStyles.None, CultureInfo.InvariantCulture, out long b))
                throw new DatasetFormatException(source, offset, $"line {i + 1} '{line}' is not class,start,end");
            if (c < 1 || c > 11) throw new DatasetFormatException(source, offset, $"line {i + 1}: class {c} is not in 1..11");
            rows.Add(new GestureLabel(c, a, b));
        }
        return rows;
    }

    /// <summary>
    /// Cuts a recording into one sample per label row: the events with <c>start ≤ t &lt; end</c> (a mask, as
    /// SpikingJelly; rows may overlap), labelled <c>class - 1</c>.
    /// </summary>
    public static List<(int Label, EventStream Events)> SplitByLabels(EventStream ev, IReadOnlyList<GestureLabel> labels)
    {
        var result = new List<(int, EventStream)>(labels.Count);
        foreach (var row in labels)
        {
            var idx = new List<int>();
            for (int i = 0; i < ev.Count; i++) if (ev.T[i] >= row.StartUs && ev.T[i] < row.EndUs) idx.Add(i);
            result.Add((row.Class - 1, new EventStream(
                idx.Select(i => ev.T[i]).ToArray(), idx.Select(i => ev.X[i]).ToArray(), idx.Select(i => ev.Y[i]).ToArray(), idx.Select(i => ev.P[i]).ToArray())));
        }
        return result;
    }
}
