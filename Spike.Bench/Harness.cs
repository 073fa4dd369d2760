using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Spike.Bench;

/// <summary>One measured workload: seconds per run (median, min, max over the timed runs) and the derived rate.</summary>
/// <summary>CpuS is the process CPU time per run (all threads): on a shared machine, Work/CpuS is the rate per busy core.</summary>
public sealed record Result(string Name, int Runs, double MedianS, double MinS, double MaxS, double Rate, string Unit, double Work, double CpuS);

/// <summary>A named workload: setup returns the action to time and the work one call does (FLOPs or bytes).</summary>
public sealed record Workload(string Name, string Unit, Func<(Action Run, double Work)> Setup);

public static class Harness
{
    /// <summary>Runs one warm-up call (JIT, caches, thread pool), then at least <paramref name="minRuns"/> timed
    /// calls and until <paramref name="minSeconds"/> have passed (at most 200 calls).</summary>
    public static Result Measure(Workload w, int minRuns = 5, double minSeconds = 1.0)
    {
        var (run, work) = w.Setup();
        run();
        run();
        var times = new List<double>();
        var proc = Process.GetCurrentProcess();
        var cpu0 = proc.TotalProcessorTime;
        var total = Stopwatch.StartNew();
        while (times.Count < minRuns || (total.Elapsed.TotalSeconds < minSeconds && times.Count < 200))
        {
            var sw = Stopwatch.StartNew();
            run();
            times.Add(sw.Elapsed.TotalSeconds);
        }
        proc.Refresh();
        double cpuPerRun = (proc.TotalProcessorTime - cpu0).TotalSeconds / times.Count;
        times.Sort();
        double median = times.Count % 2 == 1 ? times[times.Count / 2] : (times[times.Count / 2 - 1] + times[times.Count / 2]) / 2;
        double scale = w.Unit == "GFLOP/s" || w.Unit == "GB/s" ? 1e9 : 1;
        return new Result(w.Name, times.Count, median, times[0], times[^1], work / median / scale, w.Unit, work, cpuPerRun);
    }

    public static Dictionary<string, object> Machine() => new()
    {
        ["cpu"] = CpuModel(),
        ["cores"] = Environment.ProcessorCount,
        ["os"] = RuntimeInformation.OSDescription,
        ["runtime"] = RuntimeInformation.FrameworkDescription,
        ["simd"] = new Dictionary<string, bool>
        {
            ["avx2"] = Avx2.IsSupported,
            ["fma"] = Fma.IsSupported,
            ["avx512f"] = Avx512F.IsSupported,
            ["vector512_accelerated"] = Vector512.IsHardwareAccelerated,
        },
        ["sgemm_kernel"] = Spike.Cpu.CpuBackend.GemmKernel,
    };

    static string CpuModel()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/cpuinfo"))
                if (line.StartsWith("model name", StringComparison.Ordinal)) return line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return RuntimeInformation.ProcessArchitecture.ToString();
    }
}
