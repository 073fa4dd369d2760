// Fused multi-step neuron forward and backward-through-time, shared by if_neuron.cu and lif_neuron.cu.
// The including file defines the charge function and its two partial derivatives declared below.
// Compile-time variants:
//   -DSPK_SOFT_RESET=1    soft reset V = H - Vth*S   (default 0: hard reset V = H(1 - S) + Vr*S)
//   -DSPK_DETACH_RESET=1  S is detached in the reset path (its gradient flows only through the spike output)
//   -DSPK_SG_ATAN / -DSPK_SG_SIGMOID (surrogate.cuh)
// Layout: x_seq, s_seq, h_seq, v_seq, grad_*_seq: [T, N] contiguous, time outermost; v_init, v_last, grad_v_init: [N].
// One thread per neuron walks T, so consecutive threads touch consecutive addresses at every step.
#ifndef SPK_NEURON_CUH  // a guard, not #pragma once: the host tests re-include headers per variant
#define SPK_NEURON_CUH
#include "common.cuh"
#include "surrogate.cuh"

#ifndef SPK_SOFT_RESET
#define SPK_SOFT_RESET 0
#endif
#ifndef SPK_DETACH_RESET
#define SPK_DETACH_RESET 0
#endif

// Passed by value; mirrors Spike.Cuda.NeuronParams (5 floats).
struct spk_neuron_params {
    float v_threshold;
    float v_reset;    // ignored with soft reset
    float tau;        // LIF only
    float decay;      // LIF only: 1 - 1/tau rounded once from double on the host, as SpikingJelly's float scalar
    float alpha;      // surrogate sharpness
};

// Charge H = f(V, X) and its (constant) partials dH/dV and dH/dX, defined by each neuron's .cu file.
__device__ float spk_charge(float v, float x, const spk_neuron_params& p);
__device__ float spk_dh_dv(const spk_neuron_params& p);
__device__ float spk_dh_dx(const spk_neuron_params& p);

// Forward. H[t] = charge(V[t-1], X[t]); S[t] = Theta(H[t] - Vth); V[t] = reset(H[t], S[t]).
// Saves only H (4 bytes per neuron-step in fp32): S and every derivative are recomputed from it in backward.
// v_init may be null (then V[-1] = Vr for hard reset, 0 for soft); v_seq may be null.
template <typename T>
__device__ void neuron_fwd(int steps, spk_i64 n, const T* x_seq, const T* v_init, T* s_seq, T* h_seq, T* v_seq,
                           T* v_last, spk_neuron_params p) {
    SPK_FOR_EACH(i, n) {
        float v = v_init ? spk_load(v_init, i) : (SPK_SOFT_RESET ? 0.0f : p.v_reset);
        for (int t = 0; t < steps; ++t) {
            spk_i64 k = (spk_i64)t * n + i;
            float h = spk_charge(v, spk_load(x_seq, k), p);
            float s = spk_heaviside(h - p.v_threshold);
#if SPK_SOFT_RESET
            v = h - s * p.v_threshold;
#else
            v = (1.0f - s) * h + s * p.v_reset;
#endif
            spk_store(s_seq, k, s);
            spk_store(h_seq, k, h);
            if (v_seq) spk_store(v_seq, k, v);
        }
        if (v_last) spk_store(v_last, i, v);
    }
}

// Single step (inference and single-step mode): v: [N] holds V[t-1] on entry and V[t] on exit; x, s: [N];
// h (may be null) receives H[t] for a later backward. The same arithmetic as one iteration of neuron_fwd, so
// T calls give bit-identical results to one fused call.
template <typename T>
__device__ void neuron_step(spk_i64 n, const T* x, T* v, T* s, T* h, spk_neuron_params p) {
    SPK_FOR_EACH(i, n) {
        float hv = spk_charge(spk_load(v, i), spk_load(x, i), p);
        float sv = spk_heaviside(hv - p.v_threshold);
#if SPK_SOFT_RESET
        float vv = hv - sv * p.v_threshold;
#else
        float vv = (1.0f - sv) * hv + sv * p.v_reset;
#endif
        spk_store(s, i, sv);
        if (h) spk_store(h, i, hv);
        spk_store(v, i, vv);
    }
}

// Backward through time for loss L(S, V): given dL/dS[t] (grad_s_seq) and dL/dV[t] (grad_v_seq, may be null),
// walks t = T-1..0 carrying g = dL/dV[t] from the future:
//   gV = grad_v[t] + g;  gS = grad_s[t] + gV * dV/dS (dropped with detach_reset)
//   gH = gV * dV/dH + gS * sg'(H - Vth);  grad_x[t] = gH * dH/dX;  g <- gH * dH/dV
// with dV/dH = 1 - S, dV/dS = Vr - H (hard) or dV/dH = 1, dV/dS = -Vth (soft).
// grad_v_init (may be null) receives dL/dV[-1].
template <typename T>
__device__ void neuron_bwd(int steps, spk_i64 n, const T* grad_s_seq, const T* grad_v_seq, const T* h_seq,
                           T* grad_x_seq, T* grad_v_init, spk_neuron_params p) {
    const float dh_dv = spk_dh_dv(p), dh_dx = spk_dh_dx(p);
    SPK_FOR_EACH(i, n) {
        float g = 0.0f;
        for (int t = steps - 1; t >= 0; --t) {
            spk_i64 k = (spk_i64)t * n + i;
            float h = spk_load(h_seq, k);
            float s = spk_heaviside(h - p.v_threshold);
            float gv = (grad_v_seq ? spk_load(grad_v_seq, k) : 0.0f) + g;
#if SPK_SOFT_RESET
            float dv_dh = 1.0f, dv_ds = -p.v_threshold;
#else
            float dv_dh = 1.0f - s, dv_ds = p.v_reset - h;
#endif
            float gs = spk_load(grad_s_seq, k);
#if !SPK_DETACH_RESET
            gs += gv * dv_ds;
#else
            (void)dv_ds;
#endif
            float gh = gv * dv_dh + gs * spk_surrogate_grad(h - p.v_threshold, p.alpha);
            spk_store(grad_x_seq, k, gh * dh_dx);
            g = gh * dh_dv;
        }
        if (grad_v_init) spk_store(grad_v_init, i, g);
    }
}

#endif  // SPK_NEURON_CUH
