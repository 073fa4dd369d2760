using System.IO.Compression;
using FluentAssertions;
using NUnit.Framework;
using Spike.Datasets;
using Spike.Datasets.Formats;

namespace Spike.Tests.Datasets;

/// <summary>
/// Every parser, fed 1000 seeded mutations (truncations and byte overwrites) of a small valid file, must either
/// decode or throw <see cref="DatasetFormatException"/> naming the source; any other exception fails.
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
                e.Message.Should().StartWith("fuzz").And.Contain("at byte");
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
