namespace Spike.Datasets.Formats;

/// <summary>
/// ATIS .bin recordings of N-MNIST and N-Caltech101: 40-bit events, 5 bytes each:
/// byte 0 = x, byte 1 = y, byte 2 bit 7 = polarity, bits 6..0 of byte 2 and bytes 3, 4 = a 23-bit timestamp
/// (big-endian, microseconds). As SpikingJelly's <c>load_ATIS_bin</c>.
/// </summary>
public static class AtisBin
{
    public const int EventBytes = 5;

    /// <summary>Reads a .bin file; coordinates are checked against the sensor when its size is given.</summary>
    public static EventStream Read(string path, int? width = null, int? height = null) =>
        Parse(DataFile.ReadAll(path), path, width, height);

    public static EventStream Parse(ReadOnlySpan<byte> data, string source, int? width = null, int? height = null)
    {
        if (data.Length % EventBytes != 0)
            throw new DatasetFormatException(source, data.Length - data.Length % EventBytes,
                $"truncated: {data.Length} bytes is not a whole number of {EventBytes}-byte events");
        int n = data.Length / EventBytes;
        var t = new long[n];
        var x = new int[n];
        var y = new int[n];
        var p = new byte[n];
        for (int i = 0, o = 0; i < n; i++, o += EventBytes)
        {
            int xi = data[o], yi = data[o + 1], b2 = data[o + 2];
            if (width is int w && xi >= w) throw new DatasetFormatException(source, o, $"event {i}: x = {xi} is outside the sensor width {w}");
            if (height is int h && yi >= h) throw new DatasetFormatException(source, o + 1, $"event {i}: y = {yi} is outside the sensor height {h}");
            x[i] = xi;
            y[i] = yi;
            p[i] = (byte)(b2 >> 7);
            t[i] = ((long)(b2 & 0x7F) << 16) | ((long)data[o + 3] << 8) | data[o + 4];
        }
        return new EventStream(t, x, y, p);
    }

    /// <summary>Encodes events as ATIS .bin bytes (x, y &lt; 256, p ∈ {0, 1}, 0 ≤ t &lt; 2²³).</summary>
    public static byte[] Encode(EventStream ev)
    {
        var bytes = new byte[ev.Count * EventBytes];
        for (int i = 0, o = 0; i < ev.Count; i++, o += EventBytes)
        {
            if ((uint)ev.X[i] > 255 || (uint)ev.Y[i] > 255 || ev.P[i] > 1 || ev.T[i] < 0 || ev.T[i] >= 1 << 23)
                throw new ArgumentException($"AtisBin.Encode: event {i} (t={ev.T[i]}, x={ev.X[i]}, y={ev.Y[i]}, p={ev.P[i]}) does not fit 40 bits");
            bytes[o] = (byte)ev.X[i];
            bytes[o + 1] = (byte)ev.Y[i];
            bytes[o + 2] = (byte)((ev.P[i] << 7) | (int)(ev.T[i] >> 16));
            bytes[o + 3] = (byte)(ev.T[i] >> 8);
            bytes[o + 4] = (byte)ev.T[i];
        }
        return bytes;
    }
}
