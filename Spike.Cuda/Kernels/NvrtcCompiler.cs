using System.Runtime.InteropServices;
using System.Text;
using Spike.Cuda.Native;

namespace Spike.Cuda;

public enum KernelImageKind { Ptx, Cubin }

/// <summary>The output of one NVRTC compilation: PTX text (NUL-terminated, ready for cuModuleLoadData) or a CUBIN.</summary>
public sealed record CompiledKernel(KernelVariant Variant, int Architecture, KernelImageKind Kind, byte[] Image,
    IReadOnlyList<string> Options, string Log, string Key);

/// <summary>
/// Compiles kernel programs with NVRTC. Headers are every embedded .cuh, passed by name so <c>#include "philox.cuh"</c>
/// resolves without a file system or CUDA toolkit. PTX targets a virtual architecture (compute_XX, JIT-compiled by the
/// driver for newer GPUs); CUBIN targets a real one (sm_XX). Errors throw <see cref="NvrtcException"/> with the log.
/// </summary>
public static class NvrtcCompiler
{
    /// <summary>Options every program gets besides the arch and its defines.</summary>
    public static IReadOnlyList<string> BaseOptions { get; } = ["--std=c++14", "-default-device"];

    /// <summary>Compute capabilities this NVRTC can target (ascending), from nvrtcGetSupportedArchs (11.2+) or, for
    /// older NVRTC, from its version.</summary>
    public static unsafe IReadOnlyList<int> SupportedArchitectures()
    {
        NativeLibraries.Require(CudaLibrary.Nvrtc);
        try
        {
            if (NvrtcApi.nvrtcGetNumSupportedArchs(out int n) == NvrtcApi.Success && n > 0)
            {
                var archs = new int[n];
                fixed (int* p = archs) NvrtcApi.Check(NvrtcApi.nvrtcGetSupportedArchs(p), "nvrtcGetSupportedArchs");
                return archs.Order().ToArray();
            }
        }
        catch (EntryPointNotFoundException) { }
        var (major, minor) = Cuda.NvrtcVersion;
        int max = major > 11 ? 90 : minor >= 8 ? 90 : minor >= 5 ? 87 : minor >= 1 ? 86 : 80;
        return new[] { 35, 37, 50, 52, 53, 60, 61, 62, 70, 72, 75, 80, 86, 87, 89, 90 }.Where(a => a <= max).ToArray();
    }

    /// <summary>
    /// The arch to compile for: the device's compute capability when this NVRTC supports it, else the highest supported
    /// arch below it (PTX for an older virtual arch runs on newer GPUs); without a device, the highest supported arch.
    /// </summary>
    public static int ChooseArchitecture(int? deviceComputeCapability = null)
    {
        var archs = SupportedArchitectures();
        if (deviceComputeCapability is not int cc) return archs[^1];
        var fit = archs.Where(a => a <= cc).ToArray();
        if (fit.Length == 0)
            throw new CudaUnavailableException($"NVRTC {Cuda.NvrtcVersion} cannot target compute capability {cc / 10}.{cc % 10} (supports {string.Join(",", archs)})");
        return fit[^1];
    }

    /// <summary>The full option list for a variant: base options, the arch, then the defines.</summary>
    public static IReadOnlyList<string> OptionsFor(KernelVariant variant, int architecture, KernelImageKind kind) =>
        [.. BaseOptions, kind == KernelImageKind.Ptx ? $"--gpu-architecture=compute_{architecture}" : $"--gpu-architecture=sm_{architecture}",
         .. variant.DefineOptions];

    /// <summary>Compiles one variant (no caching; see <see cref="KernelCache"/>).</summary>
    public static CompiledKernel Compile(KernelVariant variant, int architecture, KernelImageKind kind = KernelImageKind.Ptx)
    {
        var options = OptionsFor(variant, architecture, kind);
        var headers = KernelSources.Headers.ToDictionary(h => h, KernelSources.Read);
        var (image, log) = CompileSource(variant.Program, KernelSources.Read(variant.Program), headers, options, kind);
        return new CompiledKernel(variant, architecture, kind, image, options, log, KernelCache.KeyFor(variant, architecture, kind));
    }

