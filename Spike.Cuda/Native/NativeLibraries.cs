using System.Reflection;
using System.Runtime.InteropServices;

namespace Spike.Cuda.Native;

/// <summary>The three native libraries Spike.Cuda binds to, under the logical names its imports use.</summary>
internal enum CudaLibrary { Driver, Nvrtc, Cublas }

/// <summary>
/// Finds the CUDA driver, NVRTC and cuBLAS at run time. For each library: the environment override
/// (<c>SPIKE_LIBCUDA</c>, <c>SPIKE_LIBNVRTC</c>, <c>SPIKE_LIBCUBLAS</c>: a path or a file name), then the versioned names
/// of CUDA 13, 12 and 11 on the loader path, then in <c>$CUDA_PATH/lib64</c> and <c>/usr/local/cuda/lib64</c>.
/// Probing happens once per library; a failure is remembered with the list of what was tried.
/// </summary>
internal static class NativeLibraries
{
    internal const string DriverName = "spike-cuda-driver", NvrtcName = "spike-nvrtc", CublasName = "spike-cublas";

    static readonly object Gate = new();
    static readonly Dictionary<CudaLibrary, (nint Handle, string Detail)> Loaded = new();
    static bool _resolverSet;

    static readonly string[] DriverNames = OperatingSystem.IsWindows() ? ["nvcuda.dll"] : ["libcuda.so.1", "libcuda.so"];
    static readonly string[] NvrtcNames = OperatingSystem.IsWindows()
        ? ["nvrtc64_130_0.dll", "nvrtc64_120_0.dll", "nvrtc64_112_0.dll"]
        : ["libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so.11.2", "libnvrtc.so"];
    static readonly string[] CublasNames = OperatingSystem.IsWindows()
        ? ["cublas64_13.dll", "cublas64_12.dll", "cublas64_11.dll"]
        : ["libcublas.so.13", "libcublas.so.12", "libcublas.so.11", "libcublas.so"];

    /// <summary>Installs the import resolver for this assembly (idempotent). Binding classes call it from their static constructors.</summary>
    public static void EnsureResolver()
    {
        lock (Gate)
        {
            if (_resolverSet) return;
            NativeLibrary.SetDllImportResolver(typeof(NativeLibraries).Assembly, Resolve);
            _resolverSet = true;
        }
    }

    static nint Resolve(string name, Assembly assembly, DllImportSearchPath? path) => name switch
    {
        DriverName => TryLoad(CudaLibrary.Driver, out var h, out _) ? h : 0,
        NvrtcName => TryLoad(CudaLibrary.Nvrtc, out var h, out _) ? h : 0,
        CublasName => TryLoad(CudaLibrary.Cublas, out var h, out _) ? h : 0,
        _ => 0,
    };

    public static string EnvironmentVariable(CudaLibrary lib) => lib switch
    {
        CudaLibrary.Driver => "SPIKE_LIBCUDA",
        CudaLibrary.Nvrtc => "SPIKE_LIBNVRTC",
        _ => "SPIKE_LIBCUBLAS",
    };

    /// <summary>The file names tried for a library, in order. A set override is the only candidate: a user who
    /// names a library wants that one, not a silent fallback to another version.</summary>
    public static IReadOnlyList<string> Candidates(CudaLibrary lib)
    {
        var overrideValue = Environment.GetEnvironmentVariable(EnvironmentVariable(lib));
        if (!string.IsNullOrWhiteSpace(overrideValue)) return [overrideValue];
        var names = lib switch { CudaLibrary.Driver => DriverNames, CudaLibrary.Nvrtc => NvrtcNames, _ => CublasNames };
        var list = new List<string>(names);
        var dirs = new List<string>();
        var cudaPath = Environment.GetEnvironmentVariable("CUDA_PATH");
        if (!string.IsNullOrWhiteSpace(cudaPath)) dirs.Add(Path.Combine(cudaPath, OperatingSystem.IsWindows() ? "bin" : "lib64"));
        if (!OperatingSystem.IsWindows()) dirs.Add("/usr/local/cuda/lib64");
        if (lib == CudaLibrary.Driver && OperatingSystem.IsLinux()) dirs.Add("/usr/lib/wsl/lib"); // WSL2 ships libcuda there
        foreach (var d in dirs) foreach (var n in names) list.Add(Path.Combine(d, n));
        return list;
    }

    /// <summary>Loads a library once; on failure <paramref name="detail"/> says what was tried.
    /// On success it holds the name that loaded.</summary>
    public static bool TryLoad(CudaLibrary lib, out nint handle, out string detail)
    {
        lock (Gate)
        {
            if (!Loaded.TryGetValue(lib, out var entry))
            {
                entry = Probe(lib);
                Loaded[lib] = entry;
            }
            handle = entry.Handle;
            detail = entry.Detail;
            return handle != 0;
        }
    }

    /// <summary>Probes without caching (the environment is read now).</summary>
    internal static (nint Handle, string Detail) Probe(CudaLibrary lib)
    {
        var tried = Candidates(lib);
        foreach (var candidate in tried)
        {
            if (Path.IsPathRooted(candidate) && !File.Exists(candidate)) continue;
            if (NativeLibrary.TryLoad(candidate, out var h)) return (h, candidate);
        }
        return (0, $"none of [{string.Join(", ", tried)}] could be loaded (set {EnvironmentVariable(lib)} to the library's path)");
    }

    public static string DisplayName(CudaLibrary lib) => lib switch
    {
        CudaLibrary.Driver => "the CUDA driver (libcuda)",
        CudaLibrary.Nvrtc => "NVRTC (libnvrtc)",
        _ => "cuBLAS (libcublas)",
    };

    /// <summary>Throws <see cref="CudaUnavailableException"/> naming the library and the probe list when it cannot load.</summary>
    public static void Require(CudaLibrary lib)
    {
        if (!TryLoad(lib, out _, out var detail))
            throw new CudaUnavailableException($"{DisplayName(lib)} is not available: {detail}");
    }
}
