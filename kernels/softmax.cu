// Softmax, log-softmax, their gradients and cumulative sums along the middle axis of [outer, n, inner] contiguous
// tensors. Rows (inner = 1): one block per row with shared-memory reductions. Columns (inner > 1): one thread per
// (outer, inner) column walking n with stride inner, so consecutive threads read consecutive addresses.
//   softmax: y = e^(x - m) / sum e^(x - m), m the maximum over n (a row of -inf shifts by 0: NaN, as PyTorch);
//   log:     y = x - m - log sum e^(x - m);
//   backward dx = y (g - sum g y); log: dx = g - e^y sum g.
#include "common.cuh"

template <typename T>
__device__ void softmax_rows(bool logarithm, spk_i64 outer, spk_i64 n, const T* x, T* d) {
    __shared__ T buf[1024];
    SPK_FOR_EACH_ROW(row, outer) {
        const T* xr = x + row * n;
        T* dr = d + row * n;
        T m = -spk_inf<T>();
        for (spk_i64 j = threadIdx.x; j < n; j += blockDim.x) m = spk_max(m, xr[j]);
        m = spk_block_combine(m, buf, spk_max_op());
        if (m == -spk_inf<T>()) m = (T)0;
        T s = (T)0;
        for (spk_i64 j = threadIdx.x; j < n; j += blockDim.x) s += spk_exp(xr[j] - m);
        s = spk_block_combine(s, buf, spk_add_op());
        if (logarithm) {
            T shift = m + spk_log(s);
            for (spk_i64 j = threadIdx.x; j < n; j += blockDim.x) dr[j] = xr[j] - shift;
        } else {
            T inv = (T)1 / s;
            for (spk_i64 j = threadIdx.x; j < n; j += blockDim.x) dr[j] = spk_exp(xr[j] - m) * inv;
        }
    }
}

template <typename T>
__device__ void softmax_cols(bool logarithm, spk_i64 outer, spk_i64 n, spk_i64 inner, const T* x, T* d) {
    SPK_FOR_EACH(c, outer * inner) {
        spk_i64 o = c / inner, base = o * n * inner + (c - o * inner);
        T m = -spk_inf<T>();
        for (spk_i64 k = 0; k < n; ++k) m = spk_max(m, x[base + k * inner]);
        if (m == -spk_inf<T>()) m = (T)0;
        T s = (T)0;
        for (spk_i64 k = 0; k < n; ++k) s += spk_exp(x[base + k * inner] - m);
        if (logarithm) {
            T shift = m + spk_log(s);
            for (spk_i64 k = 0; k < n; ++k) d[base + k * inner] = x[base + k * inner] - shift;
        } else {
            T inv = (T)1 / s;
            for (spk_i64 k = 0; k < n; ++k) d[base + k * inner] = spk_exp(x[base + k * inner] - m) * inv;
        }
    }
}

template <typename T>
__device__ void softmax_bwd_rows(bool logarithm, spk_i64 outer, spk_i64 n, const T* y, const T* g, T* dx) {
    __shared__ T buf[1024];
    SPK_FOR_EACH_ROW(row, outer) {
        const T* yr = y + row * n;
        const T* gr = g + row * n;
        T* dr = dx + row * n;
        T s = (T)0;
        for (spk_i64 j = threadIdx.x; j < n; j += blockDim.x) s += logarithm ? gr[j] : gr[j] * yr[j];
        s = spk_block_combine(s, buf, spk_add_op());
        for (spk_i64 j = threadIdx.x; j < n; j += blockDim.x)
            dr[j] = logarithm ? gr[j] - spk_exp(yr[j]) * s : (gr[j] - s) * yr[j];
    }
}

template <typename T>
__device__ void softmax_bwd_cols(bool logarithm, spk_i64 outer, spk_i64 n, spk_i64 inner, const T* y, const T* g, T* dx) {
    SPK_FOR_EACH(c, outer * inner) {
        spk_i64 o = c / inner, base = o * n * inner + (c - o * inner);
        T s = (T)0;
        for (spk_i64 k = 0; k < n; ++k) s += logarithm ? g[base + k * inner] : g[base + k * inner] * y[base + k * inner];
        for (spk_i64 k = 0; k < n; ++k) {
            spk_i64 e = base + k * inner;
            dx[e] = logarithm ? g[e] - spk_exp(y[e]) * s : (g[e] - s) * y[e];
        }
    }
}

// Inclusive scan of rows [outer, n]: thread t scans its contiguous chunk, the block turns the chunk totals into
// offsets (an exclusive scan by thread 0: at most 1024 values), then every chunk is rewritten with its offset.
// reverse scans from the end of the row (the gradient of a cumsum). Integers wrap as on the CPU.
template <typename T>
__device__ void cumsum_rows(bool reverse, spk_i64 outer, spk_i64 n, const T* x, T* d) {
    __shared__ T totals[1024];
    unsigned t = threadIdx.x;
    spk_i64 chunk = (n + blockDim.x - 1) / blockDim.x;
    SPK_FOR_EACH_ROW(row, outer) {
        const T* xr = x + row * n;
        T* dr = d + row * n;
        spk_i64 lo = t * chunk, hi = lo + chunk < n ? lo + chunk : n;
        T s = (T)0;
        for (spk_i64 k = lo; k < hi; ++k) s += xr[reverse ? n - 1 - k : k];
        totals[t] = s;
        __syncthreads();
        if (t == 0) {
            T run = (T)0;
            for (unsigned u = 0; u < blockDim.x; ++u) { T v = totals[u]; totals[u] = run; run += v; }
        }
        __syncthreads();
        T acc = totals[t];
        for (spk_i64 k = lo; k < hi; ++k) {
            spk_i64 e = reverse ? n - 1 - k : k;
            acc += xr[e];
            dr[e] = acc;
        }
        __syncthreads();
    }
}

