namespace Spike;

/// <summary>
/// Philox4x32-10 (Salmon et al., 2011): a counter-based generator. The numbers for (seed, index) are a pure
/// function of those two values, so any element can be drawn independently, in parallel, and identically
/// on the CPU and in a CUDA kernel (kernels/philox.cuh holds the same rounds).
/// </summary>
public static class Philox
{
    const uint M0 = 0xD2511F53, M1 = 0xCD9E8D57, W0 = 0x9E3779B9, W1 = 0xBB67AE85;

    /// <summary>Four 32-bit words for counter (index, stream) under key seed.</summary>
    public static (uint, uint, uint, uint) Generate(ulong seed, ulong index, ulong stream = 0)
    {
        uint c0 = (uint)index, c1 = (uint)(index >> 32), c2 = (uint)stream, c3 = (uint)(stream >> 32);
        uint k0 = (uint)seed, k1 = (uint)(seed >> 32);
        for (int r = 0; r < 10; r++)
        {
            ulong p0 = (ulong)M0 * c0, p1 = (ulong)M1 * c2;
            uint hi0 = (uint)(p0 >> 32), lo0 = (uint)p0, hi1 = (uint)(p1 >> 32), lo1 = (uint)p1;
            c0 = hi1 ^ c1 ^ k0; c1 = lo1; c2 = hi0 ^ c3 ^ k1; c3 = lo0;
            k0 += W0; k1 += W1;
        }
        return (c0, c1, c2, c3);
    }

    /// <summary>Uniform in [0, 1) with 24 random bits (exact in float32).</summary>
    public static float UniformFloat(ulong seed, ulong index) => (Generate(seed, index).Item1 >> 8) * (1f / 16777216f);

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public static double UniformDouble(ulong seed, ulong index)
    {
        var (a, b, _, _) = Generate(seed, index);
        return (((ulong)a << 21) ^ (b >> 11)) * (1.0 / 9007199254740992.0);
    }

    /// <summary>Standard normal by Box–Muller on two words of the same counter.</summary>
    public static double Normal(ulong seed, ulong index)
    {
        var (a, b, _, _) = Generate(seed, index);
        double u1 = (a + 1.0) * (1.0 / 4294967296.0); // (0, 1]: log is finite
        double u2 = b * (1.0 / 4294967296.0);
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}

/// <summary>
/// A seed plus a running offset: each draw of n numbers uses counters [offset, offset + n) and advances the
/// offset, so consecutive draws differ and a saved (seed, offset) pair resumes the exact stream.
/// </summary>
public sealed class Generator
{
    long _offset;

    public Generator(ulong seed) { Seed = seed; }

    public ulong Seed { get; private set; }
    public ulong Offset { get => (ulong)Interlocked.Read(ref _offset); set => Interlocked.Exchange(ref _offset, (long)value); }

    /// <summary>The generator random ops use when none is given (seed 0 until <see cref="ManualSeed"/>).</summary>
    public static Generator Default { get; } = new(0);

    /// <summary>Resets <see cref="Default"/> to a seed, like torch.manual_seed.</summary>
    public static void ManualSeed(ulong seed) { Default.Seed = seed; Default.Offset = 0; }

    public void Reset(ulong seed, ulong offset = 0) { Seed = seed; Offset = offset; }

    /// <summary>Reserves n counters and returns the first.</summary>
    public ulong Take(int n) => (ulong)(Interlocked.Add(ref _offset, n) - n);
}
