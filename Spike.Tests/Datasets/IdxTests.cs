using System.Buffers.Binary;
using FluentAssertions;
using NUnit.Framework;
using Spike.Datasets;
using Spike.Datasets.Formats;

namespace Spike.Tests.Datasets;

public class IdxTests
{
    private string _dir = "";

    [SetUp] public void SetUp() => Directory.CreateDirectory(_dir = Path.Combine(Path.GetTempPath(), "spike-idx-" + Guid.NewGuid().ToString("N")));
    [TearDown] public void TearDown() => Directory.Delete(_dir, true);

    [Test]
    public void ParsesHandWrittenBytes()
    {
        // magic 00 00 0B 02 (int16, 2 dims), dims 2 and 1, values 0x0102 = 258 and 0xFFFE = -2 big-endian.
        byte[] b = [0, 0, 0x0B, 2, 0, 0, 0, 2, 0, 0, 0, 1, 0x01, 0x02, 0xFF, 0xFE];
        var t = Idx.Parse(b, "mem");
        t.Shape.Should().Equal(2, 1);
        t.ToArray<int>().Should().Equal(258, -2);
        // float32 1.5 = 0x3FC00000 big-endian.
        var f = Idx.Parse([0, 0, 0x0D, 1, 0, 0, 0, 1, 0x3F, 0xC0, 0, 0], "mem");
        f.ToArray<float>().Should().Equal(1.5f);
    }

    [Test]
    public void RoundTripsRawAndGzip()
    {
        var bytes = Enumerable.Range(0, 24).Select(i => (byte)(i * 11)).ToArray();
        var u8 = Tensor.FromArray(bytes, 2, 3, 4);
        var f64 = Tensor.FromArray(new[] { 1.25, -3.5, 1e-300 }, 3);
        foreach (bool gz in new[] { false, true })
        {
            var p = Path.Combine(_dir, $"a{gz}.idx");
            Idx.Write(p, u8, gz);
            File.ReadAllBytes(p).AsSpan(0, 2).ToArray().Should().Equal(gz ? new byte[] { 0x1F, 0x8B } : [0, 0]);
            var back = Idx.Read(p);
            back.Shape.Should().Equal(2, 3, 4);
            back.ToArray<byte>().Should().Equal(bytes);
            Idx.Write(p, f64, gz);
            Idx.Read(p).ToArray<double>().Should().Equal(1.25, -3.5, 1e-300);
        }
    }

    [Test]
    public void RejectsBadFilesWithFileAndOffset()
    {
        var good = Idx.Encode(Tensor.FromArray(new byte[] { 1, 2, 3, 4, 5, 6 }, 2, 3));
        var p = Path.Combine(_dir, "bad.idx");
        void Expect(byte[] data, string pattern, long offset)
        {
            File.WriteAllBytes(p, data);
            var e = FluentActions.Invoking(() => Idx.Read(p)).Should().Throw<DatasetFormatException>().Which;
            e.Message.Should().Contain(p).And.Match(pattern);
            e.Offset.Should().Be(offset);
            e.FilePath.Should().Be(p);
        }
        Expect(good[..^1], "*truncated*", good.Length - 1);
        Expect([.. good, 9], "*trailing*", good.Length);
        var magic = (byte[])good.Clone(); magic[1] = 7;
        Expect(magic, "*magic*", 0);
        var type = (byte[])good.Clone(); type[2] = 0x0A;
        Expect(type, "*element type 0x0A*", 2);
        var absurd = (byte[])good.Clone(); BinaryPrimitives.WriteInt32BigEndian(absurd.AsSpan(4), int.MaxValue); BinaryPrimitives.WriteInt32BigEndian(absurd.AsSpan(8), int.MaxValue);
        Expect(absurd, "*absurd*", 4);
        var negative = (byte[])good.Clone(); BinaryPrimitives.WriteInt32BigEndian(negative.AsSpan(8), -3);
        Expect(negative, "*negative*", 8);
        Expect([0, 0, 8], "*truncated*", 3);
        FluentActions.Invoking(() => Idx.Read(Path.Combine(_dir, "none.idx"))).Should().Throw<FileNotFoundException>().WithMessage("*none.idx*");
    }

    [Test]
    public void MnistFromGeneratedFiles()
    {
        // 3 train images 2×2 (pixels 0..11·20) and labels 7, 0, 9; gzip for images, raw for labels.
        var px = Enumerable.Range(0, 12).Select(i => (byte)(i * 20)).ToArray();
        Idx.Write(Path.Combine(_dir, "train-images-idx3-ubyte.gz"), Tensor.FromArray(px, 3, 2, 2), gzip: true);
        Idx.Write(Path.Combine(_dir, "train-labels-idx1-ubyte"), Tensor.FromArray(new byte[] { 7, 0, 9 }, 3));
        var ds = new Mnist(_dir);
        ds.Count.Should().Be(3);
        ds.LabelOf(2).Should().Be(9);
        var s = ds.Get(1);
        s.Label.Should().Be(0);
        s.X.Shape.Should().Equal(1, 2, 2);
        s.X.ToArray<float>().Should().Equal(80 / 255f, 100 / 255f, 120 / 255f, 140 / 255f);
        FluentActions.Invoking(() => new Mnist(_dir, train: false)).Should().Throw<FileNotFoundException>().WithMessage("*t10k-images-idx3-ubyte*");
        Idx.Write(Path.Combine(_dir, "train-labels-idx1-ubyte"), Tensor.FromArray(new byte[] { 7, 10, 9 }, 3));
        FluentActions.Invoking(() => new Mnist(_dir)).Should().Throw<DatasetFormatException>().WithMessage("*label 10 of sample 1*").Which.Offset.Should().Be(9);
        Idx.Write(Path.Combine(_dir, "train-labels-idx1-ubyte"), Tensor.FromArray(new byte[] { 7, 1 }, 2));
        FluentActions.Invoking(() => new Mnist(_dir)).Should().Throw<DatasetFormatException>().WithMessage("*2 labels for 3 images*");
    }

