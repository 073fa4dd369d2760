using System.Buffers.Binary;
using FluentAssertions;
using NUnit.Framework;
using Spike.Datasets;
using Spike.Datasets.Formats;

namespace Spike.Tests.Datasets;

public class EventFormatTests
{
    private static EventStream Sample(int n, int w, int h, int seed)
    {
        var r = new Random(seed);
        long t = 100;
        var ts = new long[n]; var x = new int[n]; var y = new int[n]; var p = new byte[n];
        for (int i = 0; i < n; i++) { t += r.Next(0, 50); ts[i] = t; x[i] = r.Next(w); y[i] = r.Next(h); p[i] = (byte)r.Next(2); }
        return new EventStream(ts, x, y, p);
    }

    private static void SameEvents(EventStream a, EventStream b)
    {
        a.T.Should().Equal(b.T); a.X.Should().Equal(b.X); a.Y.Should().Equal(b.Y); a.P.Should().Equal(b.P);
    }

    [Test]
    public void Aedat3HandBuiltPacket()
    {
        // One polarity packet with tsOverflow = 1 and one event: data = x 5 << 17 | y 7 << 2 | p 1 << 1 | valid 1, ts = 10.
        var bytes = new List<byte>("#!AER-DAT3.1\r\n#!END-HEADER\r\n"u8.ToArray());
        var pkt = new byte[28 + 8];
        BinaryPrimitives.WriteUInt16LittleEndian(pkt, 1);
        BinaryPrimitives.WriteUInt32LittleEndian(pkt.AsSpan(4), 8);
        BinaryPrimitives.WriteUInt32LittleEndian(pkt.AsSpan(12), 1);
        BinaryPrimitives.WriteUInt32LittleEndian(pkt.AsSpan(16), 1);
        BinaryPrimitives.WriteUInt32LittleEndian(pkt.AsSpan(28), 5u << 17 | 7u << 2 | 1u << 1 | 1u);
        BinaryPrimitives.WriteUInt32LittleEndian(pkt.AsSpan(32), 10);
        // A non-polarity packet (type 2, capacity 1, size 4) that must be skipped.
        var other = new byte[28 + 4];
        BinaryPrimitives.WriteUInt16LittleEndian(other, 2);
        BinaryPrimitives.WriteUInt32LittleEndian(other.AsSpan(4), 4);
        BinaryPrimitives.WriteUInt32LittleEndian(other.AsSpan(16), 1);
        bytes.AddRange(other); bytes.AddRange(pkt);
        var ev = Aedat3.Parse(bytes.ToArray(), "mem");
        ev.Count.Should().Be(1);
        (ev.X[0], ev.Y[0], ev.P[0], ev.T[0]).Should().Be((5, 7, (byte)1, 10L + (1L << 31)));
        FluentActions.Invoking(() => Aedat3.Parse(bytes.ToArray()[..^1], "g.aedat")).Should().Throw<DatasetFormatException>().WithMessage("g.aedat: at byte*truncated*");
        FluentActions.Invoking(() => Aedat3.Parse("no header"u8.ToArray(), "g.aedat")).Should().Throw<DatasetFormatException>().WithMessage("*'#'*");
    }

    [Test]
    public void Aedat3RoundTripAndGestureLabelSplit()
    {
        var ev = Sample(300, 128, 128, 1);
        var back = Aedat3.Parse(Aedat3.Encode(ev), "mem");
        SameEvents(back, ev);
        var csv = "class,startTime_usec,endTime_usec\n3," + ev.T[10] + "," + ev.T[50] + "\n11," + ev.T[40] + "," + (ev.T[^1] + 1) + "\n";
        var labels = Aedat3.ParseLabels(csv, "l.csv");
        labels.Should().Equal(new Aedat3.GestureLabel(3, ev.T[10], ev.T[50]), new Aedat3.GestureLabel(11, ev.T[40], ev.T[^1] + 1));
        var parts = Aedat3.SplitByLabels(ev, labels);
        parts[0].Label.Should().Be(2);
        parts[0].Events.T.Should().Equal(ev.T.Where(t => t >= ev.T[10] && t < ev.T[50]));
        parts[1].Label.Should().Be(10);
        parts[1].Events.Count.Should().Be(ev.T.Count(t => t >= ev.T[40]));
        FluentActions.Invoking(() => Aedat3.ParseLabels("h\n12,1,2\n", "l.csv")).Should().Throw<DatasetFormatException>().WithMessage("l.csv: at byte 2:*class 12*");
        FluentActions.Invoking(() => Aedat3.ParseLabels("h\n1,x,2\n", "l.csv")).Should().Throw<DatasetFormatException>().WithMessage("*line 2*");
    }

