// Counter-based random fills: element i (row-major in a contiguous dst) uses counter offset + i under key seed,
// exactly as CpuBackend.Random, so the same (seed, offset) draws the same numbers on either device.
#include "common.cuh"
#include "philox.cuh"

// out: [n, 4] raw Philox words for counters offset + i (the bit-exactness probe).
extern "C" __global__ void philox_u32(spk_i64 n, spk_u64 seed, spk_u64 offset, spk_u64 stream, spk_u32* out) {
    SPK_FOR_EACH(i, n) {
        spk_philox_out o = spk_philox(seed, offset + (spk_u64)i, stream);
        out[4 * i] = o.w0; out[4 * i + 1] = o.w1; out[4 * i + 2] = o.w2; out[4 * i + 3] = o.w3;
    }
}

// dst: [n] = lo + (hi - lo) * U; the affine step in double, as the CPU backend does, then rounded once.
// Float32 draws 24-bit uniforms (Philox.UniformFloat), Float64 53-bit ones (Philox.UniformDouble).
extern "C" __global__ void uniform_f32(spk_i64 n, spk_u64 seed, spk_u64 offset, double lo, double hi, float* dst) {
    SPK_FOR_EACH(i, n) dst[i] = (float)(lo + (hi - lo) * (double)spk_uniform_float(seed, offset + (spk_u64)i));
}
extern "C" __global__ void uniform_f64(spk_i64 n, spk_u64 seed, spk_u64 offset, double lo, double hi, double* dst) {
    SPK_FOR_EACH(i, n) dst[i] = lo + (hi - lo) * spk_uniform_double(seed, offset + (spk_u64)i);
}

// dst: [n] = mean + std * N(0, 1).
extern "C" __global__ void normal_f32(spk_i64 n, spk_u64 seed, spk_u64 offset, double mean, double std, float* dst) {
    SPK_FOR_EACH(i, n) dst[i] = (float)(mean + std * spk_normal(seed, offset + (spk_u64)i));
}
extern "C" __global__ void normal_f64(spk_i64 n, spk_u64 seed, spk_u64 offset, double mean, double std, double* dst) {
    SPK_FOR_EACH(i, n) dst[i] = mean + std * spk_normal(seed, offset + (spk_u64)i);
}

// dst: [n] = U < p ? 1 : 0 (CpuBackend.Random's Bernoulli, from 24-bit uniforms for either type).
extern "C" __global__ void bernoulli_f32(spk_i64 n, spk_u64 seed, spk_u64 offset, double p, float* dst) {
    SPK_FOR_EACH(i, n) dst[i] = (double)spk_uniform_float(seed, offset + (spk_u64)i) < p ? 1.0f : 0.0f;
}
extern "C" __global__ void bernoulli_f64(spk_i64 n, spk_u64 seed, spk_u64 offset, double p, double* dst) {
    SPK_FOR_EACH(i, n) dst[i] = (double)spk_uniform_float(seed, offset + (spk_u64)i) < p ? 1.0 : 0.0;
}

// Dropout mask: dst: [n] = scale (1 / (1 - p), rounded once by the host) where U < 1 - p, else 0: the same counters
// as a Bernoulli(1 - p) draw.
extern "C" __global__ void dropout_mask_f32(spk_i64 n, spk_u64 seed, spk_u64 offset, double keep, float scale, float* dst) {
    SPK_FOR_EACH(i, n) dst[i] = (double)spk_uniform_float(seed, offset + (spk_u64)i) < keep ? scale : 0.0f;
}
extern "C" __global__ void dropout_mask_f64(spk_i64 n, spk_u64 seed, spk_u64 offset, double keep, double scale, double* dst) {
    SPK_FOR_EACH(i, n) dst[i] = (double)spk_uniform_float(seed, offset + (spk_u64)i) < keep ? scale : 0.0;
}

// Poisson rate encoding, SpikingJelly's PoissonEncoder: spike = (U <= x) for a firing probability x in [0, 1].
// x: [xn] contiguous, spikes: [n] with n a multiple of xn (T steps of x), element i firing from x[i mod xn].
// The uniform is the one Tensor.Rand draws for the dtype (24 bits for float, 53 for double), so the fused encoder
// gives the numbers of rand_like(x) <= x on any device.
extern "C" __global__ void poisson_encode_f32(spk_i64 n, spk_i64 xn, spk_u64 seed, spk_u64 offset, const float* x, float* spikes) {
    SPK_FOR_EACH(i, n) spikes[i] = spk_uniform_float(seed, offset + (spk_u64)i) <= x[i % xn] ? 1.0f : 0.0f;
}

extern "C" __global__ void poisson_encode_f64(spk_i64 n, spk_i64 xn, spk_u64 seed, spk_u64 offset, const double* x, double* spikes) {
    SPK_FOR_EACH(i, n) spikes[i] = spk_uniform_double(seed, offset + (spk_u64)i) <= x[i % xn] ? 1.0 : 0.0;
}

// Float16 draws are float uniforms rounded to half, as Tensor.Rand gives them, and compared in half.
extern "C" __global__ void poisson_encode_f16(spk_i64 n, spk_i64 xn, spk_u64 seed, spk_u64 offset, const spk_half* x, spk_half* spikes) {
    SPK_FOR_EACH(i, n) {
        float u = spk_h2f(spk_f2h(spk_uniform_float(seed, offset + (spk_u64)i)));
        spikes[i] = spk_f2h(u <= spk_h2f(x[i % xn]) ? 1.0f : 0.0f);
    }
}

extern "C" __global__ void poisson_encode_f32_u8(spk_i64 n, spk_i64 xn, spk_u64 seed, spk_u64 offset, const float* x, spk_u8* spikes) {
    SPK_FOR_EACH(i, n) spikes[i] = spk_uniform_float(seed, offset + (spk_u64)i) <= x[i % xn] ? 1 : 0;
}
