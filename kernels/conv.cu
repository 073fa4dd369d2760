// im2col / col2im for convolution as GEMM.
//   col[n, (c*KH + i)*KW + j, oh*OW + ow] = x[n, c, oh*SH - PH + i*DH, ow*SW - PW + j*DW]   (0 outside the image)
// x / dx: [N, C, H, W] through a rank-4 layout (any strides); col: [N, C*KH*KW, OH*OW], each sample's matrix
// contiguous, samples col_batch elements apart.
#include "common.cuh"

struct spk_conv {  // mirrors Spike.Cuda.ConvParams
    int c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow;
};

// One thread per col element.
template <typename T>
__device__ void im2col(spk_i64 n, spk_conv g, spk_layout lx, const T* x, spk_i64 col_batch, T* col) {
    spk_i64 plane = (spk_i64)g.oh * g.ow, rows = (spk_i64)g.c * g.kh * g.kw;
    SPK_FOR_EACH(e, n * rows * plane) {
        spk_i64 b = e / (rows * plane), r = e / plane % rows, p = e % plane;
        int c = (int)(r / (g.kh * g.kw)), i = (int)(r / g.kw % g.kh), j = (int)(r % g.kw);
        int h = (int)(p / g.ow) * g.sh - g.ph + i * g.dh, w = (int)(p % g.ow) * g.sw - g.pw + j * g.dw;
        T v = (T)0;
        if (h >= 0 && h < g.h && w >= 0 && w < g.w)
            v = x[lx.offset + b * lx.stride[0] + c * lx.stride[1] + h * lx.stride[2] + w * lx.stride[3]];
        col[b * col_batch + r * plane + p] = v;
    }
}

// The adjoint, one thread per image pixel: dx[n, c, h, w] += the col entries that read it, added in (i, j) order
// like the CPU's scatter, so the sum is the same. Kernel tap (i, j) reads pixel h when h + PH - i*DH is a
// non-negative multiple of SH below OH*SH.
template <typename T>
__device__ void col2im(spk_i64 n, spk_conv g, spk_i64 col_batch, const T* col, spk_layout lx, T* dx) {
    spk_i64 plane = (spk_i64)g.oh * g.ow, pixels = (spk_i64)g.h * g.w;
    SPK_FOR_EACH(e, n * g.c * pixels) {
        spk_i64 b = e / (g.c * pixels);
        int c = (int)(e / pixels % g.c), h = (int)(e % pixels / g.w), w = (int)(e % g.w);
        T* px = dx + lx.offset + b * lx.stride[0] + c * lx.stride[1] + h * lx.stride[2] + w * lx.stride[3];
        const T* cb = col + b * col_batch + (spk_i64)c * g.kh * g.kw * plane;
        T acc = *px;
        for (int i = 0; i < g.kh; ++i) {
            int hh = h + g.ph - i * g.dh;
            if (hh < 0 || hh % g.sh != 0 || hh / g.sh >= g.oh) continue;
            for (int j = 0; j < g.kw; ++j) {
                int ww = w + g.pw - j * g.dw;
                if (ww < 0 || ww % g.sw != 0 || ww / g.sw >= g.ow) continue;
                acc += cb[(spk_i64)(i * g.kw + j) * plane + (hh / g.sh) * g.ow + ww / g.sw];
            }
        }
        *px = acc;
    }
}

extern "C" __global__ void im2col_f32(spk_i64 n, spk_conv g, spk_layout lx, const float* x, spk_i64 col_batch, float* col) { im2col(n, g, lx, x, col_batch, col); }
extern "C" __global__ void im2col_f64(spk_i64 n, spk_conv g, spk_layout lx, const double* x, spk_i64 col_batch, double* col) { im2col(n, g, lx, x, col_batch, col); }
extern "C" __global__ void col2im_f32(spk_i64 n, spk_conv g, spk_i64 col_batch, const float* col, spk_layout lx, float* dx) { col2im(n, g, col_batch, col, lx, dx); }
extern "C" __global__ void col2im_f64(spk_i64 n, spk_conv g, spk_i64 col_batch, const double* col, spk_layout lx, double* dx) { col2im(n, g, col_batch, col, lx, dx); }
