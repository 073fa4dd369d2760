using Spike.Datasets;
using Spike.Datasets.Formats;

namespace Spike.Bench;

/// <summary>
/// Dataset workloads: events/s decoded per format (the real N-MNIST recording repeated to 1.08 M events, re-encoded in
/// each format), frames/s integrated (by number, by time, by duration; 100 recordings per call), and DataLoader
/// samples/s (time-first batches of 64 <c>[16, 2, 34, 34]</c> samples, from memory and from a frame cache on disk).
/// Names start with <c>ds_</c>: <c>dotnet run --project Spike.Bench -c Release -- ds_</c> runs them all.
/// </summary>
public static class DatasetWorkloads
{
    const int Repeat = 250, Recordings = 100, FramesNum = 16, CacheSamples = 512, Batch = 64;

    public static IEnumerable<Workload> All()
    {
        yield return Decode("ds_decode_atis_bin", ev => AtisBin.Encode(ev), b => AtisBin.Parse(b, "bench", 34, 34));
        yield return Decode("ds_decode_aedat31", ev => Aedat3.Encode(ev), b => Aedat3.Parse(b, "bench"));
        yield return Decode("ds_decode_aedat2_cifar10dvs", ev => Aedat2.Encode(ev), b => Aedat2.ParseCifar10Dvs(b, "bench"));
        yield return Decode("ds_decode_mat_asldvs", ev => Mat(ev, false), b => MatV5.AslDvsEvents(MatV5.Parse(b, "bench"), "bench"));
        yield return Decode("ds_decode_mat_asldvs_zlib", ev => Mat(ev, true), b => MatV5.AslDvsEvents(MatV5.Parse(b, "bench"), "bench"));
        yield return Decode("ds_decode_events_npz", ev =>
        {
            using var ms = new MemoryStream();
            EventNpz.Write(ms, ev);
            return ms.ToArray();
        }, b => EventNpz.Parse(b, "bench"));

        yield return Integrate("ds_frames_by_number", ev => EventFrames.ByFixedFramesNumber(ev, SplitBy.Number, FramesNum, 34, 34));
        yield return Integrate("ds_frames_by_time", ev => EventFrames.ByFixedFramesNumber(ev, SplitBy.Time, FramesNum, 34, 34));
        yield return Integrate("ds_frames_by_duration", ev => EventFrames.ByFixedDuration(ev, (ev.T[^1] - ev.T[0]) / FramesNum, 34, 34));

        yield return Loader("ds_dataloader_memory", 0, () =>
        {
            var frames = EventFrames.ByFixedFramesNumber(Recording(), SplitBy.Number, FramesNum, 34, 34);
            return new ListDataset(Enumerable.Range(0, CacheSamples).Select(i => new Sample(frames, i % 10)).ToList());
        });
        foreach (int workers in new[] { 0, 2 })
            yield return Loader($"ds_dataloader_frame_cache_w{workers}", workers, () => new FrameFolderDataset(FrameCacheOnDisk()));
    }

    /// <summary>The real N-MNIST recording (4325 events) from shared/fixtures, found by walking up from here.</summary>
    static EventStream Recording()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
            {
                var p = Path.Combine(d.FullName, "shared", "fixtures", "nmnist", "sample_nmnist.bin");
                if (File.Exists(p)) return AtisBin.Read(p, 34, 34);
            }
        throw new FileNotFoundException("dataset workloads need shared/fixtures/nmnist/sample_nmnist.bin above the working directory");
    }

    /// <summary>The recording repeated <see cref="Repeat"/> times back to back (1.08 M events), as a longer file would hold.</summary>
    static EventStream Long()
    {
        var one = Recording();
        EventStream[] parts = [.. Enumerable.Repeat(one, Repeat)];
        return new EventStream([.. parts.SelectMany(e => e.T)], [.. parts.SelectMany(e => e.X)], [.. parts.SelectMany(e => e.Y)], [.. parts.SelectMany(e => e.P)]);
    }

    static byte[] Mat(EventStream ev, bool compress) => MatV5Writer.Encode(new Dictionary<string, double[]>
    {
        ["ts"] = ev.T.Select(v => (double)v).ToArray(), ["x"] = ev.X.Select(v => (double)v).ToArray(),
        ["y"] = ev.Y.Select(v => (double)v).ToArray(), ["pol"] = ev.P.Select(v => (double)v).ToArray(),
    }, compress);

    static Workload Decode(string name, Func<EventStream, byte[]> encode, Func<byte[], EventStream> decode) => new(name, "dataset", "events/s", () =>
    {
        var ev = Long();
        var bytes = encode(ev);
        if (decode(bytes).Count != ev.Count) throw new InvalidOperationException($"{name}: decoded event count differs");
        return (() => decode(bytes), ev.Count);
    });

    static Workload Integrate(string name, Func<EventStream, Tensor> integrate) => new(name, "dataset", "frames/s", () =>
    {
        var ev = Recording();
        int frames = integrate(ev).Shape[0];
        return (() => { for (int i = 0; i < Recordings; i++) integrate(ev); }, (double)frames * Recordings);
    });

    static Workload Loader(string name, int workers, Func<IDataset> dataset) => new(name, "dataset", "samples/s", () =>
    {
        var loader = DataLoader.Create(dataset(), Batch, shuffle: true, workers: workers, timeFirst: true);
        return (() => { foreach (var _ in loader) { } }, loader.Dataset.Count);
    });

    /// <summary>512 frame files <c>[16, 2, 34, 34]</c> in 10 class folders under the temp folder, written once and reused.</summary>
    static string FrameCacheOnDisk()
    {
        var root = Path.Combine(Path.GetTempPath(), "spike-bench-frame-cache");
        var frames = EventFrames.ByFixedFramesNumber(Recording(), SplitBy.Number, FramesNum, 34, 34);
        for (int i = 0; i < CacheSamples; i++)
        {
            var path = Path.Combine(root, (i % 10).ToString(), $"{i:D4}.npz");
            if (File.Exists(path)) continue;
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            Npz.Write(path, new Dictionary<string, Tensor> { ["frames"] = frames });
        }
        return root;
    }
}
