using System.Reflection;
using Spike.Datasets;

namespace Spike.Cli.Training;

/// <summary>Finds Fashion-MNIST: --data-dir, else Debian's full set, else the subset embedded in this program.</summary>
public static class DataSource
{
    public static (IDataset Train, IDataset Test, string Description) FashionMnist(string? dataDir)
    {
        string root = dataDir
            ?? (File.Exists(Path.Combine(Spike.Datasets.FashionMnist.DefaultRoot, "train-images-idx3-ubyte.gz")) ? Spike.Datasets.FashionMnist.DefaultRoot : ExtractEmbedded());
        var train = new FashionMnist(root, train: true);
        var test = new FashionMnist(root, train: false);
        return (train, test, $"Fashion-MNIST from {root}: {train.Count} train / {test.Count} test images");
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
