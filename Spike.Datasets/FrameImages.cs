using System.Buffers.Binary;
using System.IO.Compression;

namespace Spike.Datasets;

/// <summary>
/// Saving event frames as pictures (the saving half of SpikingJelly's play_frame): frame t of <c>[T, 2, H, W]</c> becomes
/// an RGB image with R = 0, G = channel 0 and B = channel 1, each <c>clamp(v · 255, 0, 255)</c> (torchvision's ToPILImage
/// wraps values above 1 modulo 256 instead; clamping keeps busy pixels bright).
/// </summary>
public static class FrameImages
{
    /// <summary>RGB bytes <c>[H, W, 3]</c> of frame t.</summary>
    public static byte[] ToRgb(Tensor frames, int t)
    {
        Check(frames);
        int h = frames.Shape[2], w = frames.Shape[3];
        var f = Raw.Contiguous(Raw.ToDType(Raw.Select(frames, 0, t), DType.Float32)).AsSpan<float>();
        var rgb = new byte[h * w * 3];
        for (int i = 0; i < h * w; i++)
        {
            rgb[3 * i + 1] = ToByte(f[i]);
            rgb[3 * i + 2] = ToByte(f[h * w + i]);
        }
        return rgb;
    }

    private static byte ToByte(float v) => (byte)Math.Clamp(MathF.Round(v * 255f), 0f, 255f);

    private static void Check(Tensor frames)
    {
        if (frames.Rank != 4 || frames.Shape[1] != 2)
            throw new ArgumentException($"FrameImages: frames must be [T, 2, H, W], got [{string.Join(", ", frames.Shape)}]");
    }

    /// <summary>Writes <c>prefix_0000.png</c>, <c>prefix_0001.png</c>, ... (one 8-bit RGB PNG per frame); returns the paths.</summary>
    public static List<string> SavePngSequence(Tensor frames, string directory, string prefix = "frame")
    {
        Check(frames);
        Directory.CreateDirectory(directory);
        var paths = new List<string>();
        for (int t = 0; t < frames.Shape[0]; t++)
        {
            var p = Path.Combine(directory, $"{prefix}_{t:D4}.png");
            File.WriteAllBytes(p, EncodePng(ToRgb(frames, t), frames.Shape[3], frames.Shape[2]));
            paths.Add(p);
        }
        return paths;
    }

