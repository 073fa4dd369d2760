// Batched matrix product for the integer types (cuBLAS has no integer GEMM; real types go through cuBLAS):
// d[b] = a[b] . b[b] (+ d[b] when accumulate), a: [B, M, K], b: [B, K, N], d: [B, M, N], each through a rank-3
// layout with any strides (0 for a broadcast batch). reduce_batch (d's batch stride 0): every thread sums its
// element over all B products, so no two threads write one element. Integer products wrap, as on the CPU.
#include "common.cuh"

template <typename T> struct spk_wide { typedef T type; };
template <> struct spk_wide<int> { typedef unsigned type; };
template <> struct spk_wide<spk_i64> { typedef spk_u64 type; };
template <> struct spk_wide<spk_u8> { typedef unsigned type; };

template <typename T>
__device__ void matmul_impl(spk_i64 batches, spk_i64 m, spk_i64 n, spk_i64 k, spk_layout la, const T* a, spk_layout lb, const T* b,
                            spk_layout ld, T* d, int accumulate, int reduce_batch) {
    typedef typename spk_wide<T>::type W;
    spk_i64 per = reduce_batch ? 1 : batches;
    SPK_FOR_EACH(e, per * m * n) {
        spk_i64 bi = e / (m * n), i = e / n % m, j = e % n;
        T* out = d + ld.offset + bi * ld.stride[0] + i * ld.stride[1] + j * ld.stride[2];
        W acc = accumulate ? (W)*out : (W)0;
        for (spk_i64 b0 = reduce_batch ? 0 : bi, b1 = reduce_batch ? batches : bi + 1; b0 < b1; ++b0) {
            const T* ar = a + la.offset + b0 * la.stride[0] + i * la.stride[1];
            const T* bc = b + lb.offset + b0 * lb.stride[0] + j * lb.stride[2];
            for (spk_i64 l = 0; l < k; ++l) acc += (W)ar[l * la.stride[2]] * (W)bc[l * lb.stride[1]];
        }
        *out = (T)acc;
    }
}

extern "C" __global__ void matmul_i32(spk_i64 batches, spk_i64 m, spk_i64 n, spk_i64 k, spk_layout la, const int* a, spk_layout lb, const int* b, spk_layout ld, int* d, int accumulate, int reduce_batch) { matmul_impl(batches, m, n, k, la, a, lb, b, ld, d, accumulate, reduce_batch); }
extern "C" __global__ void matmul_i64(spk_i64 batches, spk_i64 m, spk_i64 n, spk_i64 k, spk_layout la, const spk_i64* a, spk_layout lb, const spk_i64* b, spk_layout ld, spk_i64* d, int accumulate, int reduce_batch) { matmul_impl(batches, m, n, k, la, a, lb, b, ld, d, accumulate, reduce_batch); }
extern "C" __global__ void matmul_u8(spk_i64 batches, spk_i64 m, spk_i64 n, spk_i64 k, spk_layout la, const spk_u8* a, spk_layout lb, const spk_u8* b, spk_layout ld, spk_u8* d, int accumulate, int reduce_batch) { matmul_impl(batches, m, n, k, la, a, lb, b, ld, d, accumulate, reduce_batch); }
