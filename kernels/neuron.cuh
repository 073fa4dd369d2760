// Fused multi-step neurons: forward over T and backward through time, one thread per neuron walking T.
// Tensors are [T, N] contiguous, time outermost, so every step's loads are coalesced; per-neuron vectors are [N].
//   charge  H[t] = f(V[t-1], X[t])      (each model below)
//   fire    S[t] = Theta(H[t] - Vth)     (Vth per neuron when vth is given)
//   reset   hard: V[t] = S ? Vr : H;  soft: V[t] = H - Vth S
// Forward saves only H (4 bytes per neuron-step in fp32, 2 in fp16): S, V[t-1] and every derivative are recomputed
// from it. Binary16 storage comes one neuron per thread (spk_half) or two (spk_half2, 32-bit loads); math is float.
// Backward, t = T-1 .. 0, with g = dL/dV[t] arriving from step t+1 (dL/dV_last at t = T-1):
//   gV = g + dL/dV_seq[t];  gS = dL/dS[t] + gV dV/dS  (dropped with detach_reset)
//   gH = gV dV/dH + gS sg'(H - Vth);  dL/dX[t] = gH dH/dX;  g <- gH dH/dV(V[t-1])
//   hard: dV/dH = 1 - S, dV/dS = Vr - H;  soft: dV/dH = 1, dV/dS = -Vth
// Reset mode, detach_reset and decay_input are run-time flags (uniform branches); the surrogate is a -D choice.
#ifndef SPK_NEURON_CUH  // a guard, not #pragma once: the host tests re-include headers per variant
#define SPK_NEURON_CUH
#include "common.cuh"
#include "surrogate.cuh"

// Passed by value; mirrors Spike.Cuda.NeuronParams.
struct spk_neuron_params {
    float v_threshold;  // when no per-neuron vth is given
    float v_reset;      // hard reset; soft reset charges with 0 in its place
    float tau;          // LIF, QIF, EIF, Izhikevich
    float decay;        // LIF: 1 - 1/tau rounded once from double, the float32 factor SpikingJelly multiplies by
    float alpha, beta;  // surrogate parameters
    float a0, v_rest, v_c;           // QIF, Izhikevich
    float delta_t, theta_rh;         // EIF
    float tau_w, a, b;               // Izhikevich adaptation
    int soft_reset, detach_reset, decay_input, pad_;
};

__device__ __forceinline__ float spk_fire_reset(float h, float th, const spk_neuron_params& p) {
    return h >= th ? (p.soft_reset ? h - th : p.v_reset) : h;
}

// dL/dH of one step from gv = dL/dV[t] and gs = dL/dS[t]: the reset path adds gv dV/dS (and extra_s, Izhikevich's
// gW b) to gs unless detached; extra_h enters dL/dH directly (Izhikevich's gW a / tau_w).
__device__ __forceinline__ float spk_grad_h(float h, float th, float gv, float gs, float extra_s, float extra_h, const spk_neuron_params& p) {
    float s = spk_heaviside(h - th);
    float dv_dh = p.soft_reset ? 1.0f : 1.0f - s;
    float dv_ds = p.soft_reset ? -th : p.v_reset - h;
    if (!p.detach_reset) gs += gv * dv_ds + extra_s;
    return gv * dv_dh + gs * spk_surrogate_grad(h - th, p.alpha, p.beta) + extra_h;
}

// The reset value charged against: Vr, or 0 with soft reset.
__device__ __forceinline__ float spk_vr(const spk_neuron_params& p) { return p.soft_reset ? 0.0f : p.v_reset; }

// Each model: H = charge(v, x); and from gH: dL/dX, dL/dV[t-1] and dL/dk (the learnable decay of PLIF; 0 elsewhere).
// The operation order follows SpikingJelly (and the CPU kernels), so float32 results round alike.
struct spk_if {
    static const bool has_param = false;
    __device__ static float charge(float v, float x, const spk_neuron_params&, float) { return v + x; }
    __device__ static float gx(float gh, const spk_neuron_params&, float) { return gh; }
    __device__ static float gv(float gh, float, const spk_neuron_params&, float) { return gh; }
    __device__ static float gk(float, float, float, const spk_neuron_params&, float) { return 0.0f; }
};

