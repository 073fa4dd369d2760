// Pooling over planes: x [P, H, W] contiguous, outputs [P, OH, OW] contiguous, indices Int64 flat positions h*W + w
// inside each input plane. Window arithmetic mirrors ATen (and the CPU backend). Backward kernels gather: each input
// pixel sums the outputs whose windows cover it, in output order, so no atomics are needed and the sums are
// deterministic (the same additions in the same order as the CPU's scatter).
#include "common.cuh"

struct spk_pool {  // mirrors Spike.Cuda.PoolParams
    int h, w, oh, ow;
    int kh, kw, sh, sw, ph, pw, dh, dw;
    int count_include_pad, divisor_override;
};

// One thread per output: the maximum of the window and its first argmax (NaN wins and sticks, as torch).
template <typename T>
__device__ void max_pool(spk_i64 planes, spk_pool g, const T* x, T* d, spk_i64* idx) {
    spk_i64 outs = (spk_i64)g.oh * g.ow;
    SPK_FOR_EACH(e, planes * outs) {
        spk_i64 p = e / outs;
        int o = (int)(e - p * outs), oh = o / g.ow, ow = o % g.ow;
        const T* plane = x + p * g.h * g.w;
        int h0 = oh * g.sh - g.ph, h1 = h0 + (g.kh - 1) * g.dh + 1;
        int w0 = ow * g.sw - g.pw, w1 = w0 + (g.kw - 1) * g.dw + 1;
        if (h1 > g.h) h1 = g.h;
        if (w1 > g.w) w1 = g.w;
        while (h0 < 0) h0 += g.dh;
        while (w0 < 0) w0 += g.dw;
        T best = -spk_inf<T>();
        spk_i64 arg = (spk_i64)h0 * g.w + w0;
        for (int h = h0; h < h1; h += g.dh)
            for (int w = w0; w < w1; w += g.dw) {
                T v = plane[h * g.w + w];
                if (v > best || spk_isnan(v)) { best = v; arg = (spk_i64)h * g.w + w; }
            }
        d[e] = best;
        idx[e] = arg;
    }
}

// gin [P, inPlane] (overwritten) from gout [P, outPlane] and indices: one thread per plane adds in output order, so
// windows that share an argmax sum deterministically. gin is zeroed by the host first.
template <typename T>
__device__ void pool_scatter(spk_i64 planes, spk_i64 in_plane, spk_i64 out_plane, const T* gout, const spk_i64* idx, T* gin) {
    SPK_FOR_EACH(p, planes) {
        T* gi = gin + p * in_plane;
        for (spk_i64 o = p * out_plane, e = o + out_plane; o < e; ++o) gi[idx[o]] += gout[o];
    }
}

// The avg_pool2d window of output (oh, ow): clipped extent and divisor (padded extent with count_include_pad).
__device__ __forceinline__ void spk_avg_window(const spk_pool& g, int oh, int ow, int& h0, int& h1, int& w0, int& w1, int& div) {
    h0 = oh * g.sh - g.ph; w0 = ow * g.sw - g.pw;
    h1 = h0 + g.kh; if (h1 > g.h + g.ph) h1 = g.h + g.ph;
    w1 = w0 + g.kw; if (w1 > g.w + g.pw) w1 = g.w + g.pw;
    int padded = (h1 - h0) * (w1 - w0);
    if (h0 < 0) h0 = 0;
    if (w0 < 0) w0 = 0;
    if (h1 > g.h) h1 = g.h;
    if (w1 > g.w) w1 = g.w;
    div = g.divisor_override ? g.divisor_override : g.count_include_pad ? padded : (h1 - h0) * (w1 - w0);
}

