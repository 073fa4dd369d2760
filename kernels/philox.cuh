// Philox4x32-10 (Salmon et al., 2011), the same rounds as Spike.Tensor/Philox.cs, so a (seed, index) pair
// gives the same bits on the CPU and on the GPU.
// Counter = (index lo, index hi, stream lo, stream hi); key = (seed lo, seed hi).
#ifndef SPK_PHILOX_CUH  // a guard, not #pragma once: the host tests re-include headers per variant
#define SPK_PHILOX_CUH
#include "common.cuh"

struct spk_philox_out { spk_u32 w0, w1, w2, w3; };

__device__ __forceinline__ spk_philox_out spk_philox(spk_u64 seed, spk_u64 index, spk_u64 stream) {
    const spk_u32 M0 = 0xD2511F53u, M1 = 0xCD9E8D57u, W0 = 0x9E3779B9u, W1 = 0xBB67AE85u;
    spk_u32 c0 = (spk_u32)index, c1 = (spk_u32)(index >> 32), c2 = (spk_u32)stream, c3 = (spk_u32)(stream >> 32);
    spk_u32 k0 = (spk_u32)seed, k1 = (spk_u32)(seed >> 32);
    #pragma unroll
    for (int r = 0; r < 10; ++r) {
        spk_u64 p0 = (spk_u64)M0 * c0, p1 = (spk_u64)M1 * c2;
        spk_u32 hi0 = (spk_u32)(p0 >> 32), lo0 = (spk_u32)p0, hi1 = (spk_u32)(p1 >> 32), lo1 = (spk_u32)p1;
        c0 = hi1 ^ c1 ^ k0; c1 = lo1; c2 = hi0 ^ c3 ^ k1; c3 = lo0;
        k0 += W0; k1 += W1;
    }
    spk_philox_out o = { c0, c1, c2, c3 };
    return o;
}

// Uniform in [0, 1) with 24 random bits: exact in float32, identical to Philox.UniformFloat.
__device__ __forceinline__ float spk_uniform_float(spk_u64 seed, spk_u64 index) {
    return (float)(spk_philox(seed, index, 0).w0 >> 8) * (1.0f / 16777216.0f);
}

// Uniform in [0, 1) with 53 random bits, identical to Philox.UniformDouble.
__device__ __forceinline__ double spk_uniform_double(spk_u64 seed, spk_u64 index) {
    spk_philox_out o = spk_philox(seed, index, 0);
    return (double)((((spk_u64)o.w0) << 21) ^ (o.w1 >> 11)) * (1.0 / 9007199254740992.0);
}

// Standard normal by Box-Muller on two words of one counter, as Philox.Normal (u1 in (0, 1] keeps log finite).
__device__ __forceinline__ double spk_normal(spk_u64 seed, spk_u64 index) {
    spk_philox_out o = spk_philox(seed, index, 0);
    double u1 = ((double)o.w0 + 1.0) * (1.0 / 4294967296.0);
    double u2 = (double)o.w1 * (1.0 / 4294967296.0);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

#endif  // SPK_PHILOX_CUH
