using System.Diagnostics;
using System.Runtime;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Spike.Cpu;

namespace Spike.Bench;

/// <summary>One measured workload: seconds per run (median, min, max over the timed runs), the rate of its work
/// per second, and the process CPU seconds per run (all threads; on a shared machine work / CPU time is the rate
/// per busy core). Metrics carry derived, untimed figures (e.g. bytes saved per neuron-step).</summary>
public sealed record Result(string Name, string Group, int Runs, double MedianS, double MinS, double MaxS, double Rate, string Unit,
    double Work, double CpuS, IReadOnlyDictionary<string, double> Metrics);

/// <summary>
/// A named workload. <paramref name="Setup"/> builds the inputs once and returns the action to time and the work one
/// call does in <paramref name="Unit"/>'s numerator (FLOPs for GFLOP/s, bytes for GB/s, items for M/s, events/s and the
/// like, none for s).
/// <paramref name="Metrics"/> (optional) is called after timing for untimed figures.
/// </summary>
public sealed record Workload(string Name, string Group, string Unit, Func<(Action Run, double Work)> Setup,
    Func<IReadOnlyDictionary<string, double>>? Metrics = null);

public static class Harness
{
    /// <summary>Collects until the dead arrays have gone through the array cache's finalizers, empties the cache and
    /// collects once more: afterwards the heap holds only what is reachable, and no free array is waiting.</summary>
    public static void SettleHeap()
    {
        for (int i = 0; i < 2; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        LargeArrays.ReleaseCached();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
    }

    /// <summary>A settled heap (<see cref="SettleHeap"/>), then two untimed warm-up calls (JIT, caches, thread pool, the
    /// GC's heap size), then at least <paramref name="minRuns"/> timed calls and more until <paramref name="minSeconds"/>
    /// have passed (at most 100).</summary>
    public static Result Measure(Workload w, int minRuns = 5, double minSeconds = 1.0)
    {
        // Each workload starts on a collected heap, so the previous one's garbage does not decide where its arrays land
        // (LIF T32 N1e6 right after the 256 MiB copy: 58–63 ms and ~1260 page faults per call without, 43–47 ms with).
        SettleHeap();
        var (run, work) = w.Setup();
        run();
        run();
        var times = new List<double>();
        var proc = Process.GetCurrentProcess();
        var cpu0 = proc.TotalProcessorTime;
        long faults0 = MinorFaults(), alloc0 = GC.GetTotalAllocatedBytes(), reused0 = LargeArrays.ReusedBytes, gc0 = GC.CollectionCount(2);
        var total = Stopwatch.StartNew();
        while (times.Count < minRuns || (total.Elapsed.TotalSeconds < minSeconds && times.Count < 100))
        {
            long t0 = Stopwatch.GetTimestamp();
            run();
            times.Add(Stopwatch.GetElapsedTime(t0).TotalSeconds);
        }
        proc.Refresh();
        int n = times.Count;
        var diagnostics = new Dictionary<string, double>
        {
            ["page_faults_per_run"] = (MinorFaults() - faults0) / (double)n,
            ["allocated_mb_per_run"] = Math.Round((GC.GetTotalAllocatedBytes() - alloc0) / 1e6 / n, 3),
            ["reused_mb_per_run"] = Math.Round((LargeArrays.ReusedBytes - reused0) / 1e6 / n, 3),
            ["gen2_gcs_per_run"] = Math.Round((GC.CollectionCount(2) - gc0) / (double)n, 3),
        };
        double cpuPerRun = (proc.TotalProcessorTime - cpu0).TotalSeconds / times.Count;
        times.Sort();
        double median = times.Count % 2 == 1 ? times[times.Count / 2] : (times[times.Count / 2 - 1] + times[times.Count / 2]) / 2;
        double rate = w.Unit switch
        {
            "GFLOP/s" or "GB/s" => work / median / 1e9,
            "s" => median,
            _ => work / median, // events/s, frames/s, samples/s
        };
        var metrics = w.Metrics?.Invoke() ?? new Dictionary<string, double>();
        foreach (var kv in metrics) diagnostics[kv.Key] = kv.Value;
        return new Result(w.Name, w.Group, times.Count, median, times[0], times[^1], rate, w.Unit, work, cpuPerRun, diagnostics);
    }

    /// <summary>Minor page faults of this process so far (0 where /proc is absent): fresh memory the kernel had to map.</summary>
    static long MinorFaults()
    {
        try { return long.Parse(File.ReadAllText("/proc/self/stat").Split(')')[1].Split(' ')[8], System.Globalization.CultureInfo.InvariantCulture); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException) { return 0; }
    }

    /// <summary>The machine, runtime and settings a figure was taken under (load averages from /proc/loadavg).</summary>
    public static Dictionary<string, object> Machine() => new()
    {
        ["framework"] = "spike",
        ["cpu"] = CpuModel(),
        ["cores"] = Environment.ProcessorCount,
        ["threads"] = Environment.ProcessorCount,
        ["os"] = RuntimeInformation.OSDescription,
        ["runtime"] = RuntimeInformation.FrameworkDescription,
        ["gc"] = GCSettings.IsServerGC ? "server" : "workstation",
        ["tiered_compilation"] = AppContext.GetData("System.Runtime.TieredCompilation") is not (false or "false" or "False"),
        ["memory_gib"] = Math.Round(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (double)(1L << 30), 1),
        ["simd"] = new Dictionary<string, bool>
        {
            ["avx2"] = Avx2.IsSupported,
            ["fma"] = Fma.IsSupported,
            ["avx512f"] = Avx512F.IsSupported,
            ["vector512_accelerated"] = Vector512.IsHardwareAccelerated,
        },
        ["sgemm_kernel"] = Spike.Cpu.CpuBackend.GemmKernel,
        ["load_average"] = LoadAverage(),
        ["date_utc"] = DateTime.UtcNow.ToString("u", System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>The 1, 5 and 15 minute load averages (empty where /proc is absent).</summary>
    public static double[] LoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ').Take(3)
                .Select(s => double.Parse(s, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException) { return []; }
    }

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
