using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Spike;

/// <summary>
/// Philox4x32-10 for runs of consecutive counters, many counters per SIMD instruction: each 64-bit lane holds one
/// 32-bit word, so the 32×32→64 products of a round are single unsigned-doubleword multiplies (vpmuludq). Two
/// independent groups of counters go through the rounds together, so one group's multiply latency hides behind the
/// other's work. Bit-identical to <see cref="Philox.Generate"/> (tested).
/// </summary>
public static class PhiloxBatch
{
    const uint M0 = 0xD2511F53, M1 = 0xCD9E8D57, W0 = 0x9E3779B9, W1 = 0xBB67AE85;
    const ulong Lo = 0xFFFFFFFF;
    const float Scale = 1f / 16777216f;

    /// <summary>dst[i] = uniform float in [0, 1) of counter start + i (the first word, 24 bits), as <see cref="Philox.UniformFloat"/>.</summary>
    public static void UniformFloat(ulong seed, ulong start, Span<float> dst)
    {
        int i = 0;
        if (Avx512F.IsSupported)
            for (; i + 16 <= dst.Length; i += 16) Uniform16(seed, start + (ulong)i, dst.Slice(i, 16));
        else if (Avx2.IsSupported)
            for (; i + 8 <= dst.Length; i += 8) Uniform8(seed, start + (ulong)i, dst.Slice(i, 8));
        for (; i < dst.Length; i++) dst[i] = Philox.UniformFloat(seed, start + (ulong)i);
    }

    /// <summary>Counters first .. first + 15 as two groups of eight 64-bit lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Uniform16(ulong seed, ulong first, Span<float> dst)
    {
        var lo = Vector512.Create(Lo);
        var ia = Vector512.Create(first) + Vector512.Create(0UL, 1, 2, 3, 4, 5, 6, 7);
        var ib = ia + Vector512.Create(8UL);
        Vector512<ulong> a0 = ia & lo, a1 = ia >>> 32, a2 = default, a3 = default;
        Vector512<ulong> b0 = ib & lo, b1 = ib >>> 32, b2 = default, b3 = default;
        var (m0, m1) = (Vector512.Create((ulong)M0).AsUInt32(), Vector512.Create((ulong)M1).AsUInt32());
        uint k0 = (uint)seed, k1 = (uint)(seed >> 32);
        for (int r = 0; r < 10; r++)
        {
            var (key0, key1) = (Vector512.Create((ulong)k0), Vector512.Create((ulong)k1));
            var pa0 = Avx512F.Multiply(a0.AsUInt32(), m0);
            var pa1 = Avx512F.Multiply(a2.AsUInt32(), m1);
            var pb0 = Avx512F.Multiply(b0.AsUInt32(), m0);
            var pb1 = Avx512F.Multiply(b2.AsUInt32(), m1);
            (a0, a2, a1, a3) = ((pa1 >>> 32) ^ a1 ^ key0, (pa0 >>> 32) ^ a3 ^ key1, pa1 & lo, pa0 & lo);
            (b0, b2, b1, b3) = ((pb1 >>> 32) ^ b1 ^ key0, (pb0 >>> 32) ^ b3 ^ key1, pb1 & lo, pb0 & lo);
            (k0, k1) = (k0 + W0, k1 + W1);
        }
        // Word 0 < 2³²: narrowed to 32 bits, its top 24 bits become an exact float in [0, 1).
        ToUniform(Avx512F.ConvertToVector256UInt32(a0)).CopyTo(dst);
        ToUniform(Avx512F.ConvertToVector256UInt32(b0)).CopyTo(dst[8..]);
    }

    /// <summary>Counters first .. first + 7 as two groups of four 64-bit lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Uniform8(ulong seed, ulong first, Span<float> dst)
    {
        var lo = Vector256.Create(Lo);
        var ia = Vector256.Create(first) + Vector256.Create(0UL, 1, 2, 3);
        var ib = ia + Vector256.Create(4UL);
        Vector256<ulong> a0 = ia & lo, a1 = ia >>> 32, a2 = default, a3 = default;
        Vector256<ulong> b0 = ib & lo, b1 = ib >>> 32, b2 = default, b3 = default;
        var (m0, m1) = (Vector256.Create((ulong)M0).AsUInt32(), Vector256.Create((ulong)M1).AsUInt32());
        uint k0 = (uint)seed, k1 = (uint)(seed >> 32);
        for (int r = 0; r < 10; r++)
        {
            var (key0, key1) = (Vector256.Create((ulong)k0), Vector256.Create((ulong)k1));
            var pa0 = Avx2.Multiply(a0.AsUInt32(), m0);
            var pa1 = Avx2.Multiply(a2.AsUInt32(), m1);
            var pb0 = Avx2.Multiply(b0.AsUInt32(), m0);
            var pb1 = Avx2.Multiply(b2.AsUInt32(), m1);
            (a0, a2, a1, a3) = ((pa1 >>> 32) ^ a1 ^ key0, (pa0 >>> 32) ^ a3 ^ key1, pa1 & lo, pa0 & lo);
            (b0, b2, b1, b3) = ((pb1 >>> 32) ^ b1 ^ key0, (pb0 >>> 32) ^ b3 ^ key1, pb1 & lo, pb0 & lo);
            (k0, k1) = (k0 + W0, k1 + W1);
        }
        ToUniform(Vector256.Narrow(a0, b0)).CopyTo(dst);
    }

    static Vector256<float> ToUniform(Vector256<uint> word) => Vector256.ConvertToSingle((word >>> 8).AsInt32()) * Scale;
}
