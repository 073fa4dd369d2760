using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;

namespace Spike.Datasets;

/// <summary>A file a dataset needs: its name in the download folder, where to get it, and its MD5 (null = not checked).</summary>
public sealed record ResourceFile(string Name, string Url, string? Md5);

/// <summary>Checking and unpacking archives the user placed in a download folder.</summary>
public static class Archives
{
    public static string Md5Of(string path)
    {
        using var f = File.OpenRead(path);
        return Convert.ToHexStringLower(MD5.HashData(f));
    }

    /// <summary>
    /// Throws <see cref="FileNotFoundException"/> naming each missing file (with its URL and MD5), or
    /// <see cref="InvalidDataException"/> naming a file whose MD5 differs.
    /// </summary>
    public static void Verify(string dataset, string downloadDir, IReadOnlyList<ResourceFile> files, bool checkMd5 = true)
    {
        var missing = files.Where(f => !File.Exists(Path.Combine(downloadDir, f.Name))).ToList();
        if (missing.Count > 0)
            throw new FileNotFoundException($"{dataset}: missing {string.Join("; ", missing.Select(f => $"{Path.Combine(downloadDir, f.Name)} (download from {f.Url}{(f.Md5 is null ? "" : $", MD5 {f.Md5}")})"))}. Place the files there and run again.",
                Path.Combine(downloadDir, missing[0].Name));
        if (!checkMd5) return;
        foreach (var f in files.Where(f => f.Md5 is not null))
        {
            var path = Path.Combine(downloadDir, f.Name);
            var md5 = Md5Of(path);
            if (!string.Equals(md5, f.Md5, StringComparison.OrdinalIgnoreCase))
                throw new InvalidDataException($"{dataset}: {path} has MD5 {md5}, expected {f.Md5}; the download is corrupt or a different version ({f.Url})");
        }
    }

    /// <summary>Extracts a .zip, .tar.gz/.tgz or .tar into a folder (entries escaping the folder are refused by the BCL).</summary>
    public static void Extract(string archive, string destination)
    {
        Directory.CreateDirectory(destination);
        var name = archive.ToLowerInvariant();
        if (name.EndsWith(".zip")) ZipFile.ExtractToDirectory(archive, destination, overwriteFiles: true);
        else if (name.EndsWith(".tar.gz") || name.EndsWith(".tgz"))
        {
            using var f = File.OpenRead(archive);
            using var gz = new GZipStream(f, CompressionMode.Decompress);
            TarFile.ExtractToDirectory(gz, destination, overwriteFiles: true);
        }
        else if (name.EndsWith(".tar")) TarFile.ExtractToDirectory(archive, destination, overwriteFiles: true);
        else throw new NotSupportedException($"cannot extract {archive}: not .zip, .tar.gz or .tar");
    }
}
