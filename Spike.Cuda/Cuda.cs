using System.Runtime.InteropServices;
using System.Text;
using Spike.Cuda.Native;

namespace Spike.Cuda;

/// <summary>One CUDA device as the driver reports it. PeakBandwidth: bytes/s from the memory clock and bus width (0 when
/// unknown), the yardstick for achieved bandwidth in benchmarks.</summary>
public sealed record CudaDeviceInfo(int Ordinal, string Name, int ComputeMajor, int ComputeMinor, long TotalMemoryBytes, int Multiprocessors,
    double PeakBandwidth = 0)
{
    /// <summary>Compute capability as one number (8.6 → 86), the form NVRTC's arch options use.</summary>
    public int ComputeCapability => ComputeMajor * 10 + ComputeMinor;
    public override string ToString() =>
        $"cuda:{Ordinal} {Name}, compute {ComputeMajor}.{ComputeMinor}, {TotalMemoryBytes / (1024.0 * 1024 * 1024):F1} GiB, {Multiprocessors} SMs" +
        (PeakBandwidth > 0 ? $", {PeakBandwidth / 1e9:F0} GB/s" : "");
}

/// <summary>
/// Whether CUDA can be used here, and what is present. Nothing here throws when CUDA is absent:
/// <see cref="IsAvailable"/> is false and <see cref="Describe"/> says why. <see cref="Require"/> turns the same
/// reason into a <see cref="CudaUnavailableException"/>.
/// </summary>
public static class Cuda
{
    static readonly Lazy<(bool Ok, string Reason, CudaDeviceInfo[] Devices)> State = new(Initialize);

    /// <summary>True when the driver loads, cuInit succeeds and at least one device exists.</summary>
    public static bool IsAvailable => State.Value.Ok;

    /// <summary>Why CUDA is unavailable (empty when it is available).</summary>
    public static string UnavailableReason => State.Value.Ok ? "" : State.Value.Reason;

    /// <summary>The devices the driver reports (empty without a driver).</summary>
    public static IReadOnlyList<CudaDeviceInfo> Devices => State.Value.Devices;

    /// <summary>Throws <see cref="CudaUnavailableException"/> with the reason when CUDA cannot be used.</summary>
    public static void Require()
    {
        if (!IsAvailable) throw new CudaUnavailableException($"CUDA is not available: {UnavailableReason}");
    }

    /// <summary>True when NVRTC loads (kernels can be compiled even without a GPU).</summary>
    public static bool IsNvrtcAvailable => NativeLibraries.TryLoad(CudaLibrary.Nvrtc, out _, out _);

    /// <summary>NVRTC's version, e.g. (11, 8); throws <see cref="CudaUnavailableException"/> without NVRTC.</summary>
    public static (int Major, int Minor) NvrtcVersion
    {
        get
        {
            NativeLibraries.Require(CudaLibrary.Nvrtc);
            NvrtcApi.Check(NvrtcApi.nvrtcVersion(out int major, out int minor), "nvrtcVersion");
            return (major, minor);
        }
    }

    /// <summary>A multi-line report: driver and devices, NVRTC, cuBLAS, each with the library that loaded or why none did.</summary>
    public static string Describe()
    {
        var sb = new StringBuilder();
        var state = State.Value;
        if (NativeLibraries.TryLoad(CudaLibrary.Driver, out _, out var driverDetail))
        {
            string version = CuDriver.cuDriverGetVersion(out int v) == CuResult.Success ? $"{v / 1000}.{v % 1000 / 10}" : "unknown";
            sb.AppendLine($"driver: {driverDetail} (CUDA {version})");
        }
        else sb.AppendLine($"driver: not found; {driverDetail}");
        if (state.Ok) foreach (var d in state.Devices) sb.AppendLine($"  {d}");
        else sb.AppendLine($"  CUDA unavailable: {state.Reason}");
        if (NativeLibraries.TryLoad(CudaLibrary.Nvrtc, out _, out var nvrtcDetail))
        {
            var (major, minor) = NvrtcVersion;
            sb.AppendLine($"nvrtc: {nvrtcDetail} (version {major}.{minor}, targets {string.Join(",", NvrtcCompiler.SupportedArchitectures())})");
        }
        else sb.AppendLine($"nvrtc: not found; {nvrtcDetail}");
        sb.AppendLine(NativeLibraries.TryLoad(CudaLibrary.Cublas, out _, out var cublasDetail) ? $"cublas: {cublasDetail}" : $"cublas: not found; {cublasDetail}");
        return sb.ToString().TrimEnd();
    }

    static (bool, string, CudaDeviceInfo[]) Initialize()
    {
        if (!NativeLibraries.TryLoad(CudaLibrary.Driver, out _, out var detail))
            return (false, $"{NativeLibraries.DisplayName(CudaLibrary.Driver)} is not installed or not on the loader path: {detail}", []);
        try
        {
            var rc = CuDriver.cuInit(0);
            if (rc != CuResult.Success) return (false, $"cuInit failed with {CuDriver.Describe(rc)}", []);
            rc = CuDriver.cuDeviceGetCount(out int count);
            if (rc != CuResult.Success) return (false, $"cuDeviceGetCount failed with {CuDriver.Describe(rc)}", []);
            if (count == 0) return (false, "the CUDA driver reports no devices", []);
            var devices = new CudaDeviceInfo[count];
            for (int i = 0; i < count; i++) devices[i] = Query(i);
            return (true, "", devices);
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException or CudaException)
        {
            // A broken or too-old driver library must not take the process down.
            return (false, $"the CUDA driver could not be initialised: {e.Message}", []);
        }
    }

    static unsafe CudaDeviceInfo Query(int ordinal)
    {
        CuDriver.Check(CuDriver.cuDeviceGet(out int dev, ordinal), "cuDeviceGet", $"ordinal {ordinal}");
        byte* name = stackalloc byte[256];
        CuDriver.Check(CuDriver.cuDeviceGetName(name, 256, dev), "cuDeviceGetName");
        int Attr(CuDeviceAttribute a)
        {
            CuDriver.Check(CuDriver.cuDeviceGetAttribute(out int v, a, dev), "cuDeviceGetAttribute", a.ToString());
            return v;
        }
        CuDriver.Check(CuDriver.cuDeviceTotalMem(out nuint total, dev), "cuDeviceTotalMem");
        // Double data rate: two transfers per memory clock (kHz) over the bus (bits).
        double bandwidth = 2.0 * Attr(CuDeviceAttribute.MemoryClockRate) * 1000 * Attr(CuDeviceAttribute.GlobalMemoryBusWidth) / 8;
        return new CudaDeviceInfo(ordinal, Marshal.PtrToStringUTF8((nint)name) ?? "?", Attr(CuDeviceAttribute.ComputeCapabilityMajor),
            Attr(CuDeviceAttribute.ComputeCapabilityMinor), (long)total, Attr(CuDeviceAttribute.MultiprocessorCount), bandwidth);
    }
}
