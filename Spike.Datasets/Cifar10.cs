using Spike.Datasets.Formats;

namespace Spike.Datasets;

/// <summary>
/// CIFAR-10 from the binary version placed in <c>root</c> (the files of cifar-10-binary.tar.gz, directly or in its
/// <c>cifar-10-batches-bin</c> folder). A sample is Float32 <c>[3, 32, 32]</c> in [0, 1] and its label.
/// </summary>
public sealed class Cifar10 : IDataset
{
    public const int ClassCount = 10;
    public static readonly string[] ClassNames = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];
    private readonly byte[] _pixels;
    private readonly long[] _labels;

    public Cifar10(string root, bool train = true)
    {
        var dir = Directory.Exists(Path.Combine(root, "cifar-10-batches-bin")) ? Path.Combine(root, "cifar-10-batches-bin") : root;
        var names = train ? Enumerable.Range(1, 5).Select(i => $"data_batch_{i}.bin").ToArray() : ["test_batch.bin"];
        var px = new List<byte>(); var lb = new List<long>();
        foreach (var name in names)
        {
            var p = Path.Combine(dir, name);
            if (!File.Exists(p)) throw new FileNotFoundException($"CIFAR-10: missing {p} (the binary version, cifar-10-binary.tar.gz)", p);
            var (images, labels) = Cifar10Binary.Read(p);
            px.AddRange(images.ToArray<byte>());
            lb.AddRange(labels);
        }
        _pixels = [.. px];
        _labels = [.. lb];
    }

    public int Count => _labels.Length;
    public long LabelOf(int index) => _labels[index];

    public Sample Get(int index)
    {
        const int n = 3 * 32 * 32;
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = _pixels[index * n + i] / 255f;
        return new Sample(new Tensor(new CpuStorage(x, DType.Float32), Layout.Contiguous([3, 32, 32])), _labels[index]);
    }
}