// LIF: decay_input: H = V + (X - (V - Vr)) / tau, else H = V - (V - Vr) / tau + X (V (1 - 1/tau) + X when Vr = 0).
struct spk_lif {
    static const bool has_param = false;
    __device__ static float charge(float v, float x, const spk_neuron_params& p, float) {
        float vr = spk_vr(p);
        if (p.decay_input) return v + (x - (v - vr)) / p.tau;
        return vr == 0.0f ? v * p.decay + x : v - (v - vr) / p.tau + x;
    }
    __device__ static float gx(float gh, const spk_neuron_params& p, float) { return p.decay_input ? gh * (1.0f / p.tau) : gh; }
    __device__ static float gv(float gh, float, const spk_neuron_params& p, float) { return gh * p.decay; }
    __device__ static float gk(float, float, float, const spk_neuron_params&, float) { return 0.0f; }
};

// Parametric LIF with k = sigmoid(w) read from device memory: decay_input: H = V + (X - (V - Vr)) k, else
// H = V - (V - Vr) k + X. dH/dk = (H - V) / k (= X - (V - Vr), without X) or -(V - Vr).
struct spk_plif {
    static const bool has_param = true;
    __device__ static float charge(float v, float x, const spk_neuron_params& p, float k) {
        float vr = spk_vr(p);
        if (p.decay_input) return v + (x - (v - vr)) * k;
        return vr == 0.0f ? v * (1.0f - k) + x : v - (v - vr) * k + x;
    }
    __device__ static float gx(float gh, const spk_neuron_params& p, float k) { return p.decay_input ? gh * k : gh; }
    __device__ static float gv(float gh, float, const spk_neuron_params&, float k) { return gh * (1.0f - k); }
    __device__ static float gk(float gh, float v, float h, const spk_neuron_params& p, float k) {
        return p.decay_input ? gh * ((h - v) / k) : -gh * (v - spk_vr(p));
    }
};

// QIF: H = V + (X + a0 (V - V_rest)(V - V_c)) / tau.
struct spk_qif {
    static const bool has_param = false;
    __device__ static float charge(float v, float x, const spk_neuron_params& p, float) { return v + (x + p.a0 * (v - p.v_rest) * (v - p.v_c)) / p.tau; }
    __device__ static float gx(float gh, const spk_neuron_params& p, float) { return gh / p.tau; }
    __device__ static float gv(float gh, float v, const spk_neuron_params& p, float) { return gh * (1.0f + p.a0 * (2.0f * v - p.v_rest - p.v_c) / p.tau); }
    __device__ static float gk(float, float, float, const spk_neuron_params&, float) { return 0.0f; }
};

// EIF: H = V + (X + V_rest - V + dT exp((V - theta_rh) / dT)) / tau.
struct spk_eif {
    static const bool has_param = false;
    __device__ static float charge(float v, float x, const spk_neuron_params& p, float) {
        return v + (x + p.v_rest - v + p.delta_t * expf((v - p.theta_rh) / p.delta_t)) / p.tau;
    }
    __device__ static float gx(float gh, const spk_neuron_params& p, float) { return gh / p.tau; }
    __device__ static float gv(float gh, float v, const spk_neuron_params& p, float) { return gh * (1.0f + (expf((v - p.theta_rh) / p.delta_t) - 1.0f) / p.tau); }
    __device__ static float gk(float, float, float, const spk_neuron_params&, float) { return 0.0f; }
};

// s_seq, h_seq, v_seq (may be null), v_last: outputs. x_seq, v_init: inputs. k: the PLIF decay (may be null).
// Each thread walks L = spk_lanes<T>::n neighbouring neurons (two for spk_half2: n must then be even and the data
// 4-byte aligned, which the host checks); [T, N] data is addressed in units of L elements, U = N / L per step.
template <typename M, typename T>
__device__ void neuron_fwd(int steps, spk_i64 n, const T* x_seq, const T* v_init, const float* vth, const float* k,
                           T* s_seq, T* h_seq, T* v_seq, T* v_last, spk_neuron_params p) {
    const int L = spk_lanes<T>::n;
    spk_i64 units = n / L;
    float kv = k ? *k : 0.0f;
    SPK_FOR_EACH(u, units) {
        float th[L], v[L], x[L], h[L], s[L];
        for (int l = 0; l < L; ++l) th[l] = vth ? vth[u * L + l] : p.v_threshold;
        spk_load_lanes(v_init, u, v);
        for (int t = 0; t < steps; ++t) {
            spk_i64 e = (spk_i64)t * units + u;
            spk_load_lanes(x_seq, e, x);
            for (int l = 0; l < L; ++l) {
                h[l] = M::charge(v[l], x[l], p, kv);
                v[l] = spk_fire_reset(h[l], th[l], p);
                s[l] = spk_heaviside(h[l] - th[l]);
            }
            spk_store_lanes(s_seq, e, s);
            spk_store_lanes(h_seq, e, h);
            if (v_seq) spk_store_lanes(v_seq, e, v);
        }
        spk_store_lanes(v_last, u, v);
    }
}

