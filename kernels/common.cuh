// Shared definitions for every kernel: integer types, strided layouts, float16 storage, typed math.
// Compiled by NVRTC without the CUDA headers, and by g++ through host_shim.h (which defines SPK_HOST).
#ifndef SPK_COMMON_CUH  // a guard, not #pragma once: the host tests re-include headers per variant
#define SPK_COMMON_CUH

typedef long long spk_i64;
typedef unsigned long long spk_u64;
typedef unsigned int spk_u32;
typedef unsigned char spk_u8;
typedef unsigned short spk_half; // IEEE binary16 bits; math is done in float

#define SPK_MAX_DIMS 8

// A strided view of one operand, passed to kernels by value. Strides are in elements, 0 where broadcast
// (negative only for flip). The host coalesces dims first, so most launches see rank 1 or 2.
struct spk_layout {
    int rank;
    int pad_;
    spk_i64 offset;
    spk_i64 shape[SPK_MAX_DIMS];
    spk_i64 stride[SPK_MAX_DIMS];
};

// Storage offset of the element at row-major linear index i (dims walked innermost first). Rank 1 (every
// contiguous operand after coalescing) needs no division, which is slow for 64-bit integers on a GPU.
__device__ __forceinline__ spk_i64 spk_offset(const spk_layout& l, spk_i64 i) {
    if (l.rank == 1) return l.offset + i * l.stride[0];
    spk_i64 off = l.offset;
    for (int d = l.rank - 1; d >= 0; --d) {
        spk_i64 s = l.shape[d];
        off += (i % s) * l.stride[d];
        i /= s;
    }
    return off;
}

// Grid-stride loop: correct for any grid size, so launches can cap the grid at a few waves.
#define SPK_FOR_EACH(i, n) \
    for (spk_i64 i = (spk_i64)blockIdx.x * blockDim.x + threadIdx.x; i < (n); i += (spk_i64)blockDim.x * gridDim.x)

// One block per row: rows walked by blocks, the row's elements by the block's threads.
#define SPK_FOR_EACH_ROW(row, rows) for (spk_i64 row = blockIdx.x; row < (rows); row += gridDim.x)

#define SPK_NAN __int_as_float(0x7fc00000)
#define SPK_INF __int_as_float(0x7f800000)

#ifndef SPK_HOST
// float <-> binary16 through the PTX conversion instructions (round to nearest even), so no cuda_fp16.h is needed.
__device__ __forceinline__ float spk_h2f(spk_half h) {
    float f;
    asm("cvt.f32.f16 %0, %1;" : "=f"(f) : "h"(h));
    return f;
}
__device__ __forceinline__ spk_half spk_f2h(float f) {
    spk_half h;
    asm("cvt.rn.f16.f32 %0, %1;" : "=h"(h) : "f"(f));
    return h;
}
// double -> binary16 in one rounding (through float it could round twice).
__device__ __forceinline__ spk_half spk_d2h(double d) {
    spk_half h;
    asm("cvt.rn.f16.f64 %0, %1;" : "=h"(h) : "d"(d));
    return h;
}
#endif

// Two neighbouring binary16 values as one 32-bit word, low half first (CUDA's __half2 layout in little-endian memory):
// one aligned 4-byte load or store moves two neurons. Plain C on top of spk_h2f/spk_f2h, so NVRTC and the host agree.
struct alignas(4) spk_half2 { spk_u32 bits; };

// Element load/store in float for the storage types the templated neuron kernels accept.
__device__ __forceinline__ float spk_load(const float* p, spk_i64 i) { return p[i]; }
__device__ __forceinline__ float spk_load(const spk_half* p, spk_i64 i) { return spk_h2f(p[i]); }
__device__ __forceinline__ void spk_store(float* p, spk_i64 i, float v) { p[i] = v; }
__device__ __forceinline__ void spk_store(spk_half* p, spk_i64 i, float v) { p[i] = spk_f2h(v); }

// Lane-wise access for kernels that give each thread spk_lanes<T>::n neighbouring elements (unit i holds elements
// i*n .. i*n + n - 1): one lane for float and half, two for spk_half2. v: n floats.
template <typename T> struct spk_lanes { static const int n = 1; };
template <> struct spk_lanes<spk_half2> { static const int n = 2; };
template <typename T> __device__ __forceinline__ void spk_load_lanes(const T* p, spk_i64 i, float* v) { v[0] = spk_load(p, i); }
template <typename T> __device__ __forceinline__ void spk_store_lanes(T* p, spk_i64 i, const float* v) { spk_store(p, i, v[0]); }
template <> __device__ __forceinline__ void spk_load_lanes<spk_half2>(const spk_half2* p, spk_i64 i, float* v) {
    spk_u32 w = p[i].bits;
    v[0] = spk_h2f((spk_half)(w & 0xffffu));
    v[1] = spk_h2f((spk_half)(w >> 16));
}
template <> __device__ __forceinline__ void spk_store_lanes<spk_half2>(spk_half2* p, spk_i64 i, const float* v) {
    spk_half2 w;
    w.bits = (spk_u32)spk_f2h(v[0]) | ((spk_u32)spk_f2h(v[1]) << 16);
    p[i] = w;
}

