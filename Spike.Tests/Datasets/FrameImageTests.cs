using System.Buffers.Binary;
using System.IO.Compression;
using FluentAssertions;
using NUnit.Framework;
using Spike.Datasets;
using Spike.Datasets.Formats;

namespace Spike.Tests.Datasets;

public class FrameImageTests
{
    [Test]
    public void RgbMappingAndPngStructure()
    {
        // [T=1, 2, H=1, W=2]: ch0 = (1, 0), ch1 = (0.5, 3) → pixels (0, 255, 128) and (0, 0, 255 clamped).
        var f = Tensor.FromArray(new float[] { 1, 0, 0.5f, 3 }, 1, 2, 1, 2);
        FrameImages.ToRgb(f, 0).Should().Equal(0, 255, 128, 0, 0, 255);
        var png = FrameImages.EncodePng(FrameImages.ToRgb(f, 0), 2, 1);
        png.AsSpan(0, 8).ToArray().Should().Equal(0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A);
        BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)).Should().Be(2);
        BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)).Should().Be(1);
        // CRC-32 of "IEND" is 0xAE426082 (the constant every PNG ends with).
        png.AsSpan(png.Length - 4).ToArray().Should().Equal(0xAE, 0x42, 0x60, 0x82);
        // IDAT inflates to the filtered rows: 0, then the 6 RGB bytes.
        int idatLen = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(33));
        using var z = new ZLibStream(new MemoryStream(png, 41, idatLen), CompressionMode.Decompress);
        var raw = new byte[7];
        z.ReadExactly(raw);
        raw.Should().Equal(0, 0, 255, 128, 0, 0, 255);
    }

    [Test]
    public void GifLzwDecodesBack()
    {
        var rng = new Random(3);
        // Long enough (and with few repeats) to pass the 4096-code reset.
        var px = Enumerable.Range(0, 40000).Select(i => (byte)(i % 7 == 0 ? rng.Next(256) : (i / 13) % 256)).ToArray();
        LzwDecode(FrameImages.Lzw(px)).Should().Equal(px);
        LzwDecode(FrameImages.Lzw([5])).Should().Equal(5);
    }

    [Test]
    public void SavesGifAndPngSequenceOfRealRecording()
    {
        var dir = Path.Combine(Path.GetTempPath(), "spike-img-" + Guid.NewGuid().ToString("N"));
        try
        {
            var frames = EventFrames.FromFile(EventFormat.NMnist, EventFramesTests.FixturePath("nmnist/sample_nmnist.bin"), 4, SplitBy.Number);
            FrameImages.SavePngSequence(frames, dir).Select(Path.GetFileName).Should().Equal("frame_0000.png", "frame_0001.png", "frame_0002.png", "frame_0003.png");
            var gif = Path.Combine(dir, "a.gif");
            FrameImages.SaveGif(frames, gif);
            var b = File.ReadAllBytes(gif);
            System.Text.Encoding.ASCII.GetString(b, 0, 6).Should().Be("GIF89a");
            BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(6)).Should().Be(34);
            b[^1].Should().Be(0x3B);
            b.Count(x => x == 0x2C).Should().BeGreaterThanOrEqualTo(4);
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }

    // Independent GIF LZW decoder (min code size 8), written from the GIF89a specification.
    private static List<byte> LzwDecode(byte[] data)
    {
        var outp = new List<byte>();
        var table = new List<byte[]>();
        void Reset() { table.Clear(); for (int i = 0; i < 256; i++) table.Add([(byte)i]); table.Add([]); table.Add([]); }
        Reset();
        int size = 9, bit = 0;
        byte[]? prev = null;
        while (true)
        {
            int code = 0;
            for (int k = 0; k < size; k++, bit++) code |= ((data[bit >> 3] >> (bit & 7)) & 1) << k;
            if (code == 256) { Reset(); size = 9; prev = null; continue; }
            if (code == 257) break;
            byte[] entry = code < table.Count ? table[code] : [.. prev!, prev![0]];
            outp.AddRange(entry);
            if (prev is not null && table.Count < 4096) table.Add([.. prev, entry[0]]);
            prev = entry;
            if (table.Count == 1 << size && size < 12) size++;
        }
        return outp;
    }
}