template <typename T>
__device__ void avg_pool(spk_i64 planes, spk_pool g, const T* x, T* d) {
    spk_i64 outs = (spk_i64)g.oh * g.ow;
    SPK_FOR_EACH(e, planes * outs) {
        spk_i64 p = e / outs;
        int o = (int)(e - p * outs), h0, h1, w0, w1, div;
        spk_avg_window(g, o / g.ow, o % g.ow, h0, h1, w0, w1, div);
        const T* plane = x + p * g.h * g.w;
        T s = (T)0;
        for (int h = h0; h < h1; ++h)
            for (int w = w0; w < w1; ++w) s += plane[h * g.w + w];
        d[e] = h0 >= h1 || w0 >= w1 ? (T)0 : s / (T)div;
    }
}

// One thread per input pixel: the outputs whose (unclipped) windows can cover row h are oh in
// [ceil((h + ph - kh + 1) / sh), floor((h + ph) / sh)]; each is checked against its clipped window.
template <typename T>
__device__ void avg_pool_bwd(spk_i64 planes, spk_pool g, const T* gout, T* gin) {
    spk_i64 ins = (spk_i64)g.h * g.w;
    SPK_FOR_EACH(e, planes * ins) {
        spk_i64 p = e / ins;
        int i = (int)(e - p * ins), h = i / g.w, w = i % g.w;
        int oh0 = h + g.ph - g.kh + 1, ow0 = w + g.pw - g.kw + 1;
        oh0 = oh0 <= 0 ? 0 : (oh0 + g.sh - 1) / g.sh;
        ow0 = ow0 <= 0 ? 0 : (ow0 + g.sw - 1) / g.sw;
        int oh1 = (h + g.ph) / g.sh, ow1 = (w + g.pw) / g.sw;
        if (oh1 >= g.oh) oh1 = g.oh - 1;
        if (ow1 >= g.ow) ow1 = g.ow - 1;
        const T* go = gout + p * g.oh * g.ow;
        T s = (T)0;
        for (int oh = oh0; oh <= oh1; ++oh)
            for (int ow = ow0; ow <= ow1; ++ow) {
                int h0, h1, w0, w1, div;
                spk_avg_window(g, oh, ow, h0, h1, w0, w1, div);
                if (h >= h0 && h < h1 && w >= w0 && w < w1) s += go[oh * g.ow + ow] / (T)div;
            }
        gin[e] = s;
    }
}

__device__ __forceinline__ int spk_adaptive_start(int i, int in, int out) { return (int)((spk_i64)i * in / out); }
__device__ __forceinline__ int spk_adaptive_end(int i, int in, int out) { return (int)(((spk_i64)(i + 1) * in + out - 1) / out); }

// mode 0: average, 1: maximum with indices. x [P, H, W] -> d [P, OH, OW].
template <typename T>
__device__ void adaptive_pool(int mode, spk_i64 planes, int H, int W, int OH, int OW, const T* x, T* d, spk_i64* idx) {
    spk_i64 outs = (spk_i64)OH * OW;
    SPK_FOR_EACH(e, planes * outs) {
        spk_i64 p = e / outs;
        int o = (int)(e - p * outs), oh = o / OW, ow = o % OW;
        int h0 = spk_adaptive_start(oh, H, OH), h1 = spk_adaptive_end(oh, H, OH);
        int w0 = spk_adaptive_start(ow, W, OW), w1 = spk_adaptive_end(ow, W, OW);
        const T* plane = x + p * H * W;
        T acc = mode ? -spk_inf<T>() : (T)0;
        spk_i64 arg = (spk_i64)h0 * W + w0;
        for (int h = h0; h < h1; ++h)
            for (int w = w0; w < w1; ++w) {
                T v = plane[h * W + w];
                if (!mode) acc += v;
                else if (v > acc || spk_isnan(v)) { acc = v; arg = (spk_i64)h * W + w; }
            }
        d[e] = mode ? acc : acc / (T)((h1 - h0) * (w1 - w0));
        if (mode) idx[e] = arg;
    }
}

