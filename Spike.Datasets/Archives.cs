using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;

namespace Spike.Datasets;

/// <summary>A file a dataset needs: its name in the download folder, where to get it, and its MD5 (null = not checked).</summary>
public sealed record ResourceFile(string Name, string Url, string? Md5);

/// <summary>Checking, fetching and unpacking the archives a dataset is distributed in.</summary>
public static class Archives
{
    public static string Md5Of(string path)
    {
        using var f = File.OpenRead(path);
        return Convert.ToHexStringLower(MD5.HashData(f));
    }

    /// <summary>
    /// Makes sure every file of <paramref name="files"/> is in <paramref name="downloadDir"/> with the right MD5
    /// (SpikingJelly's check before extraction). When <paramref name="downloadable"/> and <see cref="DatasetOptions.Download"/>,
    /// missing files are fetched and corrupt ones deleted and fetched again; otherwise a missing file gives a
    /// <see cref="FileNotFoundException"/> naming each missing path with its URL and MD5, a corrupt one an
    /// <see cref="InvalidDataException"/> naming the file and both checksums.
    /// </summary>
    public static void Ensure(string dataset, string downloadDir, IReadOnlyList<ResourceFile> files, bool downloadable, DatasetOptions options)
    {
        bool fetch = downloadable && options.Download;
        var missing = new List<ResourceFile>();
        foreach (var f in files)
        {
            var path = Path.Combine(downloadDir, f.Name);
            if (!File.Exists(path)) { missing.Add(f); continue; }
            if (!options.CheckMd5 || f.Md5 is null) continue;
            var md5 = Md5Of(path);
            if (string.Equals(md5, f.Md5, StringComparison.OrdinalIgnoreCase)) continue;
            if (!fetch)
                throw new InvalidDataException($"{dataset}: {path} has MD5 {md5}, expected {f.Md5}; the download is corrupt or a different version ({f.Url})");
            File.Delete(path);
            missing.Add(f);
        }
        if (missing.Count == 0) return;
        if (!fetch)
        {
            var hint = downloadable ? "Place the files there, or let them be fetched (DatasetOptions.Download; `spike dataset prepare --download`)."
                : $"Place the files there and run again ({dataset} cannot be downloaded automatically).";
            throw new FileNotFoundException($"{dataset}: missing {string.Join("; ", missing.Select(f => $"{Path.Combine(downloadDir, f.Name)} (download from {f.Url}{(f.Md5 is null ? "" : $", MD5 {f.Md5}")})"))}. {hint}",
                Path.Combine(downloadDir, missing[0].Name));
        }
        foreach (var f in missing)
            Download.File(options.UrlOf(f), Path.Combine(downloadDir, f.Name), options.CheckMd5 ? f.Md5 : null, options.Progress, options.Http);
    }

    /// <summary>
    /// Extracts a .zip, .tar.gz/.tgz or .tar into a folder (entries escaping the folder are refused by the BCL);
    /// a damaged archive gives an <see cref="InvalidDataException"/> naming it.
    /// </summary>
    public static void Extract(string archive, string destination)
    {
        Directory.CreateDirectory(destination);
        var name = archive.ToLowerInvariant();
        try
        {
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
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException)
        {
            throw new InvalidDataException($"{archive}: damaged archive, cannot extract it ({e.Message})", e);
        }
    }
}