    /// <summary>Compiles arbitrary source text; internal so tests can feed broken programs.</summary>
    internal static unsafe (byte[] Image, string Log) CompileSource(string name, string source,
        IReadOnlyDictionary<string, string> headers, IReadOnlyList<string> options, KernelImageKind kind)
    {
        NativeLibraries.Require(CudaLibrary.Nvrtc);
        using var strings = new Utf8Strings();
        var headerNames = headers.Keys.ToArray();
        byte** headerTexts = strings.Array(headerNames.Select(h => headers[h]).ToArray());
        byte** includeNames = strings.Array(headerNames);
        byte** opts = strings.Array(options.ToArray());
        NvrtcApi.Check(NvrtcApi.nvrtcCreateProgram(out nint program, strings.One(source), strings.One(name), headerNames.Length,
            headerTexts, includeNames), "nvrtcCreateProgram", name);
        try
        {
            int status = NvrtcApi.nvrtcCompileProgram(program, options.Count, opts);
            string log = ProgramLog(program);
            if (status != NvrtcApi.Success)
                throw new NvrtcException(
                    $"NVRTC could not compile {name}: {NvrtcApi.ErrorText(status)}\noptions: {string.Join(" ", options)}\nlog:\n{log}", log, options);
            nuint size;
            byte[] image;
            if (kind == KernelImageKind.Ptx)
            {
                NvrtcApi.Check(NvrtcApi.nvrtcGetPTXSize(program, out size), "nvrtcGetPTXSize", name);
                image = new byte[(int)size];
                fixed (byte* p = image) NvrtcApi.Check(NvrtcApi.nvrtcGetPTX(program, p), "nvrtcGetPTX", name);
            }
            else
            {
                NvrtcApi.Check(NvrtcApi.nvrtcGetCUBINSize(program, out size), "nvrtcGetCUBINSize", name);
                image = new byte[(int)size];
                fixed (byte* p = image) NvrtcApi.Check(NvrtcApi.nvrtcGetCUBIN(program, p), "nvrtcGetCUBIN", name);
            }
            return (image, log);
        }
        finally
        {
            NvrtcApi.nvrtcDestroyProgram(ref program);
        }
    }

    static unsafe string ProgramLog(nint program)
    {
        if (NvrtcApi.nvrtcGetProgramLogSize(program, out nuint size) != NvrtcApi.Success || size <= 1) return "";
        var buf = new byte[(int)size];
        fixed (byte* p = buf) if (NvrtcApi.nvrtcGetProgramLog(program, p) != NvrtcApi.Success) return "";
        return Encoding.UTF8.GetString(buf, 0, buf.Length - 1).TrimEnd();
    }

    /// <summary>NUL-terminated UTF-8 copies in native memory, freed together.</summary>
    sealed unsafe class Utf8Strings : IDisposable
    {
        readonly List<nint> _strings = [], _arrays = [];

        public byte* One(string s)
        {
            var p = (byte*)Marshal.StringToCoTaskMemUTF8(s);
            _strings.Add((nint)p);
            return p;
        }

        public byte** Array(string[] items)
        {
            var arr = (byte**)NativeMemory.Alloc((nuint)Math.Max(items.Length, 1), (nuint)sizeof(nint));
            for (int i = 0; i < items.Length; i++) arr[i] = One(items[i]);
            _arrays.Add((nint)arr);
            return arr;
        }

        public void Dispose()
        {
            foreach (var s in _strings) Marshal.FreeCoTaskMem(s);
            foreach (var a in _arrays) NativeMemory.Free((void*)a);
        }
    }
}