// One step in place: v holds V[t-1] on entry and V[t] on exit; h (may be null) receives H[t]. The arithmetic of one
// iteration of neuron_fwd, so T steps reproduce one fused call bit for bit.
template <typename M, typename T>
__device__ void neuron_step(spk_i64 n, const T* x, T* v, const float* vth, const float* k, T* s, T* h, spk_neuron_params p) {
    float kv = k ? *k : 0.0f;
    SPK_FOR_EACH(i, n) {
        float th = vth ? vth[i] : p.v_threshold;
        float hv = M::charge(spk_load(v, i), spk_load(x, i), p, kv);
        spk_store(s, i, spk_heaviside(hv - th));
        if (h) spk_store(h, i, hv);
        spk_store(v, i, spk_fire_reset(hv, th, p));
    }
}

// grad_v_seq, grad_v_last, grad_v_init may be null. PLIF: each block writes its sum of dL/dk to k_partial[blockIdx.x]
// (threads without a neuron add 0, every thread reaches the block sum, so any N and grid are exact); the host adds the
// per-block partials. Lanes as in neuron_fwd.
template <typename M, typename T>
__device__ void neuron_bwd(int steps, spk_i64 n, const T* grad_s_seq, const T* grad_v_seq, const T* grad_v_last, const T* h_seq,
                           const T* v_init, const float* vth, const float* k, T* grad_x_seq, T* grad_v_init, double* k_partial,
                           spk_neuron_params p) {
    const int L = spk_lanes<T>::n;
    spk_i64 units = n / L;
    float kv = k ? *k : 0.0f;
    double gk = 0.0;
    SPK_FOR_EACH(u, units) {
        float th[L], g[L], h[L], gvs[L], gs[L], prev[L], gx[L];
        for (int l = 0; l < L; ++l) {
            th[l] = vth ? vth[u * L + l] : p.v_threshold;
            g[l] = 0.0f;
        }
        if (grad_v_last) spk_load_lanes(grad_v_last, u, g);
        for (int t = steps - 1; t >= 0; --t) {
            spk_i64 e = (spk_i64)t * units + u;
            spk_load_lanes(h_seq, e, h);
            spk_load_lanes(grad_s_seq, e, gs);
            if (grad_v_seq) spk_load_lanes(grad_v_seq, e, gvs);
            if (t > 0) spk_load_lanes(h_seq, e - units, prev);  // H[t-1], reset below into V[t-1]
            else spk_load_lanes(v_init, u, prev);
            for (int l = 0; l < L; ++l) {
                float gv = g[l] + (grad_v_seq ? gvs[l] : 0.0f);
                float gh = spk_grad_h(h[l], th[l], gv, gs[l], 0.0f, 0.0f, p);
                float vprev = t > 0 ? spk_fire_reset(prev[l], th[l], p) : prev[l];
                gx[l] = M::gx(gh, p, kv);
                if (M::has_param) gk += (double)M::gk(gh, vprev, h[l], p, kv);
                g[l] = M::gv(gh, vprev, p, kv);
            }
            spk_store_lanes(grad_x_seq, e, gx);
        }
        if (grad_v_init) spk_store_lanes(grad_v_init, u, g);
    }
    if (M::has_param) {
        double total = spk_block_sum(gk);
        if (threadIdx.x == 0 && k_partial) k_partial[blockIdx.x] = total;
    }
}

// ---- Izhikevich: two states, V and the adaptation W ----------------------------------------------------------------
//   H = V + (X + a0 (V - V_rest)(V - V_c) - W) / tau;  W' = W + (a (H - V_rest) - W) / tau_w
//   S = Theta(H - Vth);  V = reset(H, S);  W = W' + b S  (S detached here too with detach_reset)
// Backward needs no W values (its partials are constants), so H alone is saved here as well:
//   gS = dL/dS + (gV dV/dS + gW b, unless detached);  gH = gV dV/dH + gS sg' + gW a / tau_w
//   dL/dX = gH / tau;  gV <- gH (1 + a0 (2 V[t-1] - V_rest - V_c) / tau);  gW <- gW (1 - 1/tau_w) - gH / tau

__device__ __forceinline__ float spk_izh_charge(float v, float w, float x, const spk_neuron_params& p) {
    return v + (x + (v - p.v_rest) * p.a0 * (v - p.v_c) - w) / p.tau;
}

