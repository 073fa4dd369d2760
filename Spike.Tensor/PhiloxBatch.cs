using System.Runtime.Intrinsics;

namespace Spike;

/// <summary>
/// Philox4x32-10 for runs of consecutive counters, several counters per SIMD instruction: each 64-bit lane
/// holds one 32-bit word, so the 32×32→64 products of a round are plain 64-bit lane multiplies.
/// Bit-identical to <see cref="Philox.Generate"/> (tested).
/// </summary>
public static class PhiloxBatch
{
    const ulong M0 = 0xD2511F53, M1 = 0xCD9E8D57, W0 = 0x9E3779B9, W1 = 0xBB67AE85, Lo = 0xFFFFFFFF;

    /// <summary>dst[i] = uniform float in [0, 1) of counter start + i (the first word, 24 bits), as <see cref="Philox.UniformFloat"/>.</summary>
    public static void UniformFloat(ulong seed, ulong start, Span<float> dst)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            Span<ulong> w = stackalloc ulong[8];
            for (; i + 8 <= dst.Length; i += 8)
            {
                FirstWord8(seed, start + (ulong)i).CopyTo(w);
                for (int k = 0; k < 8; k++) dst[i + k] = (uint)(w[k] >> 8) * (1f / 16777216f);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            Span<ulong> w = stackalloc ulong[4];
            for (; i + 4 <= dst.Length; i += 4)
            {
                FirstWord4(seed, start + (ulong)i).CopyTo(w);
                for (int k = 0; k < 4; k++) dst[i + k] = (uint)(w[k] >> 8) * (1f / 16777216f);
            }
        }
        for (; i < dst.Length; i++) dst[i] = Philox.UniformFloat(seed, start + (ulong)i);
    }

    /// <summary>Word 0 of Philox for counters first .. first + 7 (stream 0).</summary>
    static Vector512<ulong> FirstWord8(ulong seed, ulong first)
    {
        var index = Vector512.Create(first) + Vector512.Create(0UL, 1, 2, 3, 4, 5, 6, 7);
        var c0 = index & Vector512.Create(Lo);
        var c1 = index >>> 32;
        var c2 = Vector512<ulong>.Zero;
        var c3 = Vector512<ulong>.Zero;
        ulong k0 = (uint)seed, k1 = (uint)(seed >> 32);
        var lo = Vector512.Create(Lo);
        for (int r = 0; r < 10; r++)
        {
            var p0 = c0 * Vector512.Create(M0);
            var p1 = c2 * Vector512.Create(M1);
            var n0 = (p1 >>> 32) ^ c1 ^ Vector512.Create(k0);
            var n2 = (p0 >>> 32) ^ c3 ^ Vector512.Create(k1);
            c1 = p1 & lo;
            c3 = p0 & lo;
            c0 = n0;
            c2 = n2;
            k0 = (k0 + W0) & Lo;
            k1 = (k1 + W1) & Lo;
        }
        return c0;
    }

    static Vector256<ulong> FirstWord4(ulong seed, ulong first)
    {
        var index = Vector256.Create(first) + Vector256.Create(0UL, 1, 2, 3);
        var c0 = index & Vector256.Create(Lo);
        var c1 = index >>> 32;
        var c2 = Vector256<ulong>.Zero;
        var c3 = Vector256<ulong>.Zero;
        ulong k0 = (uint)seed, k1 = (uint)(seed >> 32);
        var lo = Vector256.Create(Lo);
        for (int r = 0; r < 10; r++)
        {
            var p0 = c0 * Vector256.Create(M0);
            var p1 = c2 * Vector256.Create(M1);
            var n0 = (p1 >>> 32) ^ c1 ^ Vector256.Create(k0);
            var n2 = (p0 >>> 32) ^ c3 ^ Vector256.Create(k1);
            c1 = p1 & lo;
            c3 = p0 & lo;
            c0 = n0;
            c2 = n2;
            k0 = (k0 + W0) & Lo;
            k1 = (k1 + W1) & Lo;
        }
        return c0;
    }
}
