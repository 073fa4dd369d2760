using System.Buffers.Binary;
using FluentAssertions;
using NUnit.Framework;
using Spike.Datasets;
using Spike.Datasets.Formats;

namespace Spike.Tests.Datasets;

/// <summary>
/// One deliberate corruption of each kind per format (wrong magic or header, truncation, absurd count, out-of-range
/// coordinate), each rejected with the source and the exact byte offset. The random mutations are in <see cref="FuzzTests"/>.
/// </summary>
public class CorruptionTests
{
    private static void Rejects(Func<object> parse, string source, long offset, string pattern)
    {
        var e = FluentActions.Invoking(parse).Should().Throw<DatasetFormatException>().Which;
        e.Message.Should().StartWith($"{source}: at byte {offset}: ").And.Match(pattern);
        (e.FilePath, e.Offset).Should().Be((source, offset));
    }

    private static byte[] With(byte[] data, Action<byte[]> change)
    {
        var copy = (byte[])data.Clone();
        change(copy);
        return copy;
    }

    private static readonly EventStream Few = DatasetClassTests.Events(6, 128, 128);

    [Test]
    public void Npy()
    {
        var good = Spike.Datasets.Formats.Npy.Encode(Tensor.FromArray(new float[] { 1, 2, 3 }));
        Rejects(() => Spike.Datasets.Formats.Npy.Parse(With(good, b => b[0] = 0x92), "a.npy"), "a.npy", 0, "*magic*");
        // The header dict (from byte 10) with an absurd shape; the header length field still covers it.
        var absurd = System.Text.Encoding.Latin1.GetBytes(System.Text.Encoding.Latin1.GetString(good).Replace("'shape': (3,), }", "'shape': (99999,99999,),}"));
        Rejects(() => Spike.Datasets.Formats.Npy.Parse(absurd, "a.npy"), "a.npy", 10, "*absurd element count*");
        Rejects(() => Spike.Datasets.Formats.Npy.Parse(good[..^2], "a.npy"), "a.npy", good.Length - 2, "*truncated*needs 12 data bytes, 10 remain*");
    }

