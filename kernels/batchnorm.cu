// Batch norm over x [N, C, S] contiguous with per-channel vectors [C]. Channel sums run in double (one block per
// channel, a shared-memory tree), elementwise passes in the tensor's type with per-channel coefficients.
//   stats:    mean = sum x / M, var = sum (x - mean)^2 / M over the M = N*S values of a channel (two passes)
//   apply:    y = x * scale + shift, scale = invstd * w, shift = b - mean * scale
//   backward: sumdy = sum dy, dot = sum dy (x - mean); dw = dot * invstd, db = sumdy;
//             dx = a dy + b' (x - mean) + k with a = w invstd and, with batch statistics, b' = -a invstd^2 dot / M,
//             k = -a sumdy / M (else b' = k = 0).
#include "common.cuh"

template <typename T>
__device__ void bn_stats(spk_i64 n, spk_i64 c, spk_i64 s, const T* x, T* mean, T* var) {
    double count = (double)n * s;
    SPK_FOR_EACH_ROW(ch, c) {
        double sum = 0;
        for (spk_i64 j = threadIdx.x; j < n * s; j += blockDim.x) sum += (double)x[(j / s * c + ch) * s + j % s];
        double m = spk_block_sum(sum) / count;
        double sq = 0;
        for (spk_i64 j = threadIdx.x; j < n * s; j += blockDim.x) {
            double dv = (double)(x[(j / s * c + ch) * s + j % s] - (T)m);
            sq += dv * dv;
        }
        sq = spk_block_sum(sq);
        if (threadIdx.x == 0) { mean[ch] = (T)m; var[ch] = (T)(sq / count); }
    }
}

// Null mean / invstd / weight / bias read as 0, 1, 1, 0.
template <typename T>
__device__ void bn_apply(spk_i64 n, spk_i64 c, spk_i64 s, const T* x, const T* mean, const T* invstd, const T* w, const T* b, T* y) {
    SPK_FOR_EACH(e, n * c * s) {
        spk_i64 ch = e / s % c;
        double scale = (double)(invstd ? invstd[ch] : (T)1) * (double)(w ? w[ch] : (T)1);
        double shift = (double)(b ? b[ch] : (T)0) - (double)(mean ? mean[ch] : (T)0) * scale;
        y[e] = x[e] * (T)scale + (T)shift;
    }
}

// Per channel: the sums, dw and db (either may be null), and the coefficients (a, b', k, mean) of dx into coef [C, 4].
template <typename T>
__device__ void bn_bwd_reduce(spk_i64 n, spk_i64 c, spk_i64 s, const T* dy, const T* x, const T* mean, const T* invstd,
                              const T* w, int batch_stats, T* dw, T* db, double* coef) {
    double count = (double)n * s;
    SPK_FOR_EACH_ROW(ch, c) {
        T m = mean ? mean[ch] : (T)0;
        double inv = (double)(invstd ? invstd[ch] : (T)1), wv = (double)(w ? w[ch] : (T)1);
        double sum = 0, dot = 0;
        for (spk_i64 j = threadIdx.x; j < n * s; j += blockDim.x) {
            spk_i64 e = (j / s * c + ch) * s + j % s;
            sum += (double)dy[e];
            dot += (double)dy[e] * (double)(x[e] - m);
        }
        sum = spk_block_sum(sum);
        dot = spk_block_sum(dot);
        if (threadIdx.x == 0) {
            if (dw) dw[ch] = (T)(dot * inv);
            if (db) db[ch] = (T)sum;
            double a = wv * inv;
            coef[4 * ch] = a;
            coef[4 * ch + 1] = batch_stats ? -a * inv * inv * dot / count : 0.0;
            coef[4 * ch + 2] = batch_stats ? -a * sum / count : 0.0;
            coef[4 * ch + 3] = (double)m;
        }
    }
}

template <typename T>
__device__ void bn_bwd_apply(spk_i64 n, spk_i64 c, spk_i64 s, const T* dy, const T* x, const double* coef, T* dx) {
    SPK_FOR_EACH(e, n * c * s) {
        const double* k = coef + 4 * (e / s % c);
        T xmu = x[e] - (T)k[3];
        dx[e] = dy[e] * (T)k[0] + (xmu * (T)k[1] + (T)k[2]);
    }
}

extern "C" __global__ void bn_stats_f32(spk_i64 n, spk_i64 c, spk_i64 s, const float* x, float* mean, float* var) { bn_stats(n, c, s, x, mean, var); }
extern "C" __global__ void bn_stats_f64(spk_i64 n, spk_i64 c, spk_i64 s, const double* x, double* mean, double* var) { bn_stats(n, c, s, x, mean, var); }
extern "C" __global__ void bn_apply_f32(spk_i64 n, spk_i64 c, spk_i64 s, const float* x, const float* mean, const float* invstd, const float* w, const float* b, float* y) { bn_apply(n, c, s, x, mean, invstd, w, b, y); }
extern "C" __global__ void bn_apply_f64(spk_i64 n, spk_i64 c, spk_i64 s, const double* x, const double* mean, const double* invstd, const double* w, const double* b, double* y) { bn_apply(n, c, s, x, mean, invstd, w, b, y); }
extern "C" __global__ void bn_bwd_reduce_f32(spk_i64 n, spk_i64 c, spk_i64 s, const float* dy, const float* x, const float* mean, const float* invstd, const float* w, int batch_stats, float* dw, float* db, double* coef) { bn_bwd_reduce(n, c, s, dy, x, mean, invstd, w, batch_stats, dw, db, coef); }
extern "C" __global__ void bn_bwd_reduce_f64(spk_i64 n, spk_i64 c, spk_i64 s, const double* dy, const double* x, const double* mean, const double* invstd, const double* w, int batch_stats, double* dw, double* db, double* coef) { bn_bwd_reduce(n, c, s, dy, x, mean, invstd, w, batch_stats, dw, db, coef); }
extern "C" __global__ void bn_bwd_apply_f32(spk_i64 n, spk_i64 c, spk_i64 s, const float* dy, const float* x, const double* coef, float* dx) { bn_bwd_apply(n, c, s, dy, x, coef, dx); }
extern "C" __global__ void bn_bwd_apply_f64(spk_i64 n, spk_i64 c, spk_i64 s, const double* dy, const double* x, const double* coef, double* dx) { bn_bwd_apply(n, c, s, dy, x, coef, dx); }