    /// <summary>An 8-bit RGB PNG (filter 0 on every row, zlib-deflated).</summary>
    public static byte[] EncodePng(byte[] rgb, int width, int height)
    {
        using var raw = new MemoryStream();
        for (int y = 0; y < height; y++) { raw.WriteByte(0); raw.Write(rgb, y * width * 3, width * 3); }
        using var z = new MemoryStream();
        using (var zs = new ZLibStream(z, CompressionLevel.Optimal, leaveOpen: true)) raw.WriteTo(zs);
        using var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; ihdr[9] = 2; // 8 bits, truecolour
        Chunk(png, "IHDR", ihdr);
        Chunk(png, "IDAT", z.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void Chunk(Stream s, string type, byte[] data)
    {
        var head = new byte[8];
        BinaryPrimitives.WriteInt32BigEndian(head, data.Length);
        System.Text.Encoding.ASCII.GetBytes(type, head.AsSpan(4));
        s.Write(head);
        s.Write(data);
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32(head.AsSpan(4), data));
        s.Write(crc);
    }

    private static readonly uint[] CrcTable = Enumerable.Range(0, 256).Select(n =>
    {
        uint c = (uint)n;
        for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        return c;
    }).ToArray();

    public static uint Crc32(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        uint c = 0xFFFFFFFFu;
        foreach (var x in a) c = CrcTable[(c ^ x) & 0xFF] ^ (c >> 8);
        foreach (var x in b) c = CrcTable[(c ^ x) & 0xFF] ^ (c >> 8);
        return c ^ 0xFFFFFFFFu;
    }

    /// <summary>
    /// An animated GIF (looping forever) of all frames. GIF holds 256 colours, so G and B are each quantised to 16 levels
    /// (palette index = 16·g + b, level k shown as 17·k).
    /// </summary>
    public static void SaveGif(Tensor frames, string path, int delayCentiseconds = 10)
    {
        Check(frames);
        int h = frames.Shape[2], w = frames.Shape[3];
        if (w > ushort.MaxValue || h > ushort.MaxValue) throw new ArgumentException($"FrameImages.SaveGif: {w}×{h} is too large for GIF");
        using var s = File.Create(path);
        s.Write("GIF89a"u8);
        Span<byte> lsd = stackalloc byte[7];
        BinaryPrimitives.WriteUInt16LittleEndian(lsd, (ushort)w);
        BinaryPrimitives.WriteUInt16LittleEndian(lsd[2..], (ushort)h);
        lsd[4] = 0xF7; // global colour table of 256 entries
        s.Write(lsd);
        for (int i = 0; i < 256; i++) { s.WriteByte(0); s.WriteByte((byte)(17 * (i >> 4))); s.WriteByte((byte)(17 * (i & 15))); }
        s.Write([0x21, 0xFF, 0x0B, .. "NETSCAPE2.0"u8, 0x03, 0x01, 0x00, 0x00, 0x00]); // loop forever
        var desc = new byte[10];
        for (int t = 0; t < frames.Shape[0]; t++)
        {
            var rgb = ToRgb(frames, t);
            var idx = new byte[w * h];
            for (int i = 0; i < idx.Length; i++) idx[i] = (byte)((rgb[3 * i + 1] + 8) / 17 << 4 | (rgb[3 * i + 2] + 8) / 17);
            s.Write([0x21, 0xF9, 0x04, 0x00, (byte)delayCentiseconds, (byte)(delayCentiseconds >> 8), 0x00, 0x00]);
            desc[0] = 0x2C;
            BinaryPrimitives.WriteUInt16LittleEndian(desc.AsSpan(5), (ushort)w);
            BinaryPrimitives.WriteUInt16LittleEndian(desc.AsSpan(7), (ushort)h);
            s.Write(desc);
            s.WriteByte(8);
            var lzw = Lzw(idx);
            for (int o = 0; o < lzw.Length; o += 255)
            {
                int n = Math.Min(255, lzw.Length - o);
                s.WriteByte((byte)n);
                s.Write(lzw, o, n);
            }
            s.WriteByte(0);
        }
        s.WriteByte(0x3B);
    }

    /// <summary>GIF LZW with 8-bit minimum code size; the dictionary is reset when it reaches 4096 codes.</summary>
    internal static byte[] Lzw(byte[] pixels)
    {
        const int clear = 256, end = 257;
        var output = new List<byte>();
        int bitBuf = 0, bitCount = 0, codeSize = 9, next = 258;
        var dict = new Dictionary<int, int>();
        void Emit(int code)
        {
            bitBuf |= code << bitCount;
            bitCount += codeSize;
            while (bitCount >= 8) { output.Add((byte)bitBuf); bitBuf >>= 8; bitCount -= 8; }
        }
        Emit(clear);
        int prefix = -1;
        foreach (byte px in pixels)
        {
            if (prefix < 0) { prefix = px; continue; }
            int key = prefix << 8 | px;
            if (dict.TryGetValue(key, out int code)) { prefix = code; continue; }
            Emit(prefix);
            if (next == 4096)
            {
                Emit(clear);
                dict.Clear(); next = 258; codeSize = 9;
            }
            else
            {
                dict[key] = next++;
                if (next > (1 << codeSize) && codeSize < 12) codeSize++;
            }
            prefix = px;
        }
        if (prefix >= 0) Emit(prefix);
        Emit(end);
        if (bitCount > 0) output.Add((byte)bitBuf);
        return [.. output];
    }
}