    [Test]
    public void NpzMemberWithAbsurdSize()
    {
        using var ms = new MemoryStream();
        Spike.Datasets.Formats.Npz.Write(ms, new Dictionary<string, Tensor> { ["frames"] = Tensor.FromArray(new float[] { 1, 2 }) }, compressed: false);
        var good = ms.ToArray();
        // Central directory record (PK\x01\x02): uncompressed size at +24.
        int cd = good.AsSpan().IndexOf("PK\u0001\u0002"u8);
        var absurd = With(good, b => BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(cd + 24), 0xFFFFFFF0));
        Rejects(() => Spike.Datasets.Formats.Npz.Parse(absurd, "f.npz"), "f.npz[frames.npy]", 0, "*declares 4294967280 bytes*absurd*");
        Rejects(() => Spike.Datasets.Formats.Npz.Parse(good[..^10], "f.npz"), "f.npz", 0, "*corrupt zip archive*");
    }

    [Test]
    public void EventCacheWithNegativeCoordinate()
    {
        using var ms = new MemoryStream();
        EventNpz.Write(ms, new EventStream([1, 2], [3, -1], [0, 0], [0, 1]));
        Rejects(() => EventNpz.Parse(ms.ToArray(), "e.npz"), "e.npz[x.npy]", 0, "*x[1] = -1 is not a pixel coordinate*");
    }

    [Test]
    public void IdxGzipTruncated()
    {
        using var ms = new MemoryStream();
        using (var gz = new System.IO.Compression.GZipStream(ms, System.IO.Compression.CompressionLevel.Optimal, leaveOpen: true))
            gz.Write(Idx.Encode(Tensor.FromArray(Enumerable.Range(0, 4000).Select(i => (byte)(i * 7)).ToArray(), 4000)));
        var e = FluentActions.Invoking(() => Idx.Decode(ms.ToArray()[..^200], "t.idx.gz")).Should().Throw<DatasetFormatException>().Which;
        e.FilePath.Should().StartWith("t.idx.gz");
        e.Message.Should().Match("t.idx.gz*at byte *");
    }

    [Test]
    public void MatV5()
    {
        var good = MatV5Writer.Encode(new Dictionary<string, double[]> { ["ts"] = [1, 2] }, compress: false);
        Rejects(() => Spike.Datasets.Formats.MatV5.Parse(With(good, b => b[0] = (byte)'X'), "m.mat"), "m.mat", 0, "*starts with 'MATLAB'*");
        Rejects(() => Spike.Datasets.Formats.MatV5.Parse(With(good, b => b[126] = (byte)'Q'), "m.mat"), "m.mat", 126, "*endian indicator*");
        // Matrix data starts at 136: flags (16 bytes), then the dimensions tag and its two int32 at 160.
        var absurd = With(good, b => { BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(160), int.MaxValue); BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(164), int.MaxValue); });
        Rejects(() => Spike.Datasets.Formats.MatV5.Parse(absurd, "m.mat"), "m.mat", 160, "*absurd dimensions*");
        // The matrix element's byte count (at 132) claims more than the file holds.
        Rejects(() => Spike.Datasets.Formats.MatV5.Parse(With(good, b => BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(132), 1 << 30)), "m.mat"), "m.mat", 132, "*truncated*");
        var z = MatV5Writer.Encode(new Dictionary<string, double[]> { ["ts"] = [1, 2] }, compress: true);
        // The zlib stream starts at 136 (after the miCOMPRESSED tag); compression method 0 does not exist.
        Rejects(() => Spike.Datasets.Formats.MatV5.Parse(With(z, b => b[136] = 0), "z.mat"), "z.mat", 136, "*corrupt compressed element*");
    }

    [Test]
    public void Wav()
    {
        var good = Spike.Datasets.Formats.Wav.EncodePcm16(new float[1, 4], 16000);
        Rejects(() => Spike.Datasets.Formats.Wav.Parse(With(good, b => b[0] = (byte)'X'), "w.wav"), "w.wav", 0, "*not a RIFF file*");
        Rejects(() => Spike.Datasets.Formats.Wav.Parse(With(good, b => BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(40), 0x7FFFFFF0)), "w.wav"), "w.wav", 40,
            "*data chunk declares 2147483632 bytes, 8 remain*");
        Rejects(() => Spike.Datasets.Formats.Wav.Parse(With(good, b => b[34] = 12), "w.wav"), "w.wav", 20, "*format 1 with 12 bits*");
    }

    [Test]
    public void Aedat3()
    {
        var good = Spike.Datasets.Formats.Aedat3.Encode(Few);
        int packet = good.AsSpan().IndexOf("#!END-HEADER\r\n"u8) + 14;
        Rejects(() => Spike.Datasets.Formats.Aedat3.Parse(With(good, b => BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(packet + 16), uint.MaxValue)), "g.aedat"),
            "g.aedat", packet + 16, "*declares 4294967295 events of 8 bytes*");
        Rejects(() => Spike.Datasets.Formats.Aedat3.Parse(With(good, b => BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(packet + 28), 200u << 17)), "g.aedat"),
            "g.aedat", packet + 28, "*x = 200 is outside the sensor width 128*");
        Rejects(() => Spike.Datasets.Formats.Aedat3.Parse(good[..20], "g.aedat"), "g.aedat", 14, "*header line without end*");
    }

    [Test]
    public void Aedat2AtisCifarAndLabels()
    {
        var a2 = Aedat2.Encode(Few);
        Rejects(() => Aedat2.Parse(a2[..^4], "c.aedat"), "c.aedat", a2.Length - 8, "*8-byte (address, timestamp) events*");
        var atis = AtisBin.Encode(DatasetClassTests.Events(3, 34, 34));
        Rejects(() => AtisBin.Parse(With(atis, b => b[5] = 34), "n.bin", 34, 34), "n.bin", 5, "*event 1: x = 34 is outside the sensor width 34*");
        Rejects(() => Cifar10Binary.Parse(With(new byte[Cifar10Binary.RecordBytes * 2], b => b[Cifar10Binary.RecordBytes] = 200), "b.bin"),
            "b.bin", Cifar10Binary.RecordBytes, "*record 1: label 200*");
        Rejects(() => Spike.Datasets.Formats.Aedat3.ParseLabels("class,startTime_usec,endTime_usec\n1,0,5\n99999999999,0,5\n", "l.csv"), "l.csv", 40, "*line 3*");
    }
}
