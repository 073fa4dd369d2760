using System.Runtime.InteropServices;

namespace Spike.Cuda.Native;

/// <summary>CUresult: 0 is success; the name and text of any code come from <see cref="CuDriver.cuGetErrorName"/>.</summary>
internal enum CuResult
{
    Success = 0,
    InvalidValue = 1,
    OutOfMemory = 2,
    NotInitialized = 3,
    Deinitialized = 4,
    NoDevice = 100,
    InvalidDevice = 101,
    InvalidImage = 200,
    InvalidContext = 201,
    InvalidPtx = 218,
    UnsupportedPtxVersion = 222,
    NotFound = 500,
    NotReady = 600,
    LaunchOutOfResources = 701,
    LaunchFailed = 719,
}

/// <summary>The CUdevice_attribute values Spike reads.</summary>
internal enum CuDeviceAttribute
{
    MaxThreadsPerBlock = 1,
    MaxGridDimX = 5,
    MaxSharedMemoryPerBlock = 8,
    WarpSize = 10,
    ClockRate = 13,
    MultiprocessorCount = 16,
    MemoryClockRate = 36,
    GlobalMemoryBusWidth = 37,
    ComputeCapabilityMajor = 75,
    ComputeCapabilityMinor = 76,
}

/// <summary>
/// CUDA driver API (libcuda), the subset Spike uses. Handles (contexts, streams, events, modules, functions) are
/// opaque pointers; device memory is a 64-bit CUdeviceptr. Entry points are the <c>_v2</c> symbols that cuda.h
/// maps the plain names to since CUDA 4 (and 11 for the primary-context release).
/// </summary>
internal static partial class CuDriver
{
    const string Lib = NativeLibraries.DriverName;

    static CuDriver() => NativeLibraries.EnsureResolver();

    [LibraryImport(Lib)] internal static partial CuResult cuInit(uint flags);
    [LibraryImport(Lib)] internal static partial CuResult cuDriverGetVersion(out int version);
    [LibraryImport(Lib)] internal static partial CuResult cuGetErrorName(CuResult error, out nint name);
    [LibraryImport(Lib)] internal static partial CuResult cuGetErrorString(CuResult error, out nint text);

    // ---- devices ----
    [LibraryImport(Lib)] internal static partial CuResult cuDeviceGetCount(out int count);
    [LibraryImport(Lib)] internal static partial CuResult cuDeviceGet(out int device, int ordinal);
    [LibraryImport(Lib)] internal static partial CuResult cuDeviceGetAttribute(out int value, CuDeviceAttribute attribute, int device);
    [LibraryImport(Lib)] internal static unsafe partial CuResult cuDeviceGetName(byte* name, int length, int device);
    [LibraryImport(Lib, EntryPoint = "cuDeviceTotalMem_v2")] internal static partial CuResult cuDeviceTotalMem(out nuint bytes, int device);

    // ---- contexts ----
    [LibraryImport(Lib)] internal static partial CuResult cuDevicePrimaryCtxRetain(out nint context, int device);
    [LibraryImport(Lib, EntryPoint = "cuDevicePrimaryCtxRelease_v2")] internal static partial CuResult cuDevicePrimaryCtxRelease(int device);
    [LibraryImport(Lib)] internal static partial CuResult cuCtxSetCurrent(nint context);
    [LibraryImport(Lib)] internal static partial CuResult cuCtxGetCurrent(out nint context);
    [LibraryImport(Lib)] internal static partial CuResult cuCtxSynchronize();

    // ---- streams and events ----
    [LibraryImport(Lib)] internal static partial CuResult cuStreamCreate(out nint stream, uint flags);
    [LibraryImport(Lib, EntryPoint = "cuStreamDestroy_v2")] internal static partial CuResult cuStreamDestroy(nint stream);
    [LibraryImport(Lib)] internal static partial CuResult cuStreamSynchronize(nint stream);
    [LibraryImport(Lib)] internal static partial CuResult cuEventCreate(out nint evt, uint flags);
    [LibraryImport(Lib, EntryPoint = "cuEventDestroy_v2")] internal static partial CuResult cuEventDestroy(nint evt);
    [LibraryImport(Lib)] internal static partial CuResult cuEventRecord(nint evt, nint stream);
    [LibraryImport(Lib)] internal static partial CuResult cuEventSynchronize(nint evt);
    [LibraryImport(Lib)] internal static partial CuResult cuEventElapsedTime(out float milliseconds, nint start, nint end);

