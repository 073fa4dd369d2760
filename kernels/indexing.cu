// Gather and scatter-add along one axis (torch.gather / scatter_add_). Indices are Int64 and were range-checked by
// the host. lx / ld describe x (or dst) over the index's shape with the axis stride set to 0, so an element's offset
// is spk_offset(...) + index * axis_stride. Flip needs no kernel: it is a copy through negative strides.
#include "common.cuh"

// dst[i] = x[lx(i) + index[li(i)] * axis_stride]; every dtype by element size (the bits are moved, not converted).
template <typename T>
__device__ void gather_impl(spk_i64 n, spk_layout lx, const T* x, spk_i64 axis_stride, spk_layout li, const spk_i64* index, spk_layout ld, T* d) {
    SPK_FOR_EACH(i, n) d[spk_offset(ld, i)] = x[spk_offset(lx, i) + index[spk_offset(li, i)] * axis_stride];
}

// Atomic adds for every element type. Equal indices accumulate; integer sums are exact in any order, real sums
// may differ from the CPU's serial order in the last bits.
__device__ __forceinline__ void spk_atomic_add(float* p, float v) { atomicAdd(p, v); }
__device__ __forceinline__ void spk_atomic_add(int* p, int v) { atomicAdd(p, v); }
__device__ __forceinline__ void spk_atomic_add(spk_i64* p, spk_i64 v) { atomicAdd((spk_u64*)p, (spk_u64)v); }
__device__ __forceinline__ void spk_atomic_add(double* p, double v) {
#if defined(SPK_HOST) || __CUDA_ARCH__ >= 600
    atomicAdd(p, v);
#else
    spk_u64* a = (spk_u64*)p;
    spk_u64 old = *a, seen;
    do {
        seen = old;
        old = atomicCAS(a, seen, (spk_u64)__double_as_longlong(__longlong_as_double((spk_i64)seen) + v));
    } while (old != seen);
#endif
}
// No byte atomics: add into the byte's lane of its aligned 32-bit word (u8 sums wrap, as on the CPU).
__device__ __forceinline__ void spk_atomic_add(spk_u8* p, spk_u8 v) {
    spk_u64 addr = (spk_u64)p;
    spk_u32* word = (spk_u32*)(addr & ~(spk_u64)3);
    spk_u32 shift = (spk_u32)(addr & 3) * 8;
    spk_u32 old = *word, seen;
    do {
        seen = old;
        spk_u32 byte = ((seen >> shift) + v) & 0xffu;
        old = atomicCAS(word, seen, (seen & ~(0xffu << shift)) | (byte << shift));
    } while (old != seen);
}

// dst[ld(i) + index[li(i)] * axis_stride] += src[ls(i)] over the index's n elements.
template <typename T>
__device__ void scatter_add_impl(spk_i64 n, spk_layout ld, T* d, spk_i64 axis_stride, spk_layout li, const spk_i64* index, spk_layout ls, const T* s) {
    SPK_FOR_EACH(i, n) spk_atomic_add(d + spk_offset(ld, i) + index[spk_offset(li, i)] * axis_stride, s[spk_offset(ls, i)]);
}

extern "C" __global__ void gather_u8(spk_i64 n, spk_layout lx, const spk_u8* x, spk_i64 axis_stride, spk_layout li, const spk_i64* index, spk_layout ld, spk_u8* d) { gather_impl(n, lx, x, axis_stride, li, index, ld, d); }
extern "C" __global__ void gather_i32(spk_i64 n, spk_layout lx, const int* x, spk_i64 axis_stride, spk_layout li, const spk_i64* index, spk_layout ld, int* d) { gather_impl(n, lx, x, axis_stride, li, index, ld, d); }
extern "C" __global__ void gather_i64(spk_i64 n, spk_layout lx, const spk_i64* x, spk_i64 axis_stride, spk_layout li, const spk_i64* index, spk_layout ld, spk_i64* d) { gather_impl(n, lx, x, axis_stride, li, index, ld, d); }

extern "C" __global__ void scatter_add_f32(spk_i64 n, spk_layout ld, float* d, spk_i64 axis_stride, spk_layout li, const spk_i64* index, spk_layout ls, const float* s) { scatter_add_impl(n, ld, d, axis_stride, li, index, ls, s); }
extern "C" __global__ void scatter_add_f64(spk_i64 n, spk_layout ld, double* d, spk_i64 axis_stride, spk_layout li, const spk_i64* index, spk_layout ls, const double* s) { scatter_add_impl(n, ld, d, axis_stride, li, index, ls, s); }
extern "C" __global__ void scatter_add_i32(spk_i64 n, spk_layout ld, int* d, spk_i64 axis_stride, spk_layout li, const spk_i64* index, spk_layout ls, const int* s) { scatter_add_impl(n, ld, d, axis_stride, li, index, ls, s); }
extern "C" __global__ void scatter_add_i64(spk_i64 n, spk_layout ld, spk_i64* d, spk_i64 axis_stride, spk_layout li, const spk_i64* index, spk_layout ls, const spk_i64* s) { scatter_add_impl(n, ld, d, axis_stride, li, index, ls, s); }
extern "C" __global__ void scatter_add_u8(spk_i64 n, spk_layout ld, spk_u8* d, spk_i64 axis_stride, spk_layout li, const spk_i64* index, spk_layout ls, const spk_u8* s) { scatter_add_impl(n, ld, d, axis_stride, li, index, ls, s); }
