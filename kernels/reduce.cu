// Reductions. Rows: x [outer, inner] contiguous -> d [outer], one block per row (blocks loop over rows), each
// thread folding a strided slice of the row, then a shared-memory tree: the result is the same for any row length.
// Columns: x [outer, r, inner] contiguous -> d [outer, inner], one thread per column folding k = 0..r-1 in order
// (consecutive threads read consecutive addresses). Op codes: the ordinals of Spike.ReduceOp.
#include "common.cuh"

enum { R_SUM, R_PROD, R_MAX, R_MIN, R_ARGMAX, R_ARGMIN, R_ANY, R_ALL, R_LOGSUMEXP };

template <typename T>
__device__ __forceinline__ T spk_fold(int op, T a, T b) {
    switch (op) {
    case R_SUM: return (T)(a + b);   // u8 wraps like the CPU's byte sum
    case R_PROD: return (T)(a * b);
    case R_MAX: return spk_max(a, b);
    default: return spk_min(a, b);
    }
}

// Identity of the fold; max/min rows are never empty, so their start value only has to lose to any element.
template <typename T>
__device__ __forceinline__ T spk_identity(int op, T first) { return op == R_SUM ? (T)0 : op == R_PROD ? (T)1 : first; }

template <typename T>
__device__ void reduce_rows(int op, spk_i64 outer, spk_i64 inner, const T* x, T* d) {
    __shared__ T buf[1024];
    SPK_FOR_EACH_ROW(row, outer) {
        const T* xr = x + row * inner;
        T acc = spk_identity(op, inner > 0 ? xr[0] : (T)0);
        for (spk_i64 j = threadIdx.x; j < inner; j += blockDim.x) acc = spk_fold(op, acc, xr[j]);
        if (op == R_SUM) acc = spk_block_combine(acc, buf, spk_add_op());
        else if (op == R_PROD) acc = spk_block_combine(acc, buf, spk_mul_op());
        else if (op == R_MAX) acc = spk_block_combine(acc, buf, spk_max_op());
        else acc = spk_block_combine(acc, buf, spk_min_op());
        if (threadIdx.x == 0) d[row] = acc;
    }
}

// (value, index) pairs for argmax/argmin: b beats a when strictly more extreme, NaN counting as the most extreme,
// ties (and NaN against NaN) going to the lower index, so the first extreme wins whatever the tree's order.
template <typename T> struct spk_arg { T v; spk_i64 i; };

template <typename T>
__device__ __forceinline__ bool spk_arg_better(bool max, spk_arg<T> b, spk_arg<T> a) {
    if (b.i < 0) return false;
    if (a.i < 0) return true;
    bool an = spk_isnan(a.v), bn = spk_isnan(b.v);
    if (an || bn) return bn && (!an || b.i < a.i);
    if (b.v == a.v) return b.i < a.i;
    return max ? b.v > a.v : b.v < a.v;
}

template <typename T>
__device__ void arg_rows(bool max, spk_i64 outer, spk_i64 inner, const T* x, spk_i64* d) {
    __shared__ T vals[1024];
    __shared__ spk_i64 idx[1024];
    unsigned t = threadIdx.x;
    SPK_FOR_EACH_ROW(row, outer) {
        const T* xr = x + row * inner;
        spk_arg<T> best = { (T)0, -1 };
        for (spk_i64 j = t; j < inner; j += blockDim.x) {
            spk_arg<T> c = { xr[j], j };
            if (spk_arg_better(max, c, best)) best = c;
        }
        vals[t] = best.v; idx[t] = best.i;
        __syncthreads();
        for (unsigned s = blockDim.x / 2; s > 0; s >>= 1) {
            if (t < s) {
                spk_arg<T> a = { vals[t], idx[t] }, b = { vals[t + s], idx[t + s] };
                if (spk_arg_better(max, b, a)) { vals[t] = b.v; idx[t] = b.i; }
            }
            __syncthreads();
        }
        if (t == 0) d[row] = idx[0];
        __syncthreads();
    }
}

// Bool rows: any / all.
__device__ void logic_rows(bool all, spk_i64 outer, spk_i64 inner, const spk_u8* x, spk_u8* d) {
    __shared__ int buf[1024];
    SPK_FOR_EACH_ROW(row, outer) {
        int acc = all ? 1 : 0;
        for (spk_i64 j = threadIdx.x; j < inner; j += blockDim.x) acc = all ? (acc && x[row * inner + j]) : (acc || x[row * inner + j]);
        acc = all ? spk_block_combine(acc, buf, spk_min_op()) : spk_block_combine(acc, buf, spk_max_op());
        if (threadIdx.x == 0) d[row] = (spk_u8)acc;
    }
}

// log sum exp = m + log sum exp(x - m), m the row maximum, so no term overflows; an infinite or NaN maximum is the
// result itself, and an empty row gives -inf.
template <typename T>
__device__ void logsumexp_rows(spk_i64 outer, spk_i64 inner, const T* x, T* d) {
    __shared__ T buf[1024];
    SPK_FOR_EACH_ROW(row, outer) {
        const T* xr = x + row * inner;
        T m = -spk_inf<T>();
        for (spk_i64 j = threadIdx.x; j < inner; j += blockDim.x) m = spk_max(m, xr[j]);
        m = spk_block_combine(m, buf, spk_max_op());
        T s = (T)0;
        bool finite = !spk_isnan(m) && m != spk_inf<T>() && m != -spk_inf<T>();
        if (finite) for (spk_i64 j = threadIdx.x; j < inner; j += blockDim.x) s += spk_exp(xr[j] - m);
        s = spk_block_combine(s, buf, spk_add_op());
        if (threadIdx.x == 0) d[row] = finite ? m + spk_log(s) : m;
    }
}