// gin [P, H, W] (overwritten) from gout [P, OH, OW]: each pixel gathers the windows covering it, in output order.
template <typename T>
__device__ void adaptive_avg_bwd(spk_i64 planes, int H, int W, int OH, int OW, const T* gout, T* gin) {
    spk_i64 ins = (spk_i64)H * W;
    SPK_FOR_EACH(e, planes * ins) {
        spk_i64 p = e / ins;
        int i = (int)(e - p * ins), h = i / W, w = i % W;
        const T* go = gout + p * OH * OW;
        int oh0 = (int)((spk_i64)h * OH / H), ow0 = (int)((spk_i64)w * OW / W);
        while (oh0 > 0 && spk_adaptive_end(oh0 - 1, H, OH) > h) --oh0;
        while (ow0 > 0 && spk_adaptive_end(ow0 - 1, W, OW) > w) --ow0;
        T s = (T)0;
        for (int oh = oh0; oh < OH && spk_adaptive_start(oh, H, OH) <= h; ++oh) {
            if (spk_adaptive_end(oh, H, OH) <= h) continue;
            int hc = spk_adaptive_end(oh, H, OH) - spk_adaptive_start(oh, H, OH);
            for (int ow = ow0; ow < OW && spk_adaptive_start(ow, W, OW) <= w; ++ow) {
                if (spk_adaptive_end(ow, W, OW) <= w) continue;
                int wc = spk_adaptive_end(ow, W, OW) - spk_adaptive_start(ow, W, OW);
                s += go[oh * OW + ow] / (T)(hc * wc);
            }
        }
        gin[e] = s;
    }
}

extern "C" __global__ void max_pool_f32(spk_i64 planes, spk_pool g, const float* x, float* d, spk_i64* idx) { max_pool(planes, g, x, d, idx); }
extern "C" __global__ void max_pool_f64(spk_i64 planes, spk_pool g, const double* x, double* d, spk_i64* idx) { max_pool(planes, g, x, d, idx); }
extern "C" __global__ void pool_scatter_f32(spk_i64 planes, spk_i64 in_plane, spk_i64 out_plane, const float* gout, const spk_i64* idx, float* gin) { pool_scatter(planes, in_plane, out_plane, gout, idx, gin); }
extern "C" __global__ void pool_scatter_f64(spk_i64 planes, spk_i64 in_plane, spk_i64 out_plane, const double* gout, const spk_i64* idx, double* gin) { pool_scatter(planes, in_plane, out_plane, gout, idx, gin); }
extern "C" __global__ void avg_pool_f32(spk_i64 planes, spk_pool g, const float* x, float* d) { avg_pool(planes, g, x, d); }
extern "C" __global__ void avg_pool_f64(spk_i64 planes, spk_pool g, const double* x, double* d) { avg_pool(planes, g, x, d); }
extern "C" __global__ void avg_pool_bwd_f32(spk_i64 planes, spk_pool g, const float* gout, float* gin) { avg_pool_bwd(planes, g, gout, gin); }
extern "C" __global__ void avg_pool_bwd_f64(spk_i64 planes, spk_pool g, const double* gout, double* gin) { avg_pool_bwd(planes, g, gout, gin); }
extern "C" __global__ void adaptive_pool_f32(int mode, spk_i64 planes, int h, int w, int oh, int ow, const float* x, float* d, spk_i64* idx) { adaptive_pool(mode, planes, h, w, oh, ow, x, d, idx); }
extern "C" __global__ void adaptive_pool_f64(int mode, spk_i64 planes, int h, int w, int oh, int ow, const double* x, double* d, spk_i64* idx) { adaptive_pool(mode, planes, h, w, oh, ow, x, d, idx); }
extern "C" __global__ void adaptive_avg_bwd_f32(spk_i64 planes, int h, int w, int oh, int ow, const float* gout, float* gin) { adaptive_avg_bwd(planes, h, w, oh, ow, gout, gin); }
extern "C" __global__ void adaptive_avg_bwd_f64(spk_i64 planes, int h, int w, int oh, int ow, const double* gout, double* gin) { adaptive_avg_bwd(planes, h, w, oh, ow, gout, gin); }