template <typename T>
__device__ void cumsum_cols(bool reverse, spk_i64 outer, spk_i64 n, spk_i64 inner, const T* x, T* d) {
    SPK_FOR_EACH(c, outer * inner) {
        spk_i64 o = c / inner, base = o * n * inner + (c - o * inner);
        T acc = (T)0;
        for (spk_i64 k = 0; k < n; ++k) {
            spk_i64 e = base + (reverse ? n - 1 - k : k) * inner;
            acc += x[e];
            d[e] = acc;
        }
    }
}

// x, d: [outer, n] (rows) or [outer, n, inner] (columns).
extern "C" __global__ void softmax_rows_f32(int log, spk_i64 outer, spk_i64 n, const float* x, float* d) { softmax_rows(log != 0, outer, n, x, d); }
extern "C" __global__ void softmax_rows_f64(int log, spk_i64 outer, spk_i64 n, const double* x, double* d) { softmax_rows(log != 0, outer, n, x, d); }
extern "C" __global__ void softmax_cols_f32(int log, spk_i64 outer, spk_i64 n, spk_i64 inner, const float* x, float* d) { softmax_cols(log != 0, outer, n, inner, x, d); }
extern "C" __global__ void softmax_cols_f64(int log, spk_i64 outer, spk_i64 n, spk_i64 inner, const double* x, double* d) { softmax_cols(log != 0, outer, n, inner, x, d); }

// y: the softmax (or log-softmax) output, g: its gradient, dx: the input gradient; all the same shape.
extern "C" __global__ void softmax_bwd_rows_f32(int log, spk_i64 outer, spk_i64 n, const float* y, const float* g, float* dx) { softmax_bwd_rows(log != 0, outer, n, y, g, dx); }
extern "C" __global__ void softmax_bwd_rows_f64(int log, spk_i64 outer, spk_i64 n, const double* y, const double* g, double* dx) { softmax_bwd_rows(log != 0, outer, n, y, g, dx); }
extern "C" __global__ void softmax_bwd_cols_f32(int log, spk_i64 outer, spk_i64 n, spk_i64 inner, const float* y, const float* g, float* dx) { softmax_bwd_cols(log != 0, outer, n, inner, y, g, dx); }
extern "C" __global__ void softmax_bwd_cols_f64(int log, spk_i64 outer, spk_i64 n, spk_i64 inner, const double* y, const double* g, double* dx) { softmax_bwd_cols(log != 0, outer, n, inner, y, g, dx); }

extern "C" __global__ void cumsum_rows_f32(int reverse, spk_i64 outer, spk_i64 n, const float* x, float* d) { cumsum_rows(reverse != 0, outer, n, x, d); }
extern "C" __global__ void cumsum_rows_f64(int reverse, spk_i64 outer, spk_i64 n, const double* x, double* d) { cumsum_rows(reverse != 0, outer, n, x, d); }
extern "C" __global__ void cumsum_rows_i32(int reverse, spk_i64 outer, spk_i64 n, const int* x, int* d) { cumsum_rows(reverse != 0, outer, n, x, d); }
extern "C" __global__ void cumsum_rows_i64(int reverse, spk_i64 outer, spk_i64 n, const spk_i64* x, spk_i64* d) { cumsum_rows(reverse != 0, outer, n, x, d); }
extern "C" __global__ void cumsum_rows_u8(int reverse, spk_i64 outer, spk_i64 n, const spk_u8* x, spk_u8* d) { cumsum_rows(reverse != 0, outer, n, x, d); }
extern "C" __global__ void cumsum_cols_f32(int reverse, spk_i64 outer, spk_i64 n, spk_i64 inner, const float* x, float* d) { cumsum_cols(reverse != 0, outer, n, inner, x, d); }
extern "C" __global__ void cumsum_cols_f64(int reverse, spk_i64 outer, spk_i64 n, spk_i64 inner, const double* x, double* d) { cumsum_cols(reverse != 0, outer, n, inner, x, d); }
extern "C" __global__ void cumsum_cols_i32(int reverse, spk_i64 outer, spk_i64 n, spk_i64 inner, const int* x, int* d) { cumsum_cols(reverse != 0, outer, n, inner, x, d); }
extern "C" __global__ void cumsum_cols_i64(int reverse, spk_i64 outer, spk_i64 n, spk_i64 inner, const spk_i64* x, spk_i64* d) { cumsum_cols(reverse != 0, outer, n, inner, x, d); }
extern "C" __global__ void cumsum_cols_u8(int reverse, spk_i64 outer, spk_i64 n, spk_i64 inner, const spk_u8* x, spk_u8* d) { cumsum_cols(reverse != 0, outer, n, inner, x, d); }