// d[row] = sum (x - mean)^2 / max(0, inner - correction): two passes (no cancellation when |mean| >> std).
template <typename T>
__device__ void variance_rows(spk_i64 outer, spk_i64 inner, T correction, const T* x, T* d) {
    __shared__ T buf[1024];
    SPK_FOR_EACH_ROW(row, outer) {
        const T* xr = x + row * inner;
        T s = (T)0;
        for (spk_i64 j = threadIdx.x; j < inner; j += blockDim.x) s += xr[j];
        T mean = spk_block_combine(s, buf, spk_add_op()) / (T)inner;
        T q = (T)0;
        for (spk_i64 j = threadIdx.x; j < inner; j += blockDim.x) { T dv = xr[j] - mean; q += dv * dv; }
        q = spk_block_combine(q, buf, spk_add_op());
        T den = (T)inner - correction;
        if (threadIdx.x == 0) d[row] = q / (den > (T)0 ? den : (T)0);
    }
}

template <typename T>
__device__ void reduce_cols(int op, spk_i64 outer, spk_i64 r, spk_i64 inner, const T* x, T* d) {
    SPK_FOR_EACH(c, outer * inner) {
        spk_i64 o = c / inner, i = c - o * inner;
        const T* xc = x + o * r * inner + i;
        T acc = r == 0 ? spk_identity(op, (T)0) : xc[0];
        for (spk_i64 k = 1; k < r; ++k) acc = spk_fold(op, acc, xc[k * inner]);
        d[c] = acc;
    }
}

// x: [outer, inner] -> d: [outer]; op one of sum, prod, max, min.
extern "C" __global__ void reduce_rows_f32(int op, spk_i64 outer, spk_i64 inner, const float* x, float* d) { reduce_rows(op, outer, inner, x, d); }
extern "C" __global__ void reduce_rows_f64(int op, spk_i64 outer, spk_i64 inner, const double* x, double* d) { reduce_rows(op, outer, inner, x, d); }
extern "C" __global__ void reduce_rows_i32(int op, spk_i64 outer, spk_i64 inner, const int* x, int* d) { reduce_rows(op, outer, inner, x, d); }
extern "C" __global__ void reduce_rows_i64(int op, spk_i64 outer, spk_i64 inner, const spk_i64* x, spk_i64* d) { reduce_rows(op, outer, inner, x, d); }
extern "C" __global__ void reduce_rows_u8(int op, spk_i64 outer, spk_i64 inner, const spk_u8* x, spk_u8* d) { reduce_rows(op, outer, inner, x, d); }

// x: [outer, inner] -> d: [outer] Int64, the first argmax (max = 1) or argmin (max = 0).
extern "C" __global__ void arg_rows_f32(int max, spk_i64 outer, spk_i64 inner, const float* x, spk_i64* d) { arg_rows(max != 0, outer, inner, x, d); }
extern "C" __global__ void arg_rows_f64(int max, spk_i64 outer, spk_i64 inner, const double* x, spk_i64* d) { arg_rows(max != 0, outer, inner, x, d); }
extern "C" __global__ void arg_rows_i32(int max, spk_i64 outer, spk_i64 inner, const int* x, spk_i64* d) { arg_rows(max != 0, outer, inner, x, d); }
extern "C" __global__ void arg_rows_i64(int max, spk_i64 outer, spk_i64 inner, const spk_i64* x, spk_i64* d) { arg_rows(max != 0, outer, inner, x, d); }
extern "C" __global__ void arg_rows_u8(int max, spk_i64 outer, spk_i64 inner, const spk_u8* x, spk_i64* d) { arg_rows(max != 0, outer, inner, x, d); }

// Bool rows -> Bool: all (all = 1) or any (all = 0).
extern "C" __global__ void logic_rows_u8(int all, spk_i64 outer, spk_i64 inner, const spk_u8* x, spk_u8* d) { logic_rows(all != 0, outer, inner, x, d); }

extern "C" __global__ void logsumexp_rows_f32(spk_i64 outer, spk_i64 inner, const float* x, float* d) { logsumexp_rows(outer, inner, x, d); }
extern "C" __global__ void logsumexp_rows_f64(spk_i64 outer, spk_i64 inner, const double* x, double* d) { logsumexp_rows(outer, inner, x, d); }

extern "C" __global__ void variance_rows_f32(spk_i64 outer, spk_i64 inner, float correction, const float* x, float* d) { variance_rows(outer, inner, correction, x, d); }
extern "C" __global__ void variance_rows_f64(spk_i64 outer, spk_i64 inner, double correction, const double* x, double* d) { variance_rows(outer, inner, correction, x, d); }

// x: [outer, r, inner] -> d: [outer, inner]; op one of sum, prod, max, min.
extern "C" __global__ void reduce_cols_f32(int op, spk_i64 outer, spk_i64 r, spk_i64 inner, const float* x, float* d) { reduce_cols(op, outer, r, inner, x, d); }
extern "C" __global__ void reduce_cols_f64(int op, spk_i64 outer, spk_i64 r, spk_i64 inner, const double* x, double* d) { reduce_cols(op, outer, r, inner, x, d); }
extern "C" __global__ void reduce_cols_i32(int op, spk_i64 outer, spk_i64 r, spk_i64 inner, const int* x, int* d) { reduce_cols(op, outer, r, inner, x, d); }
extern "C" __global__ void reduce_cols_i64(int op, spk_i64 outer, spk_i64 r, spk_i64 inner, const spk_i64* x, spk_i64* d) { reduce_cols(op, outer, r, inner, x, d); }
extern "C" __global__ void reduce_cols_u8(int op, spk_i64 outer, spk_i64 r, spk_i64 inner, const spk_u8* x, spk_u8* d) { reduce_cols(op, outer, r, inner, x, d); }
