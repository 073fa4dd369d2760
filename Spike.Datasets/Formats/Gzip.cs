using System.Buffers.Binary;
using System.IO.Compression;

namespace Spike.Datasets.Formats;

/// <summary>gzip detection and bounded decompression.</summary>
public static class Gzip
{
    public static bool IsGzip(ReadOnlySpan<byte> data) => data.Length >= 2 && data[0] == 0x1F && data[1] == 0x8B;

    /// <summary>
    /// Inflates a whole gzip member (concatenated members too). Corrupt streams and outputs above
    /// <paramref name="maxBytes"/> raise <see cref="DatasetFormatException"/> for "<c>source (decompressed)</c>"
    /// at the decompressed length reached when the error was found.
    /// </summary>
    public static byte[] Decompress(byte[] data, string source, long maxBytes = DataFile.MaxFileBytes - 1)
    {
        using var input = new MemoryStream(data, writable: false);
        using var gz = new GZipStream(input, CompressionMode.Decompress);
        // The trailer's ISIZE (length mod 2³², of the last member only) sizes the buffer: a hint, capped by deflate's
        // best ratio (about 1032:1) so a corrupt trailer cannot make us allocate gigabytes for a small file.
        long hint = data.Length >= 18 ? BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(data.Length - 4)) : 0;
        maxBytes = Math.Min(maxBytes, Array.MaxLength - 1);
        long cap = maxBytes + 1;
        var output = new byte[Math.Min(Math.Min(hint, 1032L * data.Length), cap)];
        var probe = new byte[1];
        int filled = 0;
        try
        {
            while (true)
            {
                if (filled == output.Length)
                {
                    // Full: look for one more byte before growing, so an exact hint costs no copy.
                    if (gz.Read(probe, 0, 1) == 0) break;
                    if (filled + 1L > maxBytes)
                        throw new DatasetFormatException(source + " (decompressed)", maxBytes, $"gzip stream inflates past {maxBytes} bytes");
                    Array.Resize(ref output, (int)Math.Min(Math.Max(2L * output.Length, 1 << 16), cap));
                    output[filled++] = probe[0];
                    continue;
                }
                int n = gz.Read(output, filled, output.Length - filled);
                if (n == 0) break;
                filled += n;
                if (filled > maxBytes)
                    throw new DatasetFormatException(source + " (decompressed)", maxBytes, $"gzip stream inflates past {maxBytes} bytes");
            }
        }
        catch (InvalidDataException e)
        {
            throw new DatasetFormatException(source + " (decompressed)", filled, $"corrupt gzip stream ({e.Message})", e);
        }
        if (filled != output.Length) Array.Resize(ref output, filled);
        return output;
    }
}
