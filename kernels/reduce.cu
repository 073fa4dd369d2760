// Row reductions and row softmax. x: [outer, inner] contiguous (the host permutes reduced axes innermost);
// one block per row (grid-stride over rows), blockDim.x a power of two <= 1024.
// Each thread folds a strided slice of the row, then the block combines partials in a shared-memory tree,
// so the result is the same for any row length.
#include "common.cuh"

#define SPK_INF __int_as_float(0x7f800000)

enum { R_SUM, R_MAX, R_MIN };

__device__ __forceinline__ float spk_reduce_identity(int op) {
    return op == R_SUM ? 0.0f : op == R_MAX ? -SPK_INF : SPK_INF;
}

// NaN propagates through max/min, as torch.max does.
__device__ __forceinline__ float spk_reduce_combine(int op, float a, float b) {
    if (op == R_SUM) return a + b;
    if (a != a || b != b) return a + b;
    return op == R_MAX ? fmaxf(a, b) : fminf(a, b);
}

// Reduces v across the block; every thread gets the result. buf: blockDim.x floats of shared memory.
__device__ float spk_block_reduce(int op, float v, float* buf) {
    unsigned t = threadIdx.x;
    buf[t] = v;
    __syncthreads();
    for (unsigned s = blockDim.x / 2; s > 0; s >>= 1) {
        if (t < s) buf[t] = spk_reduce_combine(op, buf[t], buf[t + s]);
        __syncthreads();
    }
    float r = buf[0];
    __syncthreads();  // buf is reused by the next reduction
    return r;
}

__device__ void reduce_rows(int op, spk_i64 outer, spk_i64 inner, const float* x, float* d) {
    __shared__ float buf[1024];
    for (spk_i64 row = blockIdx.x; row < outer; row += gridDim.x) {
        const float* xr = x + row * inner;
        float acc = spk_reduce_identity(op);
        for (spk_i64 j = threadIdx.x; j < inner; j += blockDim.x) acc = spk_reduce_combine(op, acc, xr[j]);
        acc = spk_block_reduce(op, acc, buf);
        if (threadIdx.x == 0) d[row] = acc;
    }
}

// d: [outer] = sum / max / min over each row of x: [outer, inner].
extern "C" __global__ void reduce_sum_f32(spk_i64 outer, spk_i64 inner, const float* x, float* d) { reduce_rows(R_SUM, outer, inner, x, d); }
extern "C" __global__ void reduce_max_f32(spk_i64 outer, spk_i64 inner, const float* x, float* d) { reduce_rows(R_MAX, outer, inner, x, d); }
extern "C" __global__ void reduce_min_f32(spk_i64 outer, spk_i64 inner, const float* x, float* d) { reduce_rows(R_MIN, outer, inner, x, d); }

// softmax(x)_j = exp(x_j - m) / sum_k exp(x_k - m), m = max_k x_k (subtracting m keeps exp finite);
// log_softmax = x_j - m - log(sum). x, d: [outer, inner] contiguous.
__device__ void softmax_rows(bool logarithm, spk_i64 outer, spk_i64 inner, const float* x, float* d) {
    __shared__ float buf[1024];
    for (spk_i64 row = blockIdx.x; row < outer; row += gridDim.x) {
        const float* xr = x + row * inner;
        float* dr = d + row * inner;
        float m = -SPK_INF;
        for (spk_i64 j = threadIdx.x; j < inner; j += blockDim.x) m = spk_reduce_combine(R_MAX, m, xr[j]);
        m = spk_block_reduce(R_MAX, m, buf);
        float s = 0.0f;
        for (spk_i64 j = threadIdx.x; j < inner; j += blockDim.x) s += expf(xr[j] - m);
        s = spk_block_reduce(R_SUM, s, buf);
        if (logarithm) {
            float ls = logf(s);
            for (spk_i64 j = threadIdx.x; j < inner; j += blockDim.x) dr[j] = xr[j] - m - ls;
        } else {
            float inv = 1.0f / s;
            for (spk_i64 j = threadIdx.x; j < inner; j += blockDim.x) dr[j] = expf(xr[j] - m) * inv;
        }
    }
}

extern "C" __global__ void softmax_rows_f32(spk_i64 outer, spk_i64 inner, const float* x, float* d) { softmax_rows(false, outer, inner, x, d); }
extern "C" __global__ void log_softmax_rows_f32(spk_i64 outer, spk_i64 inner, const float* x, float* d) { softmax_rows(true, outer, inner, x, d); }