// ---- typed math: one name for float and double, so templates pick the precision of their element type ----------

#define SPK_MATH1(name, f32, f64) \
    __device__ __forceinline__ float name(float x) { return f32(x); } \
    __device__ __forceinline__ double name(double x) { return f64(x); }
SPK_MATH1(spk_exp, expf, exp)
SPK_MATH1(spk_log, logf, log)
SPK_MATH1(spk_log1p, log1pf, log1p)
SPK_MATH1(spk_sqrt, sqrtf, sqrt)
SPK_MATH1(spk_sin, sinf, sin)
SPK_MATH1(spk_cos, cosf, cos)
SPK_MATH1(spk_tanh, tanhf, tanh)
SPK_MATH1(spk_atan, atanf, atan)
SPK_MATH1(spk_erf, erff, erf)
SPK_MATH1(spk_erfc, erfcf, erfc)
SPK_MATH1(spk_floor, floorf, floor)
SPK_MATH1(spk_ceil, ceilf, ceil)
SPK_MATH1(spk_rint, rintf, rint)
SPK_MATH1(spk_fabs, fabsf, fabs)
#undef SPK_MATH1
__device__ __forceinline__ float spk_pow(float a, float b) { return powf(a, b); }
__device__ __forceinline__ double spk_pow(double a, double b) { return pow(a, b); }

template <typename T> __device__ __forceinline__ T spk_inf();
template <> __device__ __forceinline__ float spk_inf<float>() { return SPK_INF; }
template <> __device__ __forceinline__ double spk_inf<double>() { return __longlong_as_double(0x7ff0000000000000LL); }

// x != x is false for integers, so these serve every element type.
template <typename T> __device__ __forceinline__ bool spk_isnan(T x) { return x != x; }

// IEEE maximum/minimum as .NET's T.Max/T.Min and torch.maximum: NaN propagates and +0 > -0.
template <typename T> __device__ __forceinline__ T spk_max(T a, T b) {
    if (spk_isnan(a)) return a;
    if (spk_isnan(b)) return b;
    if (a == b) return a == (T)0 && (T)1 / a < (T)0 ? b : a;  // only floats reach the division (a == b == 0)
    return a > b ? a : b;
}
template <typename T> __device__ __forceinline__ T spk_min(T a, T b) {
    if (spk_isnan(a)) return a;
    if (spk_isnan(b)) return b;
    if (a == b) return a == (T)0 && (T)1 / a > (T)0 ? b : a;
    return a < b ? a : b;
}
// Integers have one zero: skip the sign test (and its division by zero).
#define SPK_INT_EXTREMES(T) \
    template <> __device__ __forceinline__ T spk_max<T>(T a, T b) { return a > b ? a : b; } \
    template <> __device__ __forceinline__ T spk_min<T>(T a, T b) { return a < b ? a : b; }
SPK_INT_EXTREMES(int)
SPK_INT_EXTREMES(spk_i64)
SPK_INT_EXTREMES(spk_u8)
#undef SPK_INT_EXTREMES

// ---- block-wide reductions (every thread of the block must call them; blockDim.x a power of two <= 1024) ----------

// Combines v across the block with f(a, b); every thread gets the result. buf: blockDim.x elements of shared memory.
template <typename T, typename F>
__device__ T spk_block_combine(T v, T* buf, F f) {
    unsigned t = threadIdx.x;
    buf[t] = v;
    __syncthreads();
    for (unsigned s = blockDim.x / 2; s > 0; s >>= 1) {
        if (t < s) buf[t] = f(buf[t], buf[t + s]);
        __syncthreads();
    }
    T r = buf[0];
    __syncthreads();  // buf is reused by the next reduction
    return r;
}

struct spk_add_op { template <typename T> __device__ T operator()(T a, T b) const { return a + b; } };
struct spk_mul_op { template <typename T> __device__ T operator()(T a, T b) const { return a * b; } };
struct spk_max_op { template <typename T> __device__ T operator()(T a, T b) const { return spk_max(a, b); } };
struct spk_min_op { template <typename T> __device__ T operator()(T a, T b) const { return spk_min(a, b); } };

// Sum across the block in double (batch-norm statistics, parameter gradients): one shared buffer per type.
__device__ __forceinline__ double spk_block_sum(double v) {
    __shared__ double buf[1024];
    return spk_block_combine(v, buf, spk_add_op());
}

#endif  // SPK_COMMON_CUH
