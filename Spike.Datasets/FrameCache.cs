using Spike.Datasets.Formats;

namespace Spike.Datasets;

/// <summary>
/// How recordings are integrated into frames for a cache (SpikingJelly's data_type='frame' options): a frame count
/// split by number or time, a fixed duration, or a custom function <c>(events, H, W) → frames</c> whose cache folder
/// is <c>CustomName</c> (custom_integrated_frames_dir_name).
/// </summary>
public sealed record FrameOptions(int? FramesNumber = null, SplitBy SplitBy = SplitBy.Number, long? Duration = null,
    Func<EventStream, int, int, Tensor>? Custom = null, string? CustomName = null)
{
    public string FolderName => Custom is not null ? CustomName ?? throw new ArgumentException("FrameOptions: a custom integration needs CustomName (its cache folder)")
        : FramesNumber is int m ? $"frames_number_{m}_split_by_{SplitBy.ToString().ToLowerInvariant()}"
        : Duration is long d ? $"duration_{d}" : throw new ArgumentException("FrameOptions: give FramesNumber, Duration or Custom");

    public Tensor Integrate(EventStream ev, int height, int width) =>
        Custom is not null ? EventFrames.ByFunction(ev, height, width, Custom)
        : FramesNumber is int m ? EventFrames.ByFixedFramesNumber(ev, SplitBy, m, height, width)
        : EventFrames.ByFixedDuration(ev, Duration ?? throw new ArgumentException("FrameOptions: give FramesNumber, Duration or Custom"), height, width);
}

/// <summary>
/// The raw → events → frames folder pipeline: every recording of a source folder (class sub-folders kept) is
/// integrated once into <c>&lt;cache&gt;/&lt;relative path&gt;.npz</c> holding <c>frames</c> (Float32 <c>[M, 2, H, W]</c>;
/// np.load(path)['frames'] reads it), in parallel; later builds skip files already present.
/// </summary>
public static class FrameCache
{
    /// <summary>
    /// Builds the cache for all files under <paramref name="sourceDir"/> matching <paramref name="pattern"/>.
    /// <paramref name="progress"/> receives (done, total) after each file. Returns the number of files written.
    /// </summary>
    public static int Build(string sourceDir, string cacheDir, string pattern, Func<string, EventStream> read, int height, int width,
        FrameOptions options, IProgress<(int Done, int Total)>? progress = null, int maxParallelism = -1)
    {
        var files = Directory.GetFiles(sourceDir, pattern, SearchOption.AllDirectories);
        Array.Sort(files, StringComparer.Ordinal);
        int done = 0, written = 0;
        Parallel.ForEach(files, new ParallelOptions { MaxDegreeOfParallelism = maxParallelism }, file =>
        {
            var target = CachePath(sourceDir, cacheDir, file);
            if (!File.Exists(target))
            {
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                var frames = options.Integrate(read(file), height, width);
                // Write then rename, so an interrupted build never leaves a half-written cache file that later runs trust.
                var tmp = target + ".tmp" + Environment.CurrentManagedThreadId;
                Npz.Write(tmp, new Dictionary<string, Tensor> { ["frames"] = frames });
                File.Move(tmp, target, overwrite: true);
                Interlocked.Increment(ref written);
            }
            progress?.Report((Interlocked.Increment(ref done), files.Length));
        });
        return written;
    }

    public static string CachePath(string sourceDir, string cacheDir, string file) =>
        Path.Combine(cacheDir, Path.ChangeExtension(Path.GetRelativePath(sourceDir, file), ".npz"));

    /// <summary>Loads cached frames as Float32 (SpikingJelly's own float64 caches are converted).</summary>
    public static Tensor Load(string npzPath)
    {
        var arrays = Npz.Read(npzPath);
        if (!arrays.TryGetValue("frames", out var f)) throw new DatasetFormatException(npzPath, 0, "no 'frames' array in the archive");
        return f.DType == DType.Float32 ? f : Raw.ToDType(f, DType.Float32);
    }
}

/// <summary>
/// Samples from a frame cache laid out as <c>&lt;root&gt;/&lt;class name&gt;/*.npz</c> (DatasetFolder): classes are the
/// sub-folder names in ordinal order, labels their indices, except that integer folder names are their own label
/// (torchvision's DatasetFolder sorts "10" before "2"). A sample is Float32 <c>[M, 2, H, W]</c>.
/// </summary>
public sealed class FrameFolderDataset : IDataset
{
    public IReadOnlyList<string> Classes { get; }
    private readonly List<(string Path, long Label)> _items = [];

    public FrameFolderDataset(string root)
    {
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"FrameFolderDataset: {root} does not exist");
        var classes = Directory.GetDirectories(root).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList();
        // Integer folder names are the labels themselves ("10" is class 10, not the third name in string order).
        bool numeric = classes.Count > 0 && classes.All(c => int.TryParse(c, out int v) && v >= 0);
        if (numeric) classes = classes.OrderBy(int.Parse).ToList();
        Classes = classes;
        for (int c = 0; c < classes.Count; c++)
        {
            var files = Directory.GetFiles(Path.Combine(root, classes[c]), "*.npz");
            Array.Sort(files, StringComparer.Ordinal);
            foreach (var f in files) _items.Add((f, numeric ? int.Parse(classes[c]) : c));
        }
    }

    public int Count => _items.Count;
    public long LabelOf(int index) => _items[index].Label;
    public Sample Get(int index) => new(FrameCache.Load(_items[index].Path), _items[index].Label);
}
