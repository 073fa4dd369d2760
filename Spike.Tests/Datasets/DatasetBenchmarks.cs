using System.Diagnostics;
using NUnit.Framework;
using Spike.Datasets;
using Spike.Datasets.Formats;

namespace Spike.Tests.Datasets;

/// <summary>Throughput figures for docs/datasets.md; explicit only (run with --filter Name~DatasetBenchmarks).</summary>
[Explicit("benchmark"), Category("Benchmark")]
public class DatasetBenchmarks
{
    // Process CPU seconds per call: on a shared, oversubscribed machine wall time mostly measures the queue.
    // (For the multi-worker DataLoader line this sums the workers' CPU time.)
    private static double Time(Action a, int reps)
    {
        a();
        var p = Process.GetCurrentProcess();
        var cpu0 = p.TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < reps; i++) a();
        p.Refresh();
        double cpu = (p.TotalProcessorTime - cpu0).TotalSeconds / reps;
        TestContext.Out.WriteLine($"    (wall {sw.Elapsed.TotalSeconds / reps * 1e3:F2} ms, cpu {cpu * 1e3:F2} ms per call)");
        return cpu;
    }

    [Test]
    public void DecodeAndIntegrate()
    {
        var sample = File.ReadAllBytes(EventFramesTests.FixturePath("nmnist/sample_nmnist.bin"));
        var big = Enumerable.Repeat(sample, 250).SelectMany(b => b).ToArray(); // 1,081,250 events
        int n = big.Length / 5;
        double tDecode = Time(() => AtisBin.Parse(big, "bench", 34, 34), 5);
        TestContext.Out.WriteLine($"ATIS .bin decode: {n / tDecode / 1e6:F1} M events/s");
        var aedat = Aedat3.Encode(AtisBin.Parse(big, "bench"));
        double tA3 = Time(() => Aedat3.Parse(aedat, "bench"), 3);
        TestContext.Out.WriteLine($"AEDAT 3.1 decode: {n / tA3 / 1e6:F1} M events/s");
        var ev = AtisBin.Parse(sample, "bench", 34, 34);
        int m = 16;
        double tInt = Time(() => EventFrames.ByFixedFramesNumber(ev, SplitBy.Number, m, 34, 34), 200);
        TestContext.Out.WriteLine($"N-MNIST sample (4325 events) → [16,2,34,34]: {m / tInt:F0} frames/s, {1 / tInt:F0} samples/s");
        double tTime = Time(() => EventFrames.ByFixedFramesNumber(ev, SplitBy.Time, m, 34, 34), 200);
        TestContext.Out.WriteLine($"  split by time: {m / tTime:F0} frames/s");
        var bigEv = AtisBin.Parse(big, "bench", 34, 34);
        double tBig = Time(() => EventFrames.ByFixedFramesNumber(bigEv, SplitBy.Number, m, 34, 34), 5);
        TestContext.Out.WriteLine($"1.08 M events → 16 frames: {n / tBig / 1e6:F1} M events/s integrated");
        double tFile = Time(() => EventFrames.FromFile(EventFormat.NMnist, EventFramesTests.FixturePath("nmnist/sample_nmnist.bin"), 16, SplitBy.Number), 200);
        TestContext.Out.WriteLine($"FromFile (read + decode + integrate): {1 / tFile:F0} recordings/s");
        var frames = EventFrames.ByFixedFramesNumber(ev, SplitBy.Number, m, 34, 34);
        var ms = new MemoryStream();
        double tNpz = Time(() => { ms.SetLength(0); Npz.Write(ms, new Dictionary<string, Tensor> { ["frames"] = frames }); }, 100);
        var npz = ms.ToArray();
        double tLoad = Time(() => Npz.Parse(npz, "bench"), 100);
        TestContext.Out.WriteLine($"npz [16,2,34,34]: write {1 / tNpz:F0}/s, read {1 / tLoad:F0}/s ({npz.Length} bytes)");
        var ds = new ListDataset(Enumerable.Range(0, 512).Select(i => new Sample(frames, i % 10)).ToList());
        foreach (int workers in new[] { 0, 2 })
        {
            var loader = DataLoader.Create(ds, 64, shuffle: true, workers: workers, timeFirst: true);
            double tLoader = Time(() => { foreach (var _ in loader) { } }, 3);
            TestContext.Out.WriteLine($"DataLoader time-first batches of 64 [16,64,2,34,34], workers={workers}: {512 / tLoader:F0} samples/s");
        }
    }
}
