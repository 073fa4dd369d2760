// Integrate-and-fire, SpikingJelly's IFNode: H = V + X. Variants: see neuron.cuh.
#include "neuron.cuh"

__device__ float spk_charge(float v, float x, const spk_neuron_params&) { return v + x; }
__device__ float spk_dh_dv(const spk_neuron_params&) { return 1.0f; }
__device__ float spk_dh_dx(const spk_neuron_params&) { return 1.0f; }

extern "C" __global__ void if_fwd_f32(int steps, spk_i64 n, const float* x_seq, const float* v_init, float* s_seq, float* h_seq, float* v_seq, float* v_last, spk_neuron_params p) { neuron_fwd(steps, n, x_seq, v_init, s_seq, h_seq, v_seq, v_last, p); }
extern "C" __global__ void if_fwd_f16(int steps, spk_i64 n, const spk_half* x_seq, const spk_half* v_init, spk_half* s_seq, spk_half* h_seq, spk_half* v_seq, spk_half* v_last, spk_neuron_params p) { neuron_fwd(steps, n, x_seq, v_init, s_seq, h_seq, v_seq, v_last, p); }
extern "C" __global__ void if_bwd_f32(int steps, spk_i64 n, const float* grad_s_seq, const float* grad_v_seq, const float* h_seq, float* grad_x_seq, float* grad_v_init, spk_neuron_params p) { neuron_bwd(steps, n, grad_s_seq, grad_v_seq, h_seq, grad_x_seq, grad_v_init, p); }
extern "C" __global__ void if_bwd_f16(int steps, spk_i64 n, const spk_half* grad_s_seq, const spk_half* grad_v_seq, const spk_half* h_seq, spk_half* grad_x_seq, spk_half* grad_v_init, spk_neuron_params p) { neuron_bwd(steps, n, grad_s_seq, grad_v_seq, h_seq, grad_x_seq, grad_v_init, p); }
extern "C" __global__ void if_step_f32(spk_i64 n, const float* x, float* v, float* s, float* h, spk_neuron_params p) { neuron_step(n, x, v, s, h, p); }
extern "C" __global__ void if_step_f16(spk_i64 n, const spk_half* x, spk_half* v, spk_half* s, spk_half* h, spk_neuron_params p) { neuron_step(n, x, v, s, h, p); }
