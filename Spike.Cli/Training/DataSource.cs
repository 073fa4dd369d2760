using System.Reflection;
using Spike.Datasets;

namespace Spike.Cli.Training;

/// <summary>A model's train and test sets, and whether its batches are time-first event frames [T, N, 2, H, W].</summary>
public sealed record TrainTestData(IDataset Train, IDataset Test, bool TimeFirst, string Description);

/// <summary>Finds the dataset a model trains on.</summary>
public static class DataSource
{
    /// <summary>
    /// Fashion-MNIST: <paramref name="dataDir"/>, else Debian's full set, else the subset embedded in this program.
    /// N-MNIST and DVS128 Gesture: the dataset root <paramref name="dataDir"/> (archives in its download/ folder,
    /// as SpikingJelly), integrated once into T frames split by number and cached there.
    /// </summary>
    public static TrainTestData For(DataKind kind, int t, string? dataDir, bool skipMd5 = false, TextWriter? log = null) => kind switch
    {
        DataKind.FashionMnist => FashionMnist(dataDir),
        DataKind.NMnist => Frames(Root(dataDir, "nmnist"), t, skipMd5, log, (r, train, f, o) => new NMnist(r, train, f, o)),
        DataKind.DvsGesture => Frames(Root(dataDir, "dvs-gesture"), t, skipMd5, log, (r, train, f, o) => new DvsGesture(r, train, f, o)),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown dataset"),
    };

    public static TrainTestData FashionMnist(string? dataDir) => FashionMnistAt(dataDir
        ?? (File.Exists(Path.Combine(Spike.Datasets.FashionMnist.DefaultRoot, "train-images-idx3-ubyte.gz")) ? Spike.Datasets.FashionMnist.DefaultRoot : ExtractEmbedded()));

    /// <summary>The 4,000 / 1,000-image subset shipped inside the program (what a machine without the dataset trains on).</summary>
    public static TrainTestData EmbeddedFashionMnist() => FashionMnistAt(ExtractEmbedded());

    static TrainTestData FashionMnistAt(string root)
    {
        var train = new FashionMnist(root, train: true);
        var test = new FashionMnist(root, train: false);
        return new(train, test, false, $"Fashion-MNIST from {root}: {train.Count} train / {test.Count} test images");
    }

    static string Root(string? dataDir, string model) => dataDir
        ?? throw new ArgumentException($"{model} needs --data-dir: the dataset root whose download/ folder holds the original archives");

    static TrainTestData Frames(string root, int t, bool skipMd5, TextWriter? log,
        Func<string, bool, FrameOptions, DatasetOptions, NeuromorphicDataset> open)
    {
        var frames = new FrameOptions(FramesNumber: t, SplitBy: SplitBy.Number);
        // Preparing a dataset the first time (checking, extracting, integrating) takes minutes: show its stages.
        var bar = log is null ? null : new ProgressBar(log, interactive: IPassProgress.IsInteractive(log));
        var options = new DatasetOptions { CheckMd5 = !skipMd5, Progress = bar };
        var train = open(root, true, frames, options);
        var test = open(root, false, frames, options);
        bar?.Finish();
        return new(train, test, true, $"{train.Spec.Name} from {root}: {train.Count} train / {test.Count} test samples of {t} frames");
    }

    /// <summary>Writes the embedded subset's IDX files to a cache folder once and returns it.</summary>
    static string ExtractEmbedded()
    {
        var dir = Path.Combine(Path.GetTempPath(), "spike-fashion-mnist-subset");
        Directory.CreateDirectory(dir);
        var asm = Assembly.GetExecutingAssembly();
        foreach (var name in asm.GetManifestResourceNames().Where(n => n.StartsWith("data/", StringComparison.Ordinal)))
        {
            var path = Path.Combine(dir, name["data/".Length..]);
            using var src = asm.GetManifestResourceStream(name)!;
            if (File.Exists(path) && new FileInfo(path).Length == src.Length) continue;
            Spike.Nn.AtomicFile.Write(path, dst => src.CopyTo(dst));
        }
        return dir;
    }
}