    [Test]
    public void Aedat2Cifar10DvsTransform()
    {
        // Raw address 0x00000A0B: x = (0x0B & 0xFE) >> 1 = 5, y = (0x0A00 & 0x7F00) >> 8 = 10, p = 1, after a header line.
        var bytes = new List<byte>("#!AER-DAT2.0\r\n"u8.ToArray()) { 0, 0, 0x0A, 0x0B, 0, 0, 1, 0 };
        var raw = Aedat2.Parse(bytes.ToArray(), "mem");
        (raw.X[0], raw.Y[0], raw.P[0], raw.T[0]).Should().Be((5, 10, (byte)1, 256L));
        var ev = Aedat2.ParseCifar10Dvs(bytes.ToArray(), "mem");
        (ev.X[0], ev.Y[0], ev.P[0]).Should().Be((117, 122, (byte)0));
        var s = Sample(100, 128, 128, 2);
        SameEvents(Aedat2.Parse(Aedat2.Encode(s), "mem"), s);
        FluentActions.Invoking(() => Aedat2.Parse(bytes.ToArray()[..^3], "c.aedat")).Should().Throw<DatasetFormatException>().WithMessage("c.aedat: at byte 14:*truncated*");
    }

    [Test]
    public void MatV5NumericVariablesAndAslDvs()
    {
        var vars = new Dictionary<string, double[]> { ["ts"] = [1, 5, 9], ["x"] = [0, 239, 12], ["y"] = [179, 0, 3], ["pol"] = [1, 0, 1], ["longname"] = [2.5] };
        foreach (bool z in new[] { false, true })
        {
            var bytes = MatV5Writer.Encode(vars, z);
            var m = MatV5.Parse(bytes, "a.mat");
            m["ts"].Shape.Should().Equal(3, 1);
            m["longname"].Data.Should().Equal(2.5);
            var ev = MatV5.AslDvsEvents(m, "a.mat");
            ev.T.Should().Equal(1, 5, 9); ev.X.Should().Equal(0, 239, 12); ev.Y.Should().Equal(179, 0, 3); ev.P.Should().Equal(1, 0, 1);
        }
        var bad = MatV5Writer.Encode(new Dictionary<string, double[]> { ["ts"] = [1], ["x"] = [240], ["y"] = [0], ["pol"] = [0] }, false);
        FluentActions.Invoking(() => MatV5.AslDvsEvents(MatV5.Parse(bad, "b.mat"), "b.mat")).Should().Throw<DatasetFormatException>().WithMessage("*x=240*");
        var v73 = MatV5Writer.Encode(vars, false); v73[125] = 2;
        FluentActions.Invoking(() => MatV5.Parse(v73, "c.mat")).Should().Throw<DatasetFormatException>().WithMessage("c.mat: at byte 124:*0x0200*");
        FluentActions.Invoking(() => MatV5.Parse(MatV5Writer.Encode(vars, true)[..^5], "d.mat")).Should().Throw<DatasetFormatException>();
    }

    [Test]
    public void Cifar10BinaryRecords()
    {
        var data = new byte[2 * Cifar10Binary.RecordBytes];
        data[0] = 3; data[1] = 255; data[Cifar10Binary.RecordBytes] = 9; data[^1] = 7;
        var (img, lab) = Cifar10Binary.Parse(data, "b.bin");
        img.Shape.Should().Equal(2, 3, 32, 32);
        lab.Should().Equal(3, 9);
        var px = img.ToArray<byte>();
        px[0].Should().Be(255); px[^1].Should().Be(7);
        FluentActions.Invoking(() => Cifar10Binary.Parse(data[..^1], "b.bin")).Should().Throw<DatasetFormatException>().WithMessage($"*at byte {Cifar10Binary.RecordBytes}*");
        data[0] = 10;
        FluentActions.Invoking(() => Cifar10Binary.Parse(data, "b.bin")).Should().Throw<DatasetFormatException>().WithMessage("*label 10*");
    }

    [Test]
    public void FromFileForEveryFormat()
    {
        var dir = Path.Combine(Path.GetTempPath(), "spike-ev-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var g = Sample(200, 128, 128, 3);
            File.WriteAllBytes(Path.Combine(dir, "g.aedat"), Aedat3.Encode(g));
            var f = EventFrames.FromFile(EventFormat.DvsGesture, Path.Combine(dir, "g.aedat"), 4, SplitBy.Number);
            f.Shape.Should().Equal(4, 2, 128, 128);
            f.ToArray<float>().Sum().Should().Be(200);
            File.WriteAllBytes(Path.Combine(dir, "c.aedat"), Aedat2.Encode(g));
            EventFrames.FromFile(EventFormat.Cifar10Dvs, Path.Combine(dir, "c.aedat"), 1000).ToArray<float>().Sum().Should().Be(200);
            var a = Sample(50, 240, 180, 4);
            File.WriteAllBytes(Path.Combine(dir, "a.mat"), MatV5Writer.Encode(new Dictionary<string, double[]>
            {
                ["ts"] = a.T.Select(v => (double)v).ToArray(), ["x"] = a.X.Select(v => (double)v).ToArray(),
                ["y"] = a.Y.Select(v => (double)v).ToArray(), ["pol"] = a.P.Select(v => (double)v).ToArray(),
            }, true));
            var af = EventFrames.FromFile(EventFormat.AslDvs, Path.Combine(dir, "a.mat"), 2, SplitBy.Time);
            af.Shape.Should().Equal(2, 2, 180, 240);
            af.ToArray<float>().Sum().Should().Be(50);
            EventFormats.Parse("n-mnist").Should().Be(EventFormat.NMnist);
            FluentActions.Invoking(() => EventFormats.Parse("foo")).Should().Throw<ArgumentException>().WithMessage("*foo*nmnist*");
        }
        finally { Directory.Delete(dir, true); }
    }
}
