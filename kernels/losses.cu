// Class-axis losses: logits / input [N, C, S] contiguous, one thread per position q = n*S + s reading the C values
// at n*C*S + c*S + s; per-position outputs [N, S]. Class targets are Int64 (range-checked by the host), or
// probability targets [N, C, S] in the logits' type. The formulas are the CPU backend's (CpuBackend.Losses.cs):
// with weights w (W = sum w), smoothing eps, keep = 1 - eps, smooth = eps / C and lse = m + log sum e^(z - m):
//   class targets:       loss = keep w_t (lse - z_t) + smooth (W lse - sum_c w_c z_c)
//                        dz   = g (softmax (keep w_t + smooth W) - keep w_t onehot_t - smooth w)
//   probability targets: y' = (keep y + smooth) w;  loss = lse sum y' - sum y' z;  dz = g (softmax sum y' - y')
//                        dy   = -g keep w (z - lse)
#include "common.cuh"

template <typename T>
__device__ void cross_entropy(spk_i64 n, spk_i64 c, spk_i64 s, const T* z, const spk_i64* ti, const T* tp, const T* w,
                              T eps, spk_i64 ignore, T* loss, T* lse, T* tw, const T* gl, T* gz, T* gt) {
    T smooth = eps / (T)c, keep = (T)1 - eps;
    T wsum = (T)0;
    for (spk_i64 k = 0; k < c; ++k) wsum += w ? w[k] : (T)1;
    SPK_FOR_EACH(q, n * s) {
        spk_i64 b = (q / s) * c * s + q % s;
        spk_i64 t = ti ? ti[q] : 0;
        bool forward = loss != 0;
        if (ti && t == ignore) {
            if (forward) { loss[q] = (T)0; lse[q] = (T)0; if (tw) tw[q] = (T)0; }
            else for (spk_i64 k = 0; k < c; ++k) gz[b + k * s] = (T)0;
            continue;
        }
        T wt = ti ? (w ? w[t] : (T)1) : (T)0;
        // sum y' for probability targets
        T ysum = (T)0;
        if (tp) for (spk_i64 k = 0; k < c; ++k) ysum += (keep * tp[b + k * s] + smooth) * (w ? w[k] : (T)1);
        if (forward) {
            T m = -spk_inf<T>();
            for (spk_i64 k = 0; k < c; ++k) m = spk_max(m, z[b + k * s]);
            T e = (T)0;
            for (spk_i64 k = 0; k < c; ++k) e += spk_exp(z[b + k * s] - m);
            T l = m + spk_log(e);
            lse[q] = l;
            T dot = (T)0;
            if (ti) {
                for (spk_i64 k = 0; k < c; ++k) dot += (w ? w[k] : (T)1) * z[b + k * s];
                loss[q] = keep * wt * (l - z[b + t * s]) + smooth * (wsum * l - dot);
                if (tw) tw[q] = wt;
            } else {
                for (spk_i64 k = 0; k < c; ++k) dot += (keep * tp[b + k * s] + smooth) * (w ? w[k] : (T)1) * z[b + k * s];
                loss[q] = l * ysum - dot;
            }
            continue;
        }
        T g = gl[q], l = lse[q];
        for (spk_i64 k = 0; k < c; ++k) {
            spk_i64 e = b + k * s;
            T wk = w ? w[k] : (T)1;
            T logp = z[e] - l, p = spk_exp(logp), v;
            if (ti) {
                v = p * (keep * wt + smooth * wsum);
                if (k == t) v -= keep * wt;
                v += wk * -smooth;
            } else {
                if (gt) gt[e] = -g * keep * wk * logp;
                v = p * ysum - (keep * tp[e] + smooth) * wk;
            }
            gz[e] = v * g;
        }
    }
}

// Forward: loss[q] = -w_t input[n, t, s], tw[q] = w_t (0 where ignored). Backward: gi (zeroed by the host) at
// [n, t, s] = -w_t g[q]. Targets were range-checked by the host.
template <typename T>
__device__ void nll(bool backward, spk_i64 n, spk_i64 c, spk_i64 s, T* x, const spk_i64* t, const T* w, T* per, T* tw, spk_i64 ignore) {
    SPK_FOR_EACH(q, n * s) {
        spk_i64 k = t[q];
        bool ignored = k == ignore;
        T wt = ignored ? (T)0 : w ? w[k] : (T)1;
        spk_i64 at = (q / s) * c * s + k * s + q % s;
        if (backward) { if (!ignored) x[at] = -wt * per[q]; }
        else {
            per[q] = ignored ? (T)0 : -wt * x[at];
            if (tw) tw[q] = wt;
        }
    }
}

// loss = -(y max(log p, -100) + (1 - y) max(log(1 - p), -100)), elementwise over [n] (layouts: any strides);
// a p outside [0, 1] (or NaN) sets *bad = 1 for the host to report.
template <typename T>
__device__ void bce(spk_i64 n, spk_layout lp, const T* p, spk_layout ly, const T* y, spk_layout ll, T* loss, int* bad) {
    SPK_FOR_EACH(i, n) {
        T pv = p[spk_offset(lp, i)], yv = y[spk_offset(ly, i)];
        if (!(pv >= (T)0 && pv <= (T)1)) { *bad = 1; continue; }
        T lp1 = spk_max(spk_log(pv), (T)-100), lp0 = spk_max(spk_log((T)1 - pv), (T)-100);
        loss[spk_offset(ll, i)] = -(yv * lp1 + ((T)1 - yv) * lp0);
    }
}

// Forward (loss != null: loss, lse, optional tw) or backward (gl, gz and optional gt); ti or tp is null.
extern "C" __global__ void cross_entropy_f32(spk_i64 n, spk_i64 c, spk_i64 s, const float* z, const spk_i64* ti, const float* tp, const float* w,
    float eps, spk_i64 ignore, float* loss, float* lse, float* tw, const float* gl, float* gz, float* gt) { cross_entropy(n, c, s, z, ti, tp, w, eps, ignore, loss, lse, tw, gl, gz, gt); }
extern "C" __global__ void cross_entropy_f64(spk_i64 n, spk_i64 c, spk_i64 s, const double* z, const spk_i64* ti, const double* tp, const double* w,
    double eps, spk_i64 ignore, double* loss, double* lse, double* tw, const double* gl, double* gz, double* gt) { cross_entropy(n, c, s, z, ti, tp, w, eps, ignore, loss, lse, tw, gl, gz, gt); }

extern "C" __global__ void nll_f32(int backward, spk_i64 n, spk_i64 c, spk_i64 s, float* x, const spk_i64* t, const float* w, float* per, float* tw, spk_i64 ignore) { nll(backward != 0, n, c, s, x, t, w, per, tw, ignore); }
extern "C" __global__ void nll_f64(int backward, spk_i64 n, spk_i64 c, spk_i64 s, double* x, const spk_i64* t, const double* w, double* per, double* tw, spk_i64 ignore) { nll(backward != 0, n, c, s, x, t, w, per, tw, ignore); }

extern "C" __global__ void bce_f32(spk_i64 n, spk_layout lp, const float* p, spk_layout ly, const float* y, spk_layout ll, float* loss, int* bad) { bce(n, lp, p, ly, y, ll, loss, bad); }
extern "C" __global__ void bce_f64(spk_i64 n, spk_layout lp, const double* p, spk_layout ly, const double* y, spk_layout ll, double* loss, int* bad) { bce(n, lp, p, ly, y, ll, loss, bad); }
