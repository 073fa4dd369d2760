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
/// The events → frames stage of the folder pipeline: every recording of a source folder (class sub-folders kept) is
/// integrated once into <c>&lt;cache&gt;/&lt;relative path&gt;.npz</c> holding <c>frames</c> (Float32 <c>[M, 2, H, W]</c>;
/// np.load(path)['frames'] reads it), in parallel; later builds skip files already present.
/// </summary>
public static class FrameCache
{
    /// <summary>
    /// Builds the cache for all files under <paramref name="sourceDir"/> matching <paramref name="pattern"/>.
    /// <paramref name="progress"/> receives (<c>frames</c>, done, total) after each file. Returns the number of files written.
    /// </summary>
    public static int Build(string sourceDir, string cacheDir, string pattern, Func<string, EventStream> read, int height, int width,
        FrameOptions options, IProgress<DatasetProgress>? progress = null, int maxParallelism = -1)
    {
        var files = Directory.GetFiles(sourceDir, pattern, SearchOption.AllDirectories);
        Array.Sort(files, StringComparer.Ordinal);
        int done = 0, written = 0;
        Parallel.ForEach(files, new ParallelOptions { MaxDegreeOfParallelism = maxParallelism }, file =>
        {
            if (WriteOnce(CachePath(sourceDir, cacheDir, file), s => Npz.Write(s, new Dictionary<string, Tensor> { ["frames"] = options.Integrate(read(file), height, width) })))
                Interlocked.Increment(ref written);
            progress?.Report(new("frames", Interlocked.Increment(ref done), files.Length));
        });
        return written;
    }

    public static string CachePath(string sourceDir, string cacheDir, string file) =>
        Path.Combine(cacheDir, Path.ChangeExtension(Path.GetRelativePath(sourceDir, file), ".npz"));

    /// <summary>
    /// Writes <paramref name="target"/> unless it exists: to a temporary name first, then renamed, so an interrupted
    /// build never leaves a half-written cache file that later runs would trust. Returns whether it wrote.
    /// </summary>
    internal static bool WriteOnce(string target, Action<Stream> write)
    {
        if (File.Exists(target)) return false;
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var tmp = target + ".tmp" + Environment.CurrentManagedThreadId;
        using (var f = File.Create(tmp)) write(f);
        File.Move(tmp, target, overwrite: true);
        return true;
    }

    /// <summary>Loads cached frames as Float32 (SpikingJelly's own float64 caches are converted).</summary>
    public static Tensor Load(string npzPath)
    {
        var arrays = Npz.Read(npzPath);
        if (!arrays.TryGetValue("frames", out var f)) throw new DatasetFormatException(npzPath, 0, "no 'frames' array in the archive");
        return f.DType == DType.Float32 ? f : Raw.ToDType(f, DType.Float32);
    }
}

/// <summary>
/// Labelled <c>.npz</c> files laid out as <c>&lt;root&gt;/&lt;class name&gt;/*.npz</c> (torchvision's DatasetFolder):
/// classes are the sub-folder names in ordinal order, labels their indices, except that integer folder names are
/// their own label (DatasetFolder sorts "10" before "2").
/// </summary>
public abstract class NpzFolderDataset : IDataset
{
    public string Root { get; }
    public IReadOnlyList<string> Classes { get; }
    private readonly List<(string Path, long Label)> _items = [];

    protected NpzFolderDataset(string root)
    {
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"{GetType().Name}: {root} does not exist");
        Root = root;
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
    /// <summary>The file of sample <paramref name="index"/>.</summary>
    public string PathOf(int index) => _items[index].Path;
    public abstract Sample Get(int index);
}

/// <summary>Frames from a frame cache (<see cref="NpzFolderDataset"/> layout); a sample is Float32 <c>[M, 2, H, W]</c>.</summary>
public sealed class FrameFolderDataset(string root) : NpzFolderDataset(root)
{
    public override Sample Get(int index) => new(FrameCache.Load(PathOf(index)), LabelOf(index));
}

/// <summary>
/// Events from an event cache of t/x/y/p archives (SpikingJelly's <c>events_np</c>, data_type='event'): a sample is
/// Int64 <c>[N, 4]</c> with one (t, x, y, p) row per event (<see cref="EventStream.ToTensor"/>); <see cref="GetEvents"/>
/// gives the struct-of-arrays form.
/// </summary>
public sealed class EventFolderDataset(string root) : NpzFolderDataset(root)
{
    public EventStream GetEvents(int index) => EventNpz.Read(PathOf(index));
    public override Sample Get(int index) => new(GetEvents(index).ToTensor(), LabelOf(index));
}
