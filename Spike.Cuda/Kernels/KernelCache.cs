using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace Spike.Cuda;

/// <summary>
/// Compiled kernels keyed by (program text and every header, defines, arch, image kind, NVRTC version, options),
/// kept in memory and on disk so a program is compiled once per machine. The key hashes the sources themselves,
/// so editing a kernel invalidates its entries. Disk writes go to a temporary file then move into place, so a
/// concurrent reader never sees half an image; an unwritable directory degrades to memory-only caching.
/// </summary>
public sealed class KernelCache
{
    readonly ConcurrentDictionary<string, Lazy<CompiledKernel>> _memory = new();
    int _memoryHits, _diskHits, _compilations;

    /// <param name="directory">Where images are stored; null for memory only.</param>
    public KernelCache(string? directory) { Directory = directory; }

    /// <summary>The process-wide cache in <see cref="DefaultDirectory"/>.</summary>
    public static KernelCache Shared { get; } = new(DefaultDirectory);

    /// <summary><c>$SPIKE_KERNEL_CACHE</c>, else <c>$XDG_CACHE_HOME/spike/kernels</c>, else <c>~/.cache/spike/kernels</c>.</summary>
    public static string DefaultDirectory
    {
        get
        {
            var env = Environment.GetEnvironmentVariable("SPIKE_KERNEL_CACHE");
            if (!string.IsNullOrWhiteSpace(env)) return env;
            var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            var root = !string.IsNullOrWhiteSpace(xdg) ? xdg
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
            return Path.Combine(root, "spike", "kernels");
        }
    }

    public string? Directory { get; }
    public int MemoryHits => _memoryHits;
    public int DiskHits => _diskHits;
    public int Compilations => _compilations;

    /// <summary>The compiled image for a variant, from memory, disk, or NVRTC (in that order).</summary>
    public CompiledKernel GetOrCompile(KernelVariant variant, int architecture, KernelImageKind kind = KernelImageKind.Ptx)
    {
        var key = KeyFor(variant, architecture, kind);
        var entry = _memory.GetOrAdd(key, k => new Lazy<CompiledKernel>(() => Load(k, variant, architecture, kind)));
        bool created = entry.IsValueCreated;
        try
        {
            var result = entry.Value;
            if (created) Interlocked.Increment(ref _memoryHits);
            return result;
        }
        catch
        {
            _memory.TryRemove(key, out _); // a failed compile is not cached: the next call reports the error again
            throw;
        }
    }

    CompiledKernel Load(string key, KernelVariant variant, int architecture, KernelImageKind kind)
    {
        var options = NvrtcCompiler.OptionsFor(variant, architecture, kind);
        var path = PathFor(key, variant, kind);
        if (path is not null && File.Exists(path))
        {
            try
            {
                var bytes = File.ReadAllBytes(path);
                Interlocked.Increment(ref _diskHits);
                return new CompiledKernel(variant, architecture, kind, bytes, options, "", key);
            }
            catch (IOException) { } // unreadable entry: recompile below
        }
        var compiled = NvrtcCompiler.Compile(variant, architecture, kind);
        Interlocked.Increment(ref _compilations);
        if (path is not null) TryStore(path, compiled.Image);
        return compiled;
    }

    string? PathFor(string key, KernelVariant variant, KernelImageKind kind) => Directory is null ? null
        : Path.Combine(Directory, $"{Path.GetFileNameWithoutExtension(variant.Program)}-{key[..24]}.{(kind == KernelImageKind.Ptx ? "ptx" : "cubin")}");

    static void TryStore(string path, byte[] image)
    {
        try
        {
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var tmp = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
            File.WriteAllBytes(tmp, image);
            File.Move(tmp, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    /// <summary>SHA-256 (hex) over everything that changes the image.</summary>
    public static string KeyFor(KernelVariant variant, int architecture, KernelImageKind kind)
    {
        var (major, minor) = Cuda.NvrtcVersion;
        var sb = new StringBuilder();
        sb.Append("nvrtc ").Append(major).Append('.').Append(minor).Append('\n');
        sb.Append(kind).Append(' ').Append(architecture).Append('\n');
        foreach (var o in NvrtcCompiler.OptionsFor(variant, architecture, kind)) sb.Append(o).Append('\n');
        sb.Append("== ").Append(variant.Program).Append('\n').Append(KernelSources.Read(variant.Program));
        foreach (var h in KernelSources.Headers) sb.Append("== ").Append(h).Append('\n').Append(KernelSources.Read(h));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())));
    }
}
