using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace Spike.Cuda;

/// <summary>
/// The CUDA C sources in <c>kernels/</c>, embedded in this assembly as <c>kernels/&lt;file&gt;</c>: the .cu files
/// compiled one program each, the .cuh files handed to NVRTC as named headers, and host_shim.h for host execution.
/// </summary>
public static partial class KernelSources
{
    const string Prefix = "kernels/";
    static readonly ConcurrentDictionary<string, string> Texts = new();

    static IEnumerable<string> Resources => typeof(KernelSources).Assembly.GetManifestResourceNames()
        .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)).Select(n => n[Prefix.Length..]).Order(StringComparer.Ordinal);

    /// <summary>File names of the kernel programs (*.cu), sorted.</summary>
    public static IReadOnlyList<string> Programs => Resources.Where(n => n.EndsWith(".cu", StringComparison.Ordinal)).ToArray();

    /// <summary>File names of the headers (*.cuh), sorted.</summary>
    public static IReadOnlyList<string> Headers => Resources.Where(n => n.EndsWith(".cuh", StringComparison.Ordinal)).ToArray();

    /// <summary>The text of one embedded file, e.g. "neurons.cu" or "philox.cuh".</summary>
    public static string Read(string file) => Texts.GetOrAdd(file, static f =>
    {
        using var s = typeof(KernelSources).Assembly.GetManifestResourceStream(Prefix + f)
            ?? throw new FileNotFoundException($"kernel source '{f}' is not embedded in Spike.Cuda (known: {string.Join(", ", Resources)})");
        using var r = new StreamReader(s);
        return r.ReadToEnd();
    });

    /// <summary>The kernels a program defines: every <c>extern "C" __global__ void name(</c>, in source order.</summary>
    public static IReadOnlyList<string> KernelNames(string program) =>
        KernelDecl().Matches(Read(program)).Select(m => m.Groups[1].Value).ToArray();

    [GeneratedRegex(@"extern\s+""C""\s+__global__\s+void\s+(\w+)\s*\(")]
    private static partial Regex KernelDecl();
}
