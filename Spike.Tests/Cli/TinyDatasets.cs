using System.Formats.Tar;
using System.IO.Compression;
using Spike.Datasets;
using Spike.Datasets.Formats;

namespace Spike.Tests.Cli;

/// <summary>
/// Small learnable datasets written in the real file formats, laid out as the datasets' own roots: class k is a
/// bright band (or a band of events) at a class-specific height, plus noise, so a network can beat chance quickly.
/// </summary>
public static class TinyDatasets
{
    /// <summary>Fashion-MNIST IDX files (gzipped) in <paramref name="dir"/>: class i % 10 is a band at rows 2k+2..2k+5.</summary>
    public static void FashionMnist(string dir, int train = 64, int test = 32)
    {
        Directory.CreateDirectory(dir);
        foreach (var (prefix, n, seed) in new[] { ("train", train, 1UL), ("t10k", test, 2UL) })
        {
            var noise = Tensor.Rand([n, 28, 28], new Generator(seed)).ToArray<float>();
            var pixels = new byte[n * 784];
            var labels = new byte[n];
            for (int i = 0; i < n; i++)
            {
                labels[i] = (byte)(i % 10);
                for (int p = 0; p < 784; p++)
                {
                    int row = p / 28;
                    bool band = row >= 2 * labels[i] + 2 && row < 2 * labels[i] + 6;
                    pixels[i * 784 + p] = (byte)((band ? 200 : 0) + 50 * noise[i * 784 + p]);
                }
            }
            Idx.Write(Path.Combine(dir, $"{prefix}-images-idx3-ubyte.gz"), Tensor.FromArray(pixels, n, 28, 28), gzip: true);
            Idx.Write(Path.Combine(dir, $"{prefix}-labels-idx1-ubyte.gz"), Tensor.FromArray(labels, n), gzip: true);
        }
    }

    /// <summary>
    /// N-MNIST's download folder: Train.zip and Test.zip holding Train|Test/&lt;digit&gt;/*.bin (ATIS events, 34×34).
    /// Digit k's events fall in rows 6k..6k+5 (k &lt; 5).
    /// </summary>
    public static void NMnist(string root, int classes = 4, int trainPerClass = 4, int testPerClass = 2)
    {
        var download = Path.Combine(root, "download");
        Directory.CreateDirectory(download);
        var rng = new Random(5);
        foreach (var (zip, folder, count) in new[] { ("Train.zip", "Train", trainPerClass), ("Test.zip", "Test", testPerClass) })
        {
            var staging = Path.Combine(root, "staging", folder);
            for (int c = 0; c < classes; c++)
            {
                Directory.CreateDirectory(Path.Combine(staging, c.ToString()));
                for (int k = 0; k < count; k++)
                    File.WriteAllBytes(Path.Combine(staging, c.ToString(), $"{k:D5}.bin"), AtisBin.Encode(Band(rng, 300, 34, 6 * c, 6, 300_000)));
            }
            ZipFile.CreateFromDirectory(staging, Path.Combine(download, zip), CompressionLevel.Fastest, includeBaseDirectory: true);
        }
        Directory.Delete(Path.Combine(root, "staging"), recursive: true);
    }

    /// <summary>
    /// DVS128 Gesture's download folder: DvsGesture.tar.gz holding DvsGesture/ with AEDAT 3.1 recordings, their labels
    /// csv and the trial lists. Each recording performs gestures 1..<paramref name="classes"/> for 100 ms each; gesture g's
    /// events fall in rows 20(g−1)..20(g−1)+19.
    /// </summary>
    public static void DvsGesture(string root, int classes = 4, int trainTrials = 2, int testTrials = 1)
    {
        var staging = Path.Combine(root, "staging", "DvsGesture");
        Directory.CreateDirectory(staging);
        var rng = new Random(6);
        var names = Enumerable.Range(1, trainTrials + testTrials).Select(u => $"user{u:D2}_led").ToArray();
        foreach (var name in names)
        {
            var parts = Enumerable.Range(0, classes).Select(g => Band(rng, 400, 128, 20 * g, 20, 100_000, 100_000L * g)).ToArray();
            var events = new EventStream(parts.SelectMany(e => e.T).ToArray(), parts.SelectMany(e => e.X).ToArray(),
                parts.SelectMany(e => e.Y).ToArray(), parts.SelectMany(e => e.P).ToArray());
            File.WriteAllBytes(Path.Combine(staging, name + ".aedat"), Aedat3.Encode(events));
            File.WriteAllText(Path.Combine(staging, name + "_labels.csv"),
                "class,startTime_usec,endTime_usec\r\n" + string.Concat(Enumerable.Range(0, classes).Select(g => $"{g + 1},{100_000 * g},{100_000 * (g + 1)}\r\n")));
        }
        File.WriteAllLines(Path.Combine(staging, "trials_to_train.txt"), names.Take(trainTrials).Select(n => n + ".aedat"));
        File.WriteAllLines(Path.Combine(staging, "trials_to_test.txt"), names.Skip(trainTrials).Select(n => n + ".aedat"));
        Directory.CreateDirectory(Path.Combine(root, "download"));
        using (var f = File.Create(Path.Combine(root, "download", "DvsGesture.tar.gz")))
        using (var gz = new GZipStream(f, CompressionLevel.Fastest))
            TarFile.CreateFromDirectory(staging, gz, includeBaseDirectory: true);
        Directory.Delete(Path.Combine(root, "staging"), recursive: true);
    }

    /// <summary>n events sorted in time over [t0, t0 + duration), at random columns of a size-wide sensor and rows in [row, row + rows).</summary>
    static EventStream Band(Random rng, int n, int size, int row, int rows, long duration, long t0 = 0)
    {
        var t = Enumerable.Range(0, n).Select(_ => t0 + rng.NextInt64(duration)).Order().ToArray();
        return new EventStream(t, Enumerable.Range(0, n).Select(_ => rng.Next(size)).ToArray(),
            Enumerable.Range(0, n).Select(_ => row + rng.Next(rows)).ToArray(), Enumerable.Range(0, n).Select(_ => (byte)rng.Next(2)).ToArray());
    }
}
