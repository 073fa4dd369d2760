using System.IO.Compression;
using FluentAssertions;
using NUnit.Framework;
using Spike.Datasets;
using Spike.Datasets.Formats;

namespace Spike.Tests.Datasets;

/// <summary>
/// Every parser, fed 1000 seeded mutations (truncations, byte overwrites, bit flips) of a small valid file, must either
/// decode or throw <see cref="DatasetFormatException"/> naming the source and a byte offset; any other exception fails.
/// </summary>
public class FuzzTests
{
    internal const int Mutations = 1000;

    /// <summary>Returns (accepted, rejected) counts; throws on any exception other than DatasetFormatException.</summary>
    internal static (int Ok, int Rejected) Fuzz(byte[] valid, Func<byte[], object> parse, int seed, int mutations = Mutations)
    {
        parse(valid); // the base input itself must decode
        var rng = new Random(seed);
        int ok = 0, rejected = 0;
        for (int m = 0; m < mutations; m++)
        {
            var data = Mutate(valid, rng);
            try
            {
                parse(data);
                ok++;
            }
            catch (DatasetFormatException e)
            {
                e.Message.Should().StartWith($"{e.FilePath}: at byte {e.Offset}: ");
                e.FilePath.Should().StartWith("fuzz");
                e.Offset.Should().BeGreaterThanOrEqualTo(0);
                // Offsets into the file itself (not a decompressed stream or archive member) lie within it.
                if (e.FilePath == "fuzz") e.Offset.Should().BeLessThanOrEqualTo(data.Length);
                rejected++;
            }
            catch (Exception e)
            {
                Assert.Fail($"mutation {m} (seed {seed}, {data.Length} bytes) raised {e.GetType().Name}: {e.Message}\n{Convert.ToHexString(data)}");
            }
        }
        return (ok, rejected);
    }

    internal static byte[] Mutate(byte[] valid, Random rng)
    {
        var data = (byte[])valid.Clone();
        int kind = rng.Next(4);
        if (kind is 0 or 3) data = data[..rng.Next(data.Length + 1)];           // truncate
        if (kind is 1 or 3 && data.Length > 0)                                       // overwrite 1..4 bytes
            for (int k = rng.Next(1, 5); k > 0; k--) data[rng.Next(data.Length)] = (byte)rng.Next(256);
        if (kind == 2 && data.Length > 0)                                            // flip one bit, often in the header
        {
            int at = rng.Next(2) == 0 ? rng.Next(Math.Min(data.Length, 32)) : rng.Next(data.Length);
            data[at] ^= (byte)(1 << rng.Next(8));
        }
        return data;
    }

    private static void Report(string format, (int Ok, int Rejected) r)
    {
        TestContext.Out.WriteLine($"{format}: {r.Ok} mutations decoded, {r.Rejected} rejected");
        (r.Ok + r.Rejected).Should().Be(Mutations);
        r.Rejected.Should().BeGreaterThan(Mutations / 10, "most truncations must be caught");
    }

    private static Tensor SmallU8(int n, params int[] shape) => Tensor.FromArray(Enumerable.Range(0, n).Select(i => (byte)(i * 37)).ToArray(), shape);

    [Test]
    public void IdxRaw() => Report("idx", Fuzz(Idx.Encode(SmallU8(60, 3, 5, 4)), b => Idx.Decode(b, "fuzz"), 1));

    [Test]
    public void IdxGzip()
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Optimal, leaveOpen: true)) gz.Write(Idx.Encode(SmallU8(60, 3, 5, 4)));
        Report("idx.gz", Fuzz(ms.ToArray(), b => Idx.Decode(b, "fuzz"), 2));
    }

    [Test]
    public void AtisBinNMnistFixture()
    {
        // The first 40 events of the real recording.
        var bytes = File.ReadAllBytes(EventFramesTests.FixturePath("nmnist/sample_nmnist.bin"))[..200];
        Report("atis.bin", Fuzz(bytes, b => AtisBin.Parse(b, "fuzz", 34, 34), 3));
    }

    [Test]
    public void Npy() => Report("npy", Fuzz(Spike.Datasets.Formats.Npy.Encode(Tensor.FromArray(new float[] { 1, 2, 3, 4, 5, 6 }, 2, 3)), b => Spike.Datasets.Formats.Npy.Parse(b, "fuzz"), 4));

    [Test]
    public void Npz()
    {
        foreach (bool compressed in new[] { true, false })
        {
            using var ms = new MemoryStream();
            Spike.Datasets.Formats.Npz.Write(ms, new Dictionary<string, Tensor> { ["frames"] = Tensor.FromArray(new float[] { 1, 2, 3, 4 }, 1, 2, 2) }, compressed);
            Report("npz" + (compressed ? " (deflate)" : " (stored)"), Fuzz(ms.ToArray(), b => Spike.Datasets.Formats.Npz.Parse(b, "fuzz"), compressed ? 5 : 6));
        }
    }
}