template <typename T>
__device__ void izh_fwd(int steps, spk_i64 n, const T* x_seq, const T* v_init, const T* w_init, const float* vth,
                        T* s_seq, T* h_seq, T* v_seq, T* v_last, T* w_last, spk_neuron_params p) {
    const int L = spk_lanes<T>::n;  // lanes as in neuron_fwd
    spk_i64 units = n / L;
    SPK_FOR_EACH(u, units) {
        float th[L], v[L], w[L], x[L], h[L], s[L];
        for (int l = 0; l < L; ++l) th[l] = vth ? vth[u * L + l] : p.v_threshold;
        spk_load_lanes(v_init, u, v);
        spk_load_lanes(w_init, u, w);
        for (int t = 0; t < steps; ++t) {
            spk_i64 e = (spk_i64)t * units + u;
            spk_load_lanes(x_seq, e, x);
            for (int l = 0; l < L; ++l) {
                h[l] = spk_izh_charge(v[l], w[l], x[l], p);
                s[l] = spk_heaviside(h[l] - th[l]);
                w[l] = w[l] + (p.a * (h[l] - p.v_rest) - w[l]) / p.tau_w + s[l] * p.b;
                v[l] = spk_fire_reset(h[l], th[l], p);
            }
            spk_store_lanes(s_seq, e, s);
            spk_store_lanes(h_seq, e, h);
            if (v_seq) spk_store_lanes(v_seq, e, v);
        }
        spk_store_lanes(v_last, u, v);
        spk_store_lanes(w_last, u, w);
    }
}

template <typename T>
__device__ void izh_step(spk_i64 n, const T* x, T* v, T* w, const float* vth, T* s, T* h, spk_neuron_params p) {
    SPK_FOR_EACH(i, n) {
        float th = vth ? vth[i] : p.v_threshold;
        float wv = spk_load(w, i);
        float hv = spk_izh_charge(spk_load(v, i), wv, spk_load(x, i), p);
        float sv = spk_heaviside(hv - th);
        spk_store(s, i, sv);
        if (h) spk_store(h, i, hv);
        spk_store(v, i, spk_fire_reset(hv, th, p));
        spk_store(w, i, wv + (p.a * (hv - p.v_rest) - wv) / p.tau_w + sv * p.b);
    }
}

template <typename T>
__device__ void izh_bwd(int steps, spk_i64 n, const T* grad_s_seq, const T* grad_v_seq, const T* grad_v_last, const T* grad_w_last,
                        const T* h_seq, const T* v_init, const float* vth, T* grad_x_seq, T* grad_v_init, T* grad_w_init,
                        spk_neuron_params p) {
    const int L = spk_lanes<T>::n;  // lanes as in neuron_fwd
    spk_i64 units = n / L;
    SPK_FOR_EACH(u, units) {
        float th[L], g[L], gw[L], h[L], gvs[L], gs[L], prev[L], gx[L];
        for (int l = 0; l < L; ++l) {
            th[l] = vth ? vth[u * L + l] : p.v_threshold;
            g[l] = 0.0f;
            gw[l] = 0.0f;
        }
        if (grad_v_last) spk_load_lanes(grad_v_last, u, g);
        if (grad_w_last) spk_load_lanes(grad_w_last, u, gw);
        for (int t = steps - 1; t >= 0; --t) {
            spk_i64 e = (spk_i64)t * units + u;
            spk_load_lanes(h_seq, e, h);
            spk_load_lanes(grad_s_seq, e, gs);
            if (grad_v_seq) spk_load_lanes(grad_v_seq, e, gvs);
            if (t > 0) spk_load_lanes(h_seq, e - units, prev);
            else spk_load_lanes(v_init, u, prev);
            for (int l = 0; l < L; ++l) {
                float gv = g[l] + (grad_v_seq ? gvs[l] : 0.0f);
                float gh = spk_grad_h(h[l], th[l], gv, gs[l], gw[l] * p.b, gw[l] * (p.a / p.tau_w), p);
                float vprev = t > 0 ? spk_fire_reset(prev[l], th[l], p) : prev[l];
                gx[l] = gh / p.tau;
                g[l] = gh * (1.0f + p.a0 * (2.0f * vprev - p.v_rest - p.v_c) / p.tau);
                gw[l] = gw[l] * (1.0f - 1.0f / p.tau_w) - gh / p.tau;
            }
            spk_store_lanes(grad_x_seq, e, gx);
        }
        if (grad_v_init) spk_store_lanes(grad_v_init, u, g);
        if (grad_w_init) spk_store_lanes(grad_w_init, u, gw);
    }
}

#endif  // SPK_NEURON_CUH