    // ---- memory ----
    [LibraryImport(Lib, EntryPoint = "cuMemAlloc_v2")] internal static partial CuResult cuMemAlloc(out ulong devicePtr, nuint bytes);
    [LibraryImport(Lib, EntryPoint = "cuMemFree_v2")] internal static partial CuResult cuMemFree(ulong devicePtr);
    [LibraryImport(Lib, EntryPoint = "cuMemGetInfo_v2")] internal static partial CuResult cuMemGetInfo(out nuint free, out nuint total);
    [LibraryImport(Lib, EntryPoint = "cuMemcpyHtoD_v2")] internal static partial CuResult cuMemcpyHtoD(ulong dst, nint src, nuint bytes);
    [LibraryImport(Lib, EntryPoint = "cuMemcpyDtoH_v2")] internal static partial CuResult cuMemcpyDtoH(nint dst, ulong src, nuint bytes);
    [LibraryImport(Lib, EntryPoint = "cuMemcpyDtoD_v2")] internal static partial CuResult cuMemcpyDtoD(ulong dst, ulong src, nuint bytes);
    [LibraryImport(Lib, EntryPoint = "cuMemcpyHtoDAsync_v2")] internal static partial CuResult cuMemcpyHtoDAsync(ulong dst, nint src, nuint bytes, nint stream);
    [LibraryImport(Lib, EntryPoint = "cuMemcpyDtoHAsync_v2")] internal static partial CuResult cuMemcpyDtoHAsync(nint dst, ulong src, nuint bytes, nint stream);
    [LibraryImport(Lib, EntryPoint = "cuMemcpyDtoDAsync_v2")] internal static partial CuResult cuMemcpyDtoDAsync(ulong dst, ulong src, nuint bytes, nint stream);
    [LibraryImport(Lib, EntryPoint = "cuMemsetD8_v2")] internal static partial CuResult cuMemsetD8(ulong dst, byte value, nuint count);
    [LibraryImport(Lib, EntryPoint = "cuMemsetD32_v2")] internal static partial CuResult cuMemsetD32(ulong dst, uint value, nuint count);
    [LibraryImport(Lib)] internal static partial CuResult cuMemsetD8Async(ulong dst, byte value, nuint count, nint stream);
    [LibraryImport(Lib)] internal static partial CuResult cuMemsetD32Async(ulong dst, uint value, nuint count, nint stream);

    // ---- modules and launches ----
    /// <summary>Loads PTX (NUL-terminated text, JIT-compiled by the driver) or a CUBIN image.</summary>
    [LibraryImport(Lib)] internal static partial CuResult cuModuleLoadData(out nint module, nint image);
    [LibraryImport(Lib)] internal static partial CuResult cuModuleUnload(nint module);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial CuResult cuModuleGetFunction(out nint function, nint module, string name);

    /// <summary>kernelParams[i] points at the value of parameter i (see <see cref="Spike.Cuda.KernelArgs"/>).</summary>
    [LibraryImport(Lib)]
    internal static partial CuResult cuLaunchKernel(nint function, uint gridX, uint gridY, uint gridZ,
        uint blockX, uint blockY, uint blockZ, uint sharedMemBytes, nint stream, nint kernelParams, nint extra);

    /// <summary>"CUDA_ERROR_OUT_OF_MEMORY: out of memory", or the bare code when the driver cannot name it.</summary>
    internal static string Describe(CuResult code)
    {
        string name = cuGetErrorName(code, out var n) == CuResult.Success && n != 0 ? Marshal.PtrToStringUTF8(n)! : $"CUresult {(int)code}";
        string text = cuGetErrorString(code, out var t) == CuResult.Success && t != 0 ? Marshal.PtrToStringUTF8(t)! : "unknown error";
        return $"{name}: {text}";
    }

    /// <summary>Throws <see cref="CudaException"/> with the call, the context and the driver's error text.</summary>
    internal static void Check(CuResult code, string call, string? context = null)
    {
        if (code != CuResult.Success) throw new CudaException(call, (int)code, Describe(code), context);
    }
}
