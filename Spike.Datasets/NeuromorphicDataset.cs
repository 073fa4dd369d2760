namespace Spike.Datasets;

/// <summary>One unit of preprocessing: a source recording that yields one or more (output path, events) samples.</summary>
/// <param name="Source">The raw file (for messages).</param>
/// <param name="Outputs">Event-cache paths relative to <c>events_np</c>, e.g. <c>train/3/x.npz</c>, with their events.</param>
public sealed record Recording(string Source, Func<IEnumerable<(string Output, EventStream Events)>> Outputs);

/// <summary>
/// What distinguishes one neuromorphic dataset: sensor H×W, class count, resources (and whether they can be fetched
/// over HTTP, SpikingJelly's <c>downloadable()</c>), extraction and how recordings become samples.
/// </summary>
public sealed record NeuromorphicSpec(
    string Name, int Height, int Width, int ClassCount, bool HasTrainTestSplit, bool Downloadable, IReadOnlyList<ResourceFile> Resources,
    Action<string, string> Extract, Func<string, IEnumerable<Recording>> Recordings);

/// <summary>
/// SpikingJelly's NeuromorphicDatasetFolder pipeline, raw → events → frames: archives in <c>root/download</c> are
/// fetched (when allowed and possible) and MD5-checked, extracted to <c>root/extract</c>, decoded once (in parallel)
/// into the event cache <c>root/events_np/[train|test/]&lt;class&gt;/&lt;name&gt;.npz</c> (t, x, y, p arrays, as
/// SpikingJelly writes them), and, when frame options are given, integrated into
/// <c>root/&lt;frames folder&gt;/…/&lt;name&gt;.npz</c>. A finished stage leaves a <c>.complete</c> marker, so later
/// runs go straight to the caches. Samples are Float32 <c>[M, 2, H, W]</c> frames, or with no frame options
/// (data_type='event') Int64 <c>[N, 4]</c> event rows (t, x, y, p).
/// </summary>
public abstract class NeuromorphicDataset : IDataset
{
    private const string Marker = ".complete";
    private readonly NpzFolderDataset _samples;
    public NeuromorphicSpec Spec { get; }
    /// <summary>The event cache (SpikingJelly's <c>events_np</c>).</summary>
    public string EventsDir { get; }
    /// <summary>The frame cache, or null for event samples.</summary>
    public string? FramesDir { get; }

    protected NeuromorphicDataset(NeuromorphicSpec spec, string root, bool? train, FrameOptions? frames, DatasetOptions? options)
    {
        Spec = spec;
        options ??= new DatasetOptions();
        if (spec.HasTrainTestSplit && train is null) throw new ArgumentException($"{spec.Name}: give train = true or false");
        if (!spec.HasTrainTestSplit && train is not null) throw new ArgumentException($"{spec.Name} has no train/test split; pass train = null and use DatasetSplit.ToTrainTest");
        EventsDir = Path.Combine(root, "events_np");
        if (!Complete(EventsDir))
        {
            var extractDir = Path.Combine(root, "extract");
            if (!Complete(extractDir))
            {
                var download = Path.Combine(root, "download");
                Archives.Ensure(spec.Name, download, spec.Resources, spec.Downloadable, options);
                options.Progress?.Report(new("extract", 0, 1));
                spec.Extract(download, extractDir);
                MarkComplete(extractDir);
                options.Progress?.Report(new("extract", 1, 1));
            }
            BuildEvents(spec, extractDir, EventsDir, options);
            MarkComplete(EventsDir);
        }
        var split = spec.HasTrainTestSplit ? (train == true ? "train" : "test") : "";
        if (frames is null)
        {
            _samples = new EventFolderDataset(Path.Combine(EventsDir, split));
            return;
        }
        FramesDir = Path.Combine(root, frames.FolderName);
        if (!Complete(FramesDir))
        {
            FrameCache.Build(EventsDir, FramesDir, "*.npz", EventNpz.Read, spec.Height, spec.Width, frames, options.Progress, options.MaxParallelism);
            MarkComplete(FramesDir);
        }
        _samples = new FrameFolderDataset(Path.Combine(FramesDir, split));
    }

    private static bool Complete(string dir) => File.Exists(Path.Combine(dir, Marker));

    private static void MarkComplete(string dir)
    {
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, Marker), "");
    }

    private static void BuildEvents(NeuromorphicSpec spec, string extractDir, string eventsDir, DatasetOptions options)
    {
        var recs = spec.Recordings(extractDir).ToList();
        if (recs.Count == 0) throw new FileNotFoundException($"{spec.Name}: no recordings found in {extractDir}");
        int done = 0;
        Parallel.ForEach(recs, new ParallelOptions { MaxDegreeOfParallelism = options.MaxParallelism }, rec =>
        {
            foreach (var (output, events) in rec.Outputs())
                FrameCache.WriteOnce(Path.Combine(eventsDir, output), s => EventNpz.Write(s, events));
            options.Progress?.Report(new("events", Interlocked.Increment(ref done), recs.Count));
        });
    }

    public int Count => _samples.Count;
    public Sample Get(int index) => _samples.Get(index);
    public long LabelOf(int index) => _samples.LabelOf(index);
    /// <summary>Class names (the cache's class folders).</summary>
    public IReadOnlyList<string> Classes => _samples.Classes;

    /// <summary>The events of sample <paramref name="index"/> (whichever form <see cref="Get"/> serves).</summary>
    public EventStream GetEvents(int index) =>
        EventNpz.Read(FramesDir is null ? _samples.PathOf(index) : Path.Combine(EventsDir, Path.GetRelativePath(FramesDir, _samples.PathOf(index))));

    /// <summary>Recordings <c>dir/&lt;class&gt;/*.ext</c> as one sample each, written to <c>prefix/&lt;class&gt;/&lt;name&gt;.npz</c>.</summary>
    protected static IEnumerable<Recording> ClassFolders(string dir, string pattern, string prefix, Func<string, EventStream> read)
    {
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"expected extracted folder {dir}");
        foreach (var classDir in Directory.GetDirectories(dir).Order(StringComparer.Ordinal))
            foreach (var file in Directory.GetFiles(classDir, pattern).Order(StringComparer.Ordinal))
            {
                var rel = Path.Combine(prefix, Path.GetFileName(classDir), Path.GetFileNameWithoutExtension(file) + ".npz");
                yield return new Recording(file, () => [(rel, read(file))]);
            }
    }

    protected static void ExtractAll(string downloadDir, string extractDir, IEnumerable<ResourceFile> files)
    {
        foreach (var f in files)
            if (f.Name.EndsWith(".zip") || f.Name.EndsWith(".tar.gz")) Archives.Extract(Path.Combine(downloadDir, f.Name), extractDir);
    }
}
