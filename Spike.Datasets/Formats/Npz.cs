using System.IO.Compression;

namespace Spike.Datasets.Formats;

/// <summary>
/// NumPy <c>.npz</c>: a zip archive of <c>name.npy</c> members (np.savez / np.savez_compressed).
/// Member sizes are bounded while inflating, so a corrupt archive cannot make the reader allocate without limit.
/// </summary>
public static class Npz
{
    /// <summary>Writes arrays as <c>key.npy</c> members, deflated when <paramref name="compressed"/> (savez_compressed).</summary>
    public static void Write(string path, IReadOnlyDictionary<string, Tensor> arrays, bool compressed = true)
    {
        using var f = File.Create(path);
        Write(f, arrays, compressed);
    }

    public static void Write(Stream stream, IReadOnlyDictionary<string, Tensor> arrays, bool compressed = true)
    {
        using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
        foreach (var (name, t) in arrays)
        {
            var entry = zip.CreateEntry(name + ".npy", compressed ? CompressionLevel.Fastest : CompressionLevel.NoCompression);
            using var s = entry.Open();
            s.Write(Npy.Encode(t));
        }
    }

    /// <summary>All arrays of an .npz file, keyed by member name without <c>.npy</c>.</summary>
    public static Dictionary<string, Tensor> Read(string path) => Parse(DataFile.ReadAll(path), path);

    public static Dictionary<string, Tensor> Parse(byte[] data, string source)
    {
        var result = new Dictionary<string, Tensor>();
        try
        {
            using var zip = new ZipArchive(new MemoryStream(data, writable: false), ZipArchiveMode.Read);
            foreach (var entry in zip.Entries)
            {
                if (entry.FullName.EndsWith('/')) continue;
                string key = entry.FullName.EndsWith(".npy", StringComparison.Ordinal) ? entry.FullName[..^4] : entry.FullName;
                string member = $"{source}[{entry.FullName}]";
                if (entry.Length > DataFile.MaxFileBytes)
                    throw new DatasetFormatException(member, 0, $"member declares {entry.Length} bytes, which is absurd");
                var bytes = ReadBounded(entry, member);
                result[key] = Npy.Parse(bytes, member);
            }
        }
        catch (Exception e) when (e is InvalidDataException or NotSupportedException or ArgumentException or OverflowException
                                      or (IOException and not DatasetFormatException and not FileNotFoundException))
        {
            throw new DatasetFormatException(source, 0, $"corrupt zip archive ({e.Message})", e);
        }
        return result;
    }

    private static byte[] ReadBounded(ZipArchiveEntry entry, string member)
    {
        using var s = entry.Open();
        using var ms = new MemoryStream();
        var buf = new byte[1 << 16];
        int n;
        while ((n = s.Read(buf, 0, buf.Length)) > 0)
        {
            if (ms.Length + n > entry.Length)
                throw new DatasetFormatException(member, ms.Length, $"member inflates past its declared {entry.Length} bytes");
            ms.Write(buf, 0, n);
        }
        if (ms.Length != entry.Length)
            throw new DatasetFormatException(member, ms.Length, $"member is truncated: {ms.Length} of {entry.Length} declared bytes");
        return ms.ToArray();
    }
}
