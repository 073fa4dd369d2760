using System.Buffers.Binary;

namespace Spike.Datasets.Formats;

/// <summary>
/// RIFF/WAVE audio: PCM 8/16/24/32-bit integer (format 1) or 32/64-bit float (format 3), also inside
/// WAVE_FORMAT_EXTENSIBLE. Samples come back as Float32 <c>[channels, frames]</c> scaled as torchaudio.load does
/// (int16 / 32768, uint8 (v - 128) / 128, ...).
/// </summary>
public static class Wav
{
    public static (Tensor Waveform, int SampleRate) Read(string path) => Parse(DataFile.ReadAll(path), path);

    public static (Tensor Waveform, int SampleRate) Parse(ReadOnlySpan<byte> data, string source)
    {
        var r = new ByteReader(data, source);
        if (!r.Bytes(4, "RIFF id").SequenceEqual("RIFF"u8)) throw r.Error("bad magic: not a RIFF file", 0);
        r.U32LE("RIFF size");
        if (!r.Bytes(4, "WAVE id").SequenceEqual("WAVE"u8)) throw r.Error("bad magic: RIFF file is not WAVE", 8);
        int format = -1, channels = 0, rate = 0, bits = 0;
        while (true)
        {
            if (r.Remaining == 0) throw r.Error(format < 0 ? "truncated: no fmt chunk" : "truncated: no data chunk");
            int at = r.Position;
            var id = r.Bytes(4, "chunk id").ToArray();
            uint size = r.U32LE("chunk size");
            if (id.AsSpan().SequenceEqual("fmt "u8))
            {
                if (size < 16) throw r.Error($"fmt chunk of {size} bytes (at least 16)", at + 4);
                var f = new ByteReader(r.Bytes((int)Math.Min(size, (uint)r.Remaining), "fmt chunk"), source, 0);
                if (f.Length < size) throw r.Error("truncated fmt chunk", at);
                format = f.U16LE("format"); channels = f.U16LE("channels"); rate = f.I32LE("sample rate");
                f.U32LE("byte rate"); f.U16LE("block align"); bits = f.U16LE("bits per sample");
                if (format == 0xFFFE && size >= 40) { f.Skip(8, "extension"); format = f.U16LE("sub-format"); }
                if (channels == 0 || rate <= 0) throw r.Error($"{channels} channels at {rate} Hz", at + 8);
                if (!((format == 1 && bits is 8 or 16 or 24 or 32) || (format == 3 && bits is 32 or 64)))
                    throw r.Error($"unsupported encoding: format {format} with {bits} bits per sample", at + 8);
                if (size % 2 == 1) r.Skip(Math.Min(1, r.Remaining), "pad");
                continue;
            }
            if (!id.AsSpan().SequenceEqual("data"u8))
            {
                // Chunks are padded to even length; a missing final pad byte is tolerated.
                long skip = size + (size & 1);
                r.Skip(skip > r.Remaining && size == r.Remaining ? size : skip, $"chunk '{System.Text.Encoding.ASCII.GetString(id)}'");
                continue;
            }
            if (format < 0) throw r.Error("data chunk before fmt chunk", at);
            int bytesPer = bits / 8, block = bytesPer * channels;
            if (size > r.Remaining) throw r.Error($"truncated: data chunk declares {size} bytes, {r.Remaining} remain", at + 4);
            if (size % block != 0) throw r.Error($"data chunk of {size} bytes is not a whole number of {block}-byte frames", at + 4);
            int frames = (int)(size / block);
            var body = r.Bytes((int)size, "samples");
            var outp = new float[(long)channels * frames];
            for (int i = 0; i < frames; i++)
                for (int c = 0; c < channels; c++)
                {
                    var s = body.Slice(i * block + c * bytesPer, bytesPer);
                    outp[(long)c * frames + i] = (format, bits) switch
                    {
                        (1, 8) => (s[0] - 128) / 128f,
                        (1, 16) => BinaryPrimitives.ReadInt16LittleEndian(s) / 32768f,
                        (1, 24) => ((s[0] | s[1] << 8 | (sbyte)s[2] << 16)) / 8388608f,
                        (1, 32) => (float)(BinaryPrimitives.ReadInt32LittleEndian(s) / 2147483648.0),
                        (3, 32) => BinaryPrimitives.ReadSingleLittleEndian(s),
                        _ => (float)BinaryPrimitives.ReadDoubleLittleEndian(s),
                    };
                }
            return (new Tensor(new CpuStorage(outp, DType.Float32), Layout.Contiguous([channels, frames])), rate);
        }
    }

    /// <summary>16-bit PCM WAV bytes of <c>[channels, frames]</c> samples in [-1, 1] (clamped, rounded).</summary>
    public static byte[] EncodePcm16(float[,] samples, int sampleRate)
    {
        int ch = samples.GetLength(0), n = samples.GetLength(1);
        var b = new byte[44 + 2 * ch * n];
        "RIFF"u8.CopyTo(b); BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(4), b.Length - 8); "WAVE"u8.CopyTo(b.AsSpan(8));
        "fmt "u8.CopyTo(b.AsSpan(12)); BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(16), 16);
        BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(20), 1); BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(22), (short)ch);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(24), sampleRate); BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(28), sampleRate * 2 * ch);
        BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(32), (short)(2 * ch)); BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(34), 16);
        "data"u8.CopyTo(b.AsSpan(36)); BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(40), 2 * ch * n);
        for (int i = 0; i < n; i++)
            for (int c = 0; c < ch; c++)
                BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(44 + 2 * (i * ch + c)), (short)Math.Clamp(MathF.Round(samples[c, i] * 32768f), -32768, 32767));
        return b;
    }
}