    [Test]
    public void Cifar10FromBinaryBatches()
    {
        var dir = Path.Combine(_dir, "cifar-10-batches-bin");
        Directory.CreateDirectory(dir);
        // Batch b holds two records: labels b and 9 - b; record r of batch b has pixel k = (b + r + k) mod 256.
        foreach (var (name, b) in Enumerable.Range(1, 5).Select(i => ($"data_batch_{i}.bin", i)).Append(("test_batch.bin", 0)))
        {
            var data = new byte[2 * Cifar10Binary.RecordBytes];
            for (int r = 0; r < 2; r++)
            {
                data[r * Cifar10Binary.RecordBytes] = (byte)(r == 0 ? b : 9 - b);
                for (int k = 0; k < 3072; k++) data[r * Cifar10Binary.RecordBytes + 1 + k] = (byte)(b + r + k);
            }
            File.WriteAllBytes(Path.Combine(dir, name), data);
        }
        var train = new Cifar10(_dir);
        train.Count.Should().Be(10);
        Enumerable.Range(0, 10).Select(train.LabelOf).Should().Equal(1, 8, 2, 7, 3, 6, 4, 5, 5, 4);
        var s = train.Get(3); // batch 2, record 1
        s.X.Shape.Should().Equal(3, 32, 32);
        s.X.ToArray<float>().Should().Equal(Enumerable.Range(0, 3072).Select(k => (byte)(3 + k) / 255f));
        new Cifar10(dir, train: false).Count.Should().Be(2);
        File.Delete(Path.Combine(dir, "data_batch_4.bin"));
        FluentActions.Invoking(() => new Cifar10(_dir)).Should().Throw<FileNotFoundException>().WithMessage($"*{Path.Combine(dir, "data_batch_4.bin")}*");
    }

    [Test]
    public void GzipInflatesWhateverItsTrailerClaims()
    {
        static byte[] Gz(byte[] data)
        {
            using var ms = new MemoryStream();
            using (var gz = new System.IO.Compression.GZipStream(ms, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true)) gz.Write(data);
            return ms.ToArray();
        }
        var a = Enumerable.Range(0, 200_000).Select(i => (byte)(i % 251)).ToArray();
        var b = Enumerable.Range(0, 3).Select(i => (byte)i).ToArray();
        Gzip.Decompress(Gz(a), "a.gz").Should().Equal(a);
        // Concatenated members: the trailer's size is the last member's only (3 bytes), a hint far too small.
        Gzip.Decompress([.. Gz(a), .. Gz(b)], "ab.gz").Should().Equal([.. a, .. b]);
        // A trailer claiming 4 GiB: the buffer is capped by the input size (no 4 GiB allocation); the length check fails.
        var lying = Gz(b);
        BinaryPrimitives.WriteUInt32LittleEndian(lying.AsSpan(lying.Length - 4), uint.MaxValue);
        FluentActions.Invoking(() => Gzip.Decompress(lying, "l.gz")).Should().Throw<DatasetFormatException>().WithMessage("l.gz (decompressed): at byte *corrupt gzip stream*");
        FluentActions.Invoking(() => Gzip.Decompress(Gz(a), "a.gz", maxBytes: 199_999)).Should().Throw<DatasetFormatException>()
            .WithMessage("a.gz (decompressed): at byte 199999: gzip stream inflates past 199999 bytes");
    }

    [Test]
    public void RealFashionMnistWhenInstalled()
    {
        if (!File.Exists(Path.Combine(FashionMnist.DefaultRoot, "t10k-labels-idx1-ubyte.gz")))
            Assert.Ignore($"Fashion-MNIST not installed in {FashionMnist.DefaultRoot} (Debian package dataset-fashion-mnist)");
        var test = new FashionMnist(train: false);
        test.Count.Should().Be(10000);
        test.Images.Shape.Should().Equal(10000, 28, 28);
        // Values read with Python's gzip module: first labels 9 2 1 1 6 1 4 6 5 7; 1000 per class; image 0 pixel sum 33456.
        Enumerable.Range(0, 10).Select(test.LabelOf).Should().Equal(9, 2, 1, 1, 6, 1, 4, 6, 5, 7);
        Enumerable.Range(0, test.Count).GroupBy(i => test.LabelOf(i)).Should().OnlyContain(g => g.Count() == 1000);
        var x0 = test.Get(0).X.ToArray<float>();
        ((double)x0.Sum() * 255).Should().BeApproximately(33456, 1e-2);
        x0.Max().Should().Be(1f);
        var train = new FashionMnist(FashionMnist.DefaultRoot, train: true);
        train.Count.Should().Be(60000);
        Enumerable.Range(0, 10).Select(train.LabelOf).Should().Equal(9, 0, 0, 3, 0, 2, 7, 2, 5, 5);
    }
}
