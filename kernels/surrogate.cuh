// Surrogate gradients g'(x) of the spiking neurons' backward, one chosen per compilation (x = H - Vth; alpha and
// beta are the surrogate's parameters, passed at run time). Forward is always the Heaviside step, Theta(0) = 1.
//   -DSPK_SG_SIGMOID                 alpha sig(alpha x) (1 - sig(alpha x))
//   -DSPK_SG_ATAN                    (alpha / 2) / (1 + (pi/2 alpha x)^2)
//   -DSPK_SG_ERF                     alpha / sqrt(pi) exp(-(alpha x)^2)
//   -DSPK_SG_SOFTSIGN                1 / (2 alpha (1/alpha + |x|)^2)
//   -DSPK_SG_PIECEWISE_QUADRATIC     |x| > 1/alpha ? 0 : alpha - alpha^2 |x|
//   -DSPK_SG_PIECEWISE_EXP           alpha / 2 exp(-alpha |x|)
//   -DSPK_SG_NONZERO_SIGN_LOG_ABS    1 / (1/alpha + |x|)
//   -DSPK_SG_PIECEWISE_LEAKY_RELU    |x| < w ? 1/w : c                        (alpha = w, beta = c)
//   -DSPK_SG_SQUAREWAVE_FOURIER      4/T sum_{i=1}^{n-1} cos((2i - 1) 2pi/T x) (alpha = n, beta = T)
//   -DSPK_SG_S2NN                    x < 0 ? alpha sig(alpha x)(1 - sig(alpha x)) : beta / (x + 1)
//   -DSPK_SG_Q_PSEUDO_SPIKE          (1 + 2/(alpha - 1) |x|)^(-alpha)
//   -DSPK_SG_EXPR=<expression>       a user-defined derivative: a C expression in float x, alpha and beta
#ifndef SPK_SURROGATE_CUH  // a guard, not #pragma once: the host tests re-include headers per variant
#define SPK_SURROGATE_CUH

#if defined(SPK_SG_SIGMOID) + defined(SPK_SG_ATAN) + defined(SPK_SG_ERF) + defined(SPK_SG_SOFTSIGN) + \
    defined(SPK_SG_PIECEWISE_QUADRATIC) + defined(SPK_SG_PIECEWISE_EXP) + defined(SPK_SG_NONZERO_SIGN_LOG_ABS) + \
    defined(SPK_SG_PIECEWISE_LEAKY_RELU) + defined(SPK_SG_SQUAREWAVE_FOURIER) + defined(SPK_SG_S2NN) + \
    defined(SPK_SG_Q_PSEUDO_SPIKE) + defined(SPK_SG_EXPR) != 1
#error "define exactly one surrogate: -DSPK_SG_<NAME> (see surrogate.cuh) or -DSPK_SG_EXPR=<derivative in x, alpha, beta>"
#endif

__device__ __forceinline__ float spk_heaviside(float x) { return x >= 0.0f ? 1.0f : 0.0f; }

__device__ __forceinline__ float spk_sigmoid_grad(float x, float alpha) {
    float s = 1.0f / (1.0f + expf(-alpha * x));
    return alpha * s * (1.0f - s);
}

__device__ __forceinline__ float spk_surrogate_grad(float x, float alpha, float beta) {
    (void)beta;
#if defined(SPK_SG_SIGMOID)
    return spk_sigmoid_grad(x, alpha);
#elif defined(SPK_SG_ATAN)
    float u = 1.57079632679489662f * alpha * x;
    return alpha * 0.5f / (1.0f + u * u);
#elif defined(SPK_SG_ERF)
    return expf(-(alpha * x) * (alpha * x)) * (alpha * 0.564189583547756287f);
#elif defined(SPK_SG_SOFTSIGN)
    float d = 1.0f / alpha + fabsf(x);
    return 1.0f / (2.0f * alpha * d * d);
#elif defined(SPK_SG_PIECEWISE_QUADRATIC)
    return fabsf(x) > 1.0f / alpha ? 0.0f : alpha - alpha * alpha * fabsf(x);
#elif defined(SPK_SG_PIECEWISE_EXP)
    return alpha * 0.5f * expf(-alpha * fabsf(x));
#elif defined(SPK_SG_NONZERO_SIGN_LOG_ABS)
    return 1.0f / (1.0f / alpha + fabsf(x));
#elif defined(SPK_SG_PIECEWISE_LEAKY_RELU)
    return fabsf(x) < alpha ? 1.0f / alpha : beta;
#elif defined(SPK_SG_SQUAREWAVE_FOURIER)
    float w = 6.28318530717958648f / beta, sum = 0.0f;
    for (int i = 1; i < (int)alpha; ++i) sum += cosf((2 * i - 1) * w * x);
    return sum * (4.0f / beta);
#elif defined(SPK_SG_S2NN)
    return x < 0.0f ? spk_sigmoid_grad(x, alpha) : beta / (x + 1.0f);
#elif defined(SPK_SG_Q_PSEUDO_SPIKE)
    return powf(1.0f + 2.0f / (alpha - 1.0f) * fabsf(x), -alpha);
#else
    return (float)(SPK_SG_EXPR);
#endif
}

#endif  // SPK_SURROGATE_CUH
