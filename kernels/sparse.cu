// Spike-sparse × dense products (SpikingJelly's sparse_mm_dense): the left operand is a spike matrix, mostly zeros.
// One block per output row, threads over its columns; the test of each spike is uniform across the block (same row,
// same k), so a zero skips a whole row of the dense operand and the work grows with the spike count, not M·K.
// All operands contiguous row-major.
#include "common.cuh"

// y [m, n] = s [m, k] · w [k, n]
template <typename T>
__device__ void spike_mm(spk_i64 m, spk_i64 k, spk_i64 n, const T* s, const T* w, T* y) {
    SPK_FOR_EACH_ROW(i, m) {
        const T* si = s + i * k;
        for (spk_i64 j = threadIdx.x; j < n; j += blockDim.x) {
            T acc = (T)0;
            for (spk_i64 l = 0; l < k; ++l) {
                T sv = si[l];
                if (sv != (T)0) acc += sv * w[l * n + j];
            }
            y[i * n + j] = acc;
        }
    }
}

// y [k, n] = sᵀ · g with s [m, k], g [m, n]: the gradient of the dense operand.
template <typename T>
__device__ void spike_mm_tn(spk_i64 m, spk_i64 k, spk_i64 n, const T* s, const T* g, T* y) {
    SPK_FOR_EACH_ROW(l, k) {
        for (spk_i64 j = threadIdx.x; j < n; j += blockDim.x) {
            T acc = (T)0;
            for (spk_i64 i = 0; i < m; ++i) {
                T sv = s[i * k + l];
                if (sv != (T)0) acc += sv * g[i * n + j];
            }
            y[l * n + j] = acc;
        }
    }
}

extern "C" __global__ void spike_mm_f32(spk_i64 m, spk_i64 k, spk_i64 n, const float* s, const float* w, float* y) { spike_mm(m, k, n, s, w, y); }
extern "C" __global__ void spike_mm_f64(spk_i64 m, spk_i64 k, spk_i64 n, const double* s, const double* w, double* y) { spike_mm(m, k, n, s, w, y); }
extern "C" __global__ void spike_mm_tn_f32(spk_i64 m, spk_i64 k, spk_i64 n, const float* s, const float* g, float* y) { spike_mm_tn(m, k, n, s, g, y); }
extern "C" __global__ void spike_mm_tn_f64(spk_i64 m, spk_i64 k, spk_i64 n, const double* s, const double* g, double* y) { spike_mm_tn(m, k, n, s, g, y); }
