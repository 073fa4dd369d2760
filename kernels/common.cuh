// Shared definitions for every kernel: integer types, strided layouts, float16 storage.
// Compiled by NVRTC without the CUDA headers, and by g++ through host_shim.h (which defines SPK_HOST).
#ifndef SPK_COMMON_CUH  // a guard, not #pragma once: the host tests re-include headers per variant
#define SPK_COMMON_CUH

typedef long long spk_i64;
typedef unsigned long long spk_u64;
typedef unsigned int spk_u32;
typedef unsigned char spk_u8;
typedef unsigned short spk_half; // IEEE binary16 bits; math is done in float

#define SPK_MAX_DIMS 8

// A strided view of one operand, passed to kernels by value. Strides are in elements, 0 where broadcast.
// The host coalesces dims first, so most launches see rank 1 or 2.
struct spk_layout {
    int rank;
    int pad_;
    spk_i64 offset;
    spk_i64 shape[SPK_MAX_DIMS];
    spk_i64 stride[SPK_MAX_DIMS];
};

// Storage offset of the element at row-major linear index i (dims walked innermost first).
__device__ __forceinline__ spk_i64 spk_offset(const spk_layout& l, spk_i64 i) {
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
#endif

// Element load/store in float for the storage types the templated kernels accept.
__device__ __forceinline__ float spk_load(const float* p, spk_i64 i) { return p[i]; }
__device__ __forceinline__ float spk_load(const spk_half* p, spk_i64 i) { return spk_h2f(p[i]); }
__device__ __forceinline__ void spk_store(float* p, spk_i64 i, float v) { p[i] = v; }
__device__ __forceinline__ void spk_store(spk_half* p, spk_i64 i, float v) { p[i] = spk_f2h(v); }

#endif  // SPK_COMMON_CUH
