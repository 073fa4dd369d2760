// Surrogate gradients g'(x) used by the fused neuron backward, chosen at compile time:
//   -DSPK_SG_ATAN     ATan(alpha):    g'(x) = alpha/2 / (1 + (pi/2 * alpha * x)^2)
//   -DSPK_SG_SIGMOID  Sigmoid(alpha): g'(x) = alpha * sig(alpha x) * (1 - sig(alpha x))
// Forward is always the Heaviside step with Theta(0) = 1.
#ifndef SPK_SURROGATE_CUH  // a guard, not #pragma once: the host tests re-include headers per variant
#define SPK_SURROGATE_CUH

#if defined(SPK_SG_ATAN) + defined(SPK_SG_SIGMOID) != 1
#error "define exactly one surrogate: -DSPK_SG_ATAN or -DSPK_SG_SIGMOID"
#endif

__device__ __forceinline__ float spk_heaviside(float x) { return x >= 0.0f ? 1.0f : 0.0f; }

#if defined(SPK_SG_ATAN)
__device__ __forceinline__ float spk_surrogate_grad(float x, float alpha) {
    float u = 1.57079632679489662f * alpha * x;
    return alpha * 0.5f / (1.0f + u * u);
}
#else
__device__ __forceinline__ float spk_surrogate_grad(float x, float alpha) {
    float s = 1.0f / (1.0f + expf(-alpha * x));
    return alpha * s * (1.0f - s);
}
#endif

#endif  // SPK_SURROGATE_CUH
