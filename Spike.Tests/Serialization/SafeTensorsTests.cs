using System.Buffers.Binary;
using System.Text;
using FluentAssertions;
using NUnit.Framework;
using Spike.Nn;

namespace Spike.Tests.Serialization;

public class SafeTensorsTests
{
    string _dir = "";

    [SetUp] public void SetUp() => Directory.CreateDirectory(_dir = Path.Combine(Path.GetTempPath(), "spike-st-" + Guid.NewGuid().ToString("N")));
    [TearDown] public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    public void RoundTripsEveryDTypeAndMetadata()
    {
        var path = Path.Combine(_dir, "w.safetensors");
        var tensors = new Dictionary<string, Tensor>
        {
            ["fc.weight"] = Tensor.Arange(0, 6, 1).Reshape(2, 3).T,          // non-contiguous: saved in logical order
            ["d"] = Tensor.FromArray(new[] { 1.5, -2.25 }),
            ["i"] = Tensor.FromArray(new[] { 7, -8 }),
            ["l"] = Tensor.FromArray(new[] { 1L << 40 }),
            ["u"] = Tensor.FromArray(new byte[] { 0, 255 }),
            ["b"] = Tensor.FromArray(new[] { true, false, true }),
            ["scalar"] = Tensor.Scalar(3),
        };
        SafeTensors.Save(path, tensors, new Dictionary<string, string> { ["epoch"] = "4" });
        var (loaded, meta) = SafeTensors.Load(path);
        meta.Should().Equal(new Dictionary<string, string> { ["epoch"] = "4" });
        loaded.Select(kv => kv.Key).Should().Equal(tensors.Keys);
        var l = loaded.ToDictionary(kv => kv.Key, kv => kv.Value);
        l["fc.weight"].Shape.Should().Equal(3, 2);
        l["fc.weight"].ToArray<float>().Should().Equal(0, 3, 1, 4, 2, 5);
        l["d"].ToArray<double>().Should().Equal(1.5, -2.25);
        l["i"].ToArray<int>().Should().Equal(7, -8);
        l["l"].ToArray<long>().Should().Equal(1L << 40);
        l["u"].ToArray<byte>().Should().Equal(0, 255);
        l["b"].ToArray<bool>().Should().Equal(true, false, true);
        l["scalar"].Rank.Should().Be(0);
    }

    [Test]
    public void ByteLayoutFollowsTheFormat()
    {
        var path = Path.Combine(_dir, "x.safetensors");
        SafeTensors.Save(path, [KeyValuePair.Create("x", Tensor.FromArray(new[] { 1f, 2f }))]);
        var bytes = File.ReadAllBytes(path);
        long n = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        (n % 8).Should().Be(0);
        Encoding.UTF8.GetString(bytes, 8, (int)n).TrimEnd(' ').Should().Be("{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}");
        bytes.Length.Should().Be((int)(8 + n + 8));
        BitConverter.ToSingle(bytes, (int)(8 + n + 4)).Should().Be(2f);
    }

    [Test]
    public void MalformedFilesNameTheFileAndOffset()
    {
        var path = Path.Combine(_dir, "ok.safetensors");
        SafeTensors.Save(path, [KeyValuePair.Create("x", Tensor.Ones(4, 4))]);
        var good = File.ReadAllBytes(path);
        var bad = Path.Combine(_dir, "bad.safetensors");
        var rng = new Random(1);
        int rejected = 0;
        for (int trial = 0; trial < 300; trial++)
        {
            var bytes = (byte[])good.Clone();
            if (trial % 2 == 0) Array.Resize(ref bytes, rng.Next(bytes.Length));
            else bytes[rng.Next(Math.Min(bytes.Length, 80))] ^= (byte)(1 << rng.Next(8));
            File.WriteAllBytes(bad, bytes);
            try { SafeTensors.Load(bad); }
            catch (InvalidDataException e) { e.Message.Should().Contain(bad).And.Contain("byte"); rejected++; }
        }
        rejected.Should().BeGreaterThan(150);
    }

    [Test]
    public void AnInterruptedWriteLeavesThePreviousFileLoadable()
    {
        var path = Path.Combine(_dir, "checkpoint.safetensors");
        SafeTensors.Save(path, [KeyValuePair.Create("w", Tensor.Full([3], 1.0))]);
        FluentActions.Invoking(() => AtomicFile.Write(path, s => { s.Write(new byte[100]); throw new IOException("disk pulled"); }))
            .Should().Throw<IOException>();
        SafeTensors.Load(path).Tensors[0].Value.ToArray<float>().Should().Equal(1f, 1f, 1f);
        Directory.GetFiles(_dir).Should().HaveCount(1, "the temporary file is removed");
    }
}
