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
        using var output = new MemoryStream();
        var buf = new byte[1 << 16];
        try
        {
            int n;
            while ((n = gz.Read(buf, 0, buf.Length)) > 0)
            {
                if (output.Length + n > maxBytes)
                    throw new DatasetFormatException(source + " (decompressed)", output.Length, $"gzip stream inflates past {maxBytes} bytes");
                output.Write(buf, 0, n);
            }
        }
        catch (InvalidDataException e)
        {
            throw new DatasetFormatException(source + " (decompressed)", output.Length, $"corrupt gzip stream ({e.Message})", e);
        }
        return output.ToArray();
    }
}
