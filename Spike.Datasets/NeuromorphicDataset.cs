using Spike.Datasets.Formats;

namespace Spike.Datasets;

/// <summary>One unit of preprocessing: a source recording that yields one or more (output path, events) samples.</summary>
/// <param name="Source">The raw file (for messages).</param>
/// <param name="Outputs">Frame-cache paths relative to the frames folder, e.g. <c>train/3/x.npz</c>, with their events.</param>
public sealed record Recording(string Source, Func<IEnumerable<(string Output, EventStream Events)>> Outputs);

/// <summary>What distinguishes one neuromorphic dataset: resources, sensor, extraction and how recordings become samples.</summary>
public sealed record NeuromorphicSpec(
    string Name, int Height, int Width, int ClassCount, bool HasTrainTestSplit, IReadOnlyList<ResourceFile> Resources,
    Action<string, string> Extract, Func<string, IEnumerable<Recording>> Recordings);

/// <summary>
/// SpikingJelly's NeuromorphicDatasetFolder pipeline: archives placed in <c>root/download</c> are MD5-checked and
/// extracted to <c>root/extract</c>; every recording is integrated once (in parallel) into
/// <c>root/&lt;frames folder&gt;/[train|test/]&lt;class&gt;/&lt;name&gt;.npz</c>; samples are Float32 <c>[M, 2, H, W]</c> frames.
/// A finished stage leaves a <c>.complete</c> marker, so later runs go straight to the cache.
/// </summary>
public abstract class NeuromorphicDataset : IDataset
{
    private readonly FrameFolderDataset _frames;
    public NeuromorphicSpec Spec { get; }
    public string FramesDir { get; }

    protected NeuromorphicDataset(NeuromorphicSpec spec, string root, bool? train, FrameOptions frames, bool checkMd5 = true,
        IProgress<(int Done, int Total)>? progress = null)
    {
        Spec = spec;
        if (spec.HasTrainTestSplit && train is null) throw new ArgumentException($"{spec.Name}: give train = true or false");
        if (!spec.HasTrainTestSplit && train is not null) throw new ArgumentException($"{spec.Name} has no train/test split; pass train = null and use DatasetSplit.ToTrainTest");
        FramesDir = Path.Combine(root, frames.FolderName);
        if (!File.Exists(Path.Combine(FramesDir, ".complete")))
        {
            var extractDir = Path.Combine(root, "extract");
            if (!File.Exists(Path.Combine(extractDir, ".complete")))
            {
                var download = Path.Combine(root, "download");
                Archives.Verify(spec.Name, download, spec.Resources, checkMd5);
                spec.Extract(download, extractDir);
                File.WriteAllText(Path.Combine(extractDir, ".complete"), "");
            }
            BuildFrames(spec, extractDir, FramesDir, frames, progress);
        }
        var dir = spec.HasTrainTestSplit ? Path.Combine(FramesDir, train == true ? "train" : "test") : FramesDir;
        _frames = new FrameFolderDataset(dir);
    }

    private static void BuildFrames(NeuromorphicSpec spec, string extractDir, string framesDir, FrameOptions frames, IProgress<(int, int)>? progress)
    {
        var recs = spec.Recordings(extractDir).ToList();
        if (recs.Count == 0) throw new FileNotFoundException($"{spec.Name}: no recordings found in {extractDir}");
        int done = 0;
        Parallel.ForEach(recs, rec =>
        {
            foreach (var (output, events) in rec.Outputs())
            {
                var target = Path.Combine(framesDir, output);
                if (File.Exists(target)) continue;
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                var tmp = target + ".tmp" + Environment.CurrentManagedThreadId;
                Npz.Write(tmp, new Dictionary<string, Tensor> { ["frames"] = frames.Integrate(events, spec.Height, spec.Width) });
                File.Move(tmp, target, overwrite: true);
            }
            progress?.Report((Interlocked.Increment(ref done), recs.Count));
        });
        File.WriteAllText(Path.Combine(framesDir, ".complete"), "");
    }

    public int Count => _frames.Count;
    public Sample Get(int index) => _frames.Get(index);
    public long LabelOf(int index) => _frames.LabelOf(index);
    /// <summary>Class names (the cache's class folders).</summary>
    public IReadOnlyList<string> Classes => _frames.Classes;

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
