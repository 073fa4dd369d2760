// Leaky integrate-and-fire, SpikingJelly's LIFNode(tau, decay_input). Variants: neuron.cuh, plus
//   -DSPK_DECAY_INPUT=1  H = V + (X - (V - Vr)) / tau          dH/dX = 1/tau
//   -DSPK_DECAY_INPUT=0  H = V - (V - Vr) / tau + X            dH/dX = 1
// and dH/dV = 1 - 1/tau either way. Soft reset uses Vr = 0 in the charge. The operation order is SpikingJelly's
// (for decay_input=0 with Vr = 0 it computes V * (1 - 1/tau) + X), so float32 results round the same way.
#include "neuron.cuh"

#ifndef SPK_DECAY_INPUT
#error "define -DSPK_DECAY_INPUT=0 or 1"
#endif

__device__ float spk_charge(float v, float x, const spk_neuron_params& p) {
    float vr = SPK_SOFT_RESET ? 0.0f : p.v_reset;
#if SPK_DECAY_INPUT
    return v + (x - (v - vr)) / p.tau;
#else
    return vr == 0.0f ? v * p.decay + x : v - (v - vr) / p.tau + x;
#endif
}
__device__ float spk_dh_dv(const spk_neuron_params& p) { return p.decay; }
__device__ float spk_dh_dx(const spk_neuron_params& p) { return SPK_DECAY_INPUT ? 1.0f / p.tau : 1.0f; }

extern "C" __global__ void lif_fwd_f32(int steps, spk_i64 n, const float* x_seq, const float* v_init, float* s_seq, float* h_seq, float* v_seq, float* v_last, spk_neuron_params p) { neuron_fwd(steps, n, x_seq, v_init, s_seq, h_seq, v_seq, v_last, p); }
extern "C" __global__ void lif_fwd_f16(int steps, spk_i64 n, const spk_half* x_seq, const spk_half* v_init, spk_half* s_seq, spk_half* h_seq, spk_half* v_seq, spk_half* v_last, spk_neuron_params p) { neuron_fwd(steps, n, x_seq, v_init, s_seq, h_seq, v_seq, v_last, p); }
extern "C" __global__ void lif_bwd_f32(int steps, spk_i64 n, const float* grad_s_seq, const float* grad_v_seq, const float* h_seq, float* grad_x_seq, float* grad_v_init, spk_neuron_params p) { neuron_bwd(steps, n, grad_s_seq, grad_v_seq, h_seq, grad_x_seq, grad_v_init, p); }
extern "C" __global__ void lif_bwd_f16(int steps, spk_i64 n, const spk_half* grad_s_seq, const spk_half* grad_v_seq, const spk_half* h_seq, spk_half* grad_x_seq, spk_half* grad_v_init, spk_neuron_params p) { neuron_bwd(steps, n, grad_s_seq, grad_v_seq, h_seq, grad_x_seq, grad_v_init, p); }
extern "C" __global__ void lif_step_f32(spk_i64 n, const float* x, float* v, float* s, float* h, spk_neuron_params p) { neuron_step(n, x, v, s, h, p); }
extern "C" __global__ void lif_step_f16(spk_i64 n, const spk_half* x, spk_half* v, spk_half* s, spk_half* h, spk_neuron_params p) { neuron_step(n, x, v, s, h, p); }