public class FuzzMoreFormatsTests
{
    private static EventStream Few(int n, int w, int h) =>
        new(Enumerable.Range(0, n).Select(i => (long)i * 7).ToArray(), Enumerable.Range(0, n).Select(i => i * 5 % w).ToArray(),
            Enumerable.Range(0, n).Select(i => i * 3 % h).ToArray(), Enumerable.Range(0, n).Select(i => (byte)(i % 2)).ToArray());

    private static void Check(string name, (int Ok, int Rejected) r)
    {
        TestContext.Out.WriteLine($"{name}: {r.Ok} mutations decoded, {r.Rejected} rejected");
        r.Rejected.Should().BeGreaterThan(FuzzTests.Mutations / 10);
    }

    [Test] public void Aedat3() => Check("aedat3", FuzzTests.Fuzz(Spike.Datasets.Formats.Aedat3.Encode(Few(12, 128, 128)), b => Spike.Datasets.Formats.Aedat3.Parse(b, "fuzz"), 7));
    [Test] public void Aedat2() => Check("aedat2", FuzzTests.Fuzz(Spike.Datasets.Formats.Aedat2.Encode(Few(12, 128, 128)), b => Spike.Datasets.Formats.Aedat2.ParseCifar10Dvs(b, "fuzz"), 8));
    [Test] public void Cifar10() => Check("cifar10", FuzzTests.Fuzz(new byte[2 * Spike.Datasets.Formats.Cifar10Binary.RecordBytes], b => Spike.Datasets.Formats.Cifar10Binary.Parse(b, "fuzz"), 9));
    [Test] public void GestureLabels() => Check("labels.csv", FuzzTests.Fuzz("class,startTime_usec,endTime_usec\r\n1,100,2000\r\n11,2000,900000\r\n"u8.ToArray(),
        b => Spike.Datasets.Formats.Aedat3.ParseLabels(System.Text.Encoding.Latin1.GetString(b), "fuzz"), 10));

    [Test]
    public void EventCacheNpz()
    {
        using var ms = new MemoryStream();
        EventNpz.Write(ms, Few(8, 34, 34));
        Check("events npz", FuzzTests.Fuzz(ms.ToArray(), b => EventNpz.Parse(b, "fuzz"), 14));
    }

    [Test]
    public void MatV5()
    {
        var ev = Few(6, 240, 180);
        var vars = new Dictionary<string, double[]> { ["ts"] = ev.T.Select(v => (double)v).ToArray(), ["x"] = ev.X.Select(v => (double)v).ToArray(), ["y"] = ev.Y.Select(v => (double)v).ToArray(), ["pol"] = ev.P.Select(v => (double)v).ToArray() };
        foreach (bool z in new[] { false, true })
            Check("mat" + (z ? " (compressed)" : ""), FuzzTests.Fuzz(MatV5Writer.Encode(vars, z), b => MatV5AslDvs(b), z ? 11 : 12));
        static object MatV5AslDvs(byte[] b) => Spike.Datasets.Formats.MatV5.AslDvsEvents(Spike.Datasets.Formats.MatV5.Parse(b, "fuzz"), "fuzz");
    }
}

public class FuzzWavTests
{
    [Test]
    public void Wav()
    {
        var w = new float[2, 5] { { 0.1f, 0.2f, -0.3f, 0.4f, 0f }, { 1f, -1f, 0.5f, 0.25f, 0f } };
        var r = FuzzTests.Fuzz(Spike.Datasets.Formats.Wav.EncodePcm16(w, 16000), b => Spike.Datasets.Formats.Wav.Parse(b, "fuzz"), 13);
        TestContext.Out.WriteLine($"wav: {r.Ok} mutations decoded, {r.Rejected} rejected");
        r.Rejected.Should().BeGreaterThan(FuzzTests.Mutations / 10);
    }
}
