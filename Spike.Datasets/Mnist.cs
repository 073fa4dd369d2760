using Spike.Datasets.Formats;

namespace Spike.Datasets;

/// <summary>
/// MNIST-layout image classification from IDX files: <c>train-images-idx3-ubyte</c>,
/// <c>train-labels-idx1-ubyte</c>, <c>t10k-images-idx3-ubyte</c>, <c>t10k-labels-idx1-ubyte</c>, each raw or
/// with a <c>.gz</c> suffix. A sample is a Float32 image <c>[1, H, W]</c> scaled to [0, 1] (torchvision's
/// ToTensor) and its label.
/// </summary>
public abstract class IdxImageDataset : IDataset
{
    public const int ClassCount = 10;

    /// <summary>Raw pixels, UInt8 <c>[N, H, W]</c>.</summary>
    public Tensor Images { get; }
    /// <summary>Labels, Int64 <c>[N]</c>.</summary>
    public Tensor Labels { get; }
    public string Root { get; }
    public bool Train { get; }
    private readonly byte[] _pixels;
    private readonly long[] _labels;
    private readonly int _h, _w;

    protected IdxImageDataset(string root, bool train, string name)
    {
        Root = root;
        Train = train;
        string prefix = train ? "train" : "t10k";
        string imgPath = Locate(root, $"{prefix}-images-idx3-ubyte", name);
        string lblPath = Locate(root, $"{prefix}-labels-idx1-ubyte", name);
        var images = Idx.Read(imgPath);
        var labels = Idx.Read(lblPath);
        if (images.Rank != 3 || images.DType != DType.UInt8)
            throw new DatasetFormatException(imgPath, 0, $"{name} images must be uint8 [N, H, W], found {images.DType} [{string.Join(", ", images.Shape)}]");
        if (labels.Rank != 1 || labels.DType != DType.UInt8)
            throw new DatasetFormatException(lblPath, 0, $"{name} labels must be uint8 [N], found {labels.DType} [{string.Join(", ", labels.Shape)}]");
        if (labels.Shape[0] != images.Shape[0])
            throw new DatasetFormatException(lblPath, 4, $"{labels.Shape[0]} labels for {images.Shape[0]} images in {imgPath}");
        _pixels = ((CpuStorage)images.Storage).As<byte>(); // Idx.Read returns a fresh contiguous tensor: share, do not copy
        var raw = labels.ToArray<byte>();
        _labels = new long[raw.Length];
        for (int i = 0; i < raw.Length; i++)
        {
            if (raw[i] >= ClassCount) throw new DatasetFormatException(lblPath, 8 + i, $"label {raw[i]} of sample {i} is not in 0..{ClassCount - 1}");
            _labels[i] = raw[i];
        }
        Images = images;
        Labels = Tensor.FromArray(_labels);
        _h = images.Shape[1];
        _w = images.Shape[2];
    }

    private static string Locate(string root, string file, string name)
    {
        foreach (var candidate in new[] { file, file + ".gz" })
        {
            var p = Path.Combine(root, candidate);
            if (File.Exists(p)) return p;
        }
        throw new FileNotFoundException($"{name}: missing {Path.Combine(root, file)} (or {file}.gz) in {root}", Path.Combine(root, file));
    }

    public int Count => _labels.Length;
    public long LabelOf(int index) => _labels[index];

    /// <summary>Image <c>[1, H, W]</c> in [0, 1] (pixel / 255) and its label.</summary>
    public Sample Get(int index)
    {
        if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index), $"index {index} outside 0..{Count - 1}");
        int n = _h * _w;
        var x = new float[n];
        var src = _pixels.AsSpan(index * n, n);
        for (int i = 0; i < n; i++) x[i] = src[i] / 255f;
        return new Sample(new Tensor(new CpuStorage(x, DType.Float32), Layout.Contiguous([1, _h, _w])), _labels[index]);
    }
}

/// <summary>MNIST handwritten digits (28×28, 10 classes) from IDX files placed in <c>root</c>.</summary>
public sealed class Mnist(string root, bool train = true) : IdxImageDataset(root, train, "MNIST");

/// <summary>
/// Fashion-MNIST (28×28, 10 classes). With no root it is found in <see cref="DefaultRoot"/>, where
/// Debian's <c>dataset-fashion-mnist</c> package installs it.
/// </summary>
public sealed class FashionMnist(string? root = null, bool train = true) : IdxImageDataset(root ?? DefaultRoot, train, "Fashion-MNIST")
{
    public const string DefaultRoot = "/usr/share/datasets/fashion-mnist";
    public static readonly string[] ClassNames =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];
}
