using System.Runtime.InteropServices;

namespace Spike.Cuda.Native;

/// <summary>NVRTC (libnvrtc): run-time compilation of CUDA C to PTX or CUBIN. Status 0 is success.</summary>
internal static unsafe partial class NvrtcApi
{
    const string Lib = NativeLibraries.NvrtcName;

    static NvrtcApi() => NativeLibraries.EnsureResolver();

    internal const int Success = 0, CompilationError = 6;

    [LibraryImport(Lib)] internal static partial int nvrtcVersion(out int major, out int minor);
    [LibraryImport(Lib)] internal static partial nint nvrtcGetErrorString(int result);

    /// <summary>headers[i] is the text of the file #include'd as includeNames[i] (UTF-8, NUL-terminated).</summary>
    [LibraryImport(Lib)]
    internal static partial int nvrtcCreateProgram(out nint program, byte* source, byte* name, int numHeaders, byte** headers, byte** includeNames);
    [LibraryImport(Lib)] internal static partial int nvrtcDestroyProgram(ref nint program);
    [LibraryImport(Lib)] internal static partial int nvrtcCompileProgram(nint program, int numOptions, byte** options);
    [LibraryImport(Lib)] internal static partial int nvrtcGetPTXSize(nint program, out nuint size);
    [LibraryImport(Lib)] internal static partial int nvrtcGetPTX(nint program, byte* ptx);
    /// <summary>CUBIN is produced only when the program was compiled for a real architecture (sm_XX); NVRTC 11.1+.</summary>
    [LibraryImport(Lib)] internal static partial int nvrtcGetCUBINSize(nint program, out nuint size);
    [LibraryImport(Lib)] internal static partial int nvrtcGetCUBIN(nint program, byte* cubin);
    [LibraryImport(Lib)] internal static partial int nvrtcGetProgramLogSize(nint program, out nuint size);
    [LibraryImport(Lib)] internal static partial int nvrtcGetProgramLog(nint program, byte* log);
    /// <summary>The compute capabilities this NVRTC can target, e.g. 35..90 (NVRTC 11.2+).</summary>
    [LibraryImport(Lib)] internal static partial int nvrtcGetNumSupportedArchs(out int count);
    [LibraryImport(Lib)] internal static partial int nvrtcGetSupportedArchs(int* archs);

    internal static string ErrorText(int status)
    {
        nint p = nvrtcGetErrorString(status);
        return p != 0 ? Marshal.PtrToStringUTF8(p)! : $"nvrtcResult {status}";
    }

    internal static void Check(int status, string call, string? context = null)
    {
        if (status != Success) throw new NvrtcException($"{call} failed: {ErrorText(status)} (nvrtcResult {status})" + (context is null ? "" : $"; {context}"), "", []);
    }
}
