using System.Text;
using FluentAssertions;
using NUnit.Framework;
using Spike.Datasets;
using Spike.Datasets.Formats;

namespace Spike.Tests.Datasets;

public class NpyTests
{
    [Test]
    public void HeaderIsNumPysLayout()
    {
        var b = Npy.Encode(Tensor.FromArray(new float[] { 1, 2, 3, 4, 5, 6 }, 2, 3));
        b.AsSpan(0, 8).ToArray().Should().Equal(0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0);
        int hl = b[8] | b[9] << 8;
        ((10 + hl) % 64).Should().Be(0);
        var header = Encoding.ASCII.GetString(b, 10, hl);
        header.Should().StartWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }").And.EndWith(" \n");
        b.Length.Should().Be(10 + hl + 24);
        BitConverter.ToSingle(b, 10 + hl + 4 * 5).Should().Be(6f);
        Encoding.ASCII.GetString(Npy.Encode(Tensor.FromArray(new long[] { 1 })), 10, 60).Should().Contain("'shape': (1,)");
    }

    [Test]
    public void RoundTripsEveryDType()
    {
        void Rt<T>(T[] data, params int[] shape) where T : unmanaged
        {
            var t = Npy.Parse(Npy.Encode(Tensor.FromArray(data, shape)), "mem");
            t.Shape.Should().Equal(shape);
            t.ToArray<T>().Should().Equal(data);
        }
        Rt(new float[] { 1.5f, -2f, float.MaxValue, 0 }, 2, 2);
        Rt(new double[] { Math.PI, -1e300 }, 2);
        Rt(new long[] { long.MinValue, 5, 7 }, 3, 1);
        Rt(new int[] { -9, 8 }, 1, 2);
        Rt(new byte[] { 0, 255, 3 }, 3);
        Rt(new[] { true, false, true, true }, 2, 1, 2);
        var scalar = Npy.Parse(Npy.Encode(Tensor.Scalar(2.5)), "mem");
        scalar.Rank.Should().Be(0);
        scalar.Item().Should().Be(2.5);
    }

    [Test]
    public void ReadsBigEndianAndFortranOrder()
    {
        // Hand-built v1 header: '>i4' shape (2, 2) Fortran order; column-major data 1, 2, 3, 4 means [[1, 3], [2, 4]].
        string dict = "{'descr': '>i4', 'fortran_order': True, 'shape': (2, 2), }";
        var header = dict.PadRight(64 - 10 - 1) + "\n";
        var bytes = new List<byte> { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, (byte)header.Length, 0 };
        bytes.AddRange(Encoding.ASCII.GetBytes(header));
        foreach (int v in new[] { 1, 2, 3, 4 }) bytes.AddRange(new byte[] { 0, 0, 0, (byte)v });
        var t = Npy.Parse(bytes.ToArray(), "mem");
        t.Shape.Should().Equal(2, 2);
        t.ToArray<int>().Should().Equal(1, 3, 2, 4);
    }

    [Test]
    public void RejectsBadHeaders()
    {
        var good = Npy.Encode(Tensor.FromArray(new float[] { 1, 2 }));
        FluentActions.Invoking(() => Npy.Parse(good[..^1], "f.npy")).Should().Throw<DatasetFormatException>().WithMessage("f.npy: at byte*truncated*");
        var bad = (byte[])good.Clone(); bad[0] = 0;
        FluentActions.Invoking(() => Npy.Parse(bad, "f.npy")).Should().Throw<DatasetFormatException>().WithMessage("*magic*").Which.Offset.Should().Be(0);
        var dt = Encoding.Latin1.GetBytes(Encoding.Latin1.GetString(good).Replace("<f4", "<c8"));
        FluentActions.Invoking(() => Npy.Parse(dt, "f.npy")).Should().Throw<DatasetFormatException>().WithMessage("*unsupported dtype '<c8'*");
        var shape = Encoding.Latin1.GetBytes(Encoding.Latin1.GetString(good).Replace("(2,)", "(9999999999,9)"));
        FluentActions.Invoking(() => Npy.Parse(shape, "f.npy")).Should().Throw<DatasetFormatException>();
    }

    [Test]
    public void NpzRoundTripAndFrameCacheLoad()
    {
        var dir = Path.Combine(Path.GetTempPath(), "spike-npz-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var p = Path.Combine(dir, "a.npz");
            var frames = Tensor.FromArray(Enumerable.Range(0, 16).Select(i => (float)i).ToArray(), 2, 2, 2, 2);
            var lab = Tensor.FromArray(new long[] { 3 });
            foreach (bool compressed in new[] { true, false })
            {
                Npz.Write(p, new Dictionary<string, Tensor> { ["frames"] = frames, ["label"] = lab }, compressed);
                var back = Npz.Read(p);
                back.Keys.Should().BeEquivalentTo("frames", "label");
                back["frames"].ToArray<float>().Should().Equal(frames.ToArray<float>());
                back["label"].ToArray<long>().Should().Equal(3);
                FrameCache.Load(p).Shape.Should().Equal(2, 2, 2, 2);
            }
            // SpikingJelly caches float64 frames; Load converts them.
            Npz.Write(p, new Dictionary<string, Tensor> { ["frames"] = Tensor.FromArray(new double[] { 1, 2 }) });
            FrameCache.Load(p).ToArray<float>().Should().Equal(1f, 2f);
            Npz.Write(p, new Dictionary<string, Tensor> { ["x"] = lab });
            FluentActions.Invoking(() => FrameCache.Load(p)).Should().Throw<DatasetFormatException>().WithMessage("*no 'frames'*");
        }
        finally { Directory.Delete(dir, true); }
    }
}

public class NpyWideningTests
{
    [Test]
    public void ReadsUInt32AndSmallIntsWidenedAndEventCaches()
    {
        byte[] Npy(string descr, string shape, byte[] body)
        {
            string dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}";
            var header = dict.PadRight(64 - 10 - 1) + "\n";
            return [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, (byte)header.Length, 0, .. Encoding.ASCII.GetBytes(header), .. body];
        }
        var u4 = Spike.Datasets.Formats.Npy.Parse(Npy("<u4", "(2,)", [0xFF, 0xFF, 0xFF, 0xFF, 1, 0, 0, 0]), "m");
        u4.DType.Should().Be(DType.Int64);
        u4.ToArray<long>().Should().Equal(4294967295L, 1L);
        Spike.Datasets.Formats.Npy.Parse(Npy(">u2", "(1,)", [0x01, 0x02]), "m").ToArray<int>().Should().Equal(258);
        Spike.Datasets.Formats.Npy.Parse(Npy("|i1", "(2,)", [0xFF, 0x05]), "m").ToArray<int>().Should().Equal(-1, 5);
        Spike.Datasets.Formats.Npy.Parse(Npy("<i2", "(1,)", [0xFE, 0xFF]), "m").ToArray<int>().Should().Equal(-2);

        var path = Path.Combine(Path.GetTempPath(), "spike-evnpz-" + Guid.NewGuid().ToString("N") + ".npz");
        try
        {
            var ev = new EventStream([3, 9], [1, 33], [0, 2], [1, 0]);
            EventNpz.Write(path, ev);
            var back = EventNpz.Read(path);
            back.T.Should().Equal(3, 9); back.X.Should().Equal(1, 33); back.Y.Should().Equal(0, 2); back.P.Should().Equal(1, 0);
        }
        finally { File.Delete(path); }
    }
}
