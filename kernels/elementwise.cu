// Elementwise kernels over strided operands: unary, binary (broadcasting = stride 0, set by the host),
// comparisons, where, fill, copy and dtype casts.
// Every operand: [n] logical elements addressed through its spk_layout; dst may be strided too.
// Op codes are the ordinals of Spike.UnaryOp / Spike.BinaryOp; the switch is uniform across a launch.
#include "common.cuh"

#define SPK_NAN __int_as_float(0x7fc00000)

// Spike.UnaryOp ordinals.
enum { U_NEG, U_ABS, U_EXP, U_LOG, U_LOG1P, U_SQRT, U_RSQRT, U_SIN, U_COS, U_TANH, U_SIGMOID, U_RELU, U_ATAN,
       U_ERF, U_ERFC, U_SIGN, U_FLOOR, U_CEIL, U_ROUND, U_RECIPROCAL, U_POW_SCALAR, U_CLAMP, U_LOGICAL_NOT };

// Spike.BinaryOp ordinals.
enum { B_ADD, B_SUB, B_MUL, B_DIV, B_POW, B_MAXIMUM, B_MINIMUM, B_EQ, B_NE, B_LT, B_LE, B_GT, B_GE,
       B_LOGICAL_AND, B_LOGICAL_OR };

__device__ __forceinline__ float spk_unary(int op, float x, float p0, float p1) {
    switch (op) {
    case U_NEG: return -x;
    case U_ABS: return fabsf(x);
    case U_EXP: return expf(x);
    case U_LOG: return logf(x);
    case U_LOG1P: return log1pf(x);
    case U_SQRT: return sqrtf(x);
    case U_RSQRT: return 1.0f / sqrtf(x);  // rsqrtf is approximate; the CPU twin rounds 1/sqrt
    case U_SIN: return sinf(x);
    case U_COS: return cosf(x);
    case U_TANH: return tanhf(x);
    case U_SIGMOID: return 1.0f / (1.0f + expf(-x));
    case U_RELU: return x > 0.0f ? x : 0.0f;
    case U_ATAN: return atanf(x);
    case U_ERF: return erff(x);
    case U_ERFC: return erfcf(x);
    case U_SIGN: return x > 0.0f ? 1.0f : x < 0.0f ? -1.0f : x;  // keeps NaN and signed zero
    case U_FLOOR: return floorf(x);
    case U_CEIL: return ceilf(x);
    case U_ROUND: return rintf(x);  // half to even, as torch.round
    case U_RECIPROCAL: return 1.0f / x;
    case U_POW_SCALAR: return p0 == 2.0f ? x * x : powf(x, p0);
    case U_CLAMP: return x < p0 ? p0 : x > p1 ? p1 : x;
    case U_LOGICAL_NOT: return x == 0.0f ? 1.0f : 0.0f;
    default: return SPK_NAN;
    }
}

__device__ __forceinline__ float spk_binary(int op, float a, float b) {
    switch (op) {
    case B_ADD: return a + b;
    case B_SUB: return a - b;
    case B_MUL: return a * b;
    case B_DIV: return a / b;
    case B_POW: return powf(a, b);
    // fmaxf/fminf drop a NaN operand; torch.maximum (and Math.Max) propagate it.
    case B_MAXIMUM: return (a != a || b != b) ? SPK_NAN : fmaxf(a, b);
    case B_MINIMUM: return (a != a || b != b) ? SPK_NAN : fminf(a, b);
    default: return SPK_NAN;
    }
}

__device__ __forceinline__ bool spk_compare(int op, float a, float b) {
    switch (op) {
    case B_EQ: return a == b;
    case B_NE: return a != b;
    case B_LT: return a < b;
    case B_LE: return a <= b;
    case B_GT: return a > b;
    case B_GE: return a >= b;
    case B_LOGICAL_AND: return a != 0.0f && b != 0.0f;
    case B_LOGICAL_OR: return a != 0.0f || b != 0.0f;
    default: return false;
    }
}

template <typename T>
__device__ void unary_impl(spk_i64 n, int op, float p0, float p1, spk_layout lx, const T* x, spk_layout ld, T* d) {
    SPK_FOR_EACH(i, n) spk_store(d, spk_offset(ld, i), spk_unary(op, spk_load(x, spk_offset(lx, i)), p0, p1));
}

template <typename T>
__device__ void binary_impl(spk_i64 n, int op, spk_layout la, const T* a, spk_layout lb, const T* b, spk_layout ld, T* d) {
    SPK_FOR_EACH(i, n)
        spk_store(d, spk_offset(ld, i), spk_binary(op, spk_load(a, spk_offset(la, i)), spk_load(b, spk_offset(lb, i))));
}

template <typename T>
__device__ void compare_impl(spk_i64 n, int op, spk_layout la, const T* a, spk_layout lb, const T* b, spk_layout ld, spk_u8* d) {
    SPK_FOR_EACH(i, n)
        d[spk_offset(ld, i)] = spk_compare(op, spk_load(a, spk_offset(la, i)), spk_load(b, spk_offset(lb, i))) ? 1 : 0;
}

// x, d: [n] through their layouts; p0, p1: pow exponent or clamp bounds.
extern "C" __global__ void unary_f32(spk_i64 n, int op, float p0, float p1, spk_layout lx, const float* x, spk_layout ld, float* d) { unary_impl(n, op, p0, p1, lx, x, ld, d); }
extern "C" __global__ void unary_f16(spk_i64 n, int op, float p0, float p1, spk_layout lx, const spk_half* x, spk_layout ld, spk_half* d) { unary_impl(n, op, p0, p1, lx, x, ld, d); }

// a, b, d: [n]; broadcasting arrives as stride 0 in la / lb.
extern "C" __global__ void binary_f32(spk_i64 n, int op, spk_layout la, const float* a, spk_layout lb, const float* b, spk_layout ld, float* d) { binary_impl(n, op, la, a, lb, b, ld, d); }
extern "C" __global__ void binary_f16(spk_i64 n, int op, spk_layout la, const spk_half* a, spk_layout lb, const spk_half* b, spk_layout ld, spk_half* d) { binary_impl(n, op, la, a, lb, b, ld, d); }

// d: [n] Bool (one byte per element).
extern "C" __global__ void compare_f32(spk_i64 n, int op, spk_layout la, const float* a, spk_layout lb, const float* b, spk_layout ld, spk_u8* d) { compare_impl(n, op, la, a, lb, b, ld, d); }
extern "C" __global__ void compare_f16(spk_i64 n, int op, spk_layout la, const spk_half* a, spk_layout lb, const spk_half* b, spk_layout ld, spk_u8* d) { compare_impl(n, op, la, a, lb, b, ld, d); }

// d = cond ? a : b; cond is Bool.
extern "C" __global__ void where_f32(spk_i64 n, spk_layout lc, const spk_u8* c, spk_layout la, const float* a, spk_layout lb, const float* b, spk_layout ld, float* d) {
    SPK_FOR_EACH(i, n) d[spk_offset(ld, i)] = c[spk_offset(lc, i)] ? a[spk_offset(la, i)] : b[spk_offset(lb, i)];
}

// ---- fill, copy, cast ------------------------------------------------------------------------------

// Float -> integer truncates toward zero, as C and PyTorch (and the CPU backend) do; integer narrowing wraps.
template <typename S, typename D> __device__ __forceinline__ D spk_convert(S v) { return (D)v; }
template <> __device__ __forceinline__ spk_half spk_convert<float, spk_half>(float v) { return spk_f2h(v); }
template <> __device__ __forceinline__ float spk_convert<spk_half, float>(spk_half v) { return spk_h2f(v); }
template <> __device__ __forceinline__ spk_u8 spk_convert<float, spk_u8>(float v) { return (spk_u8)(int)v; }

template <typename S, typename D>
__device__ void cast_impl(spk_i64 n, spk_layout ls, const S* s, spk_layout ld, D* d) {
    SPK_FOR_EACH(i, n) d[spk_offset(ld, i)] = spk_convert<S, D>(s[spk_offset(ls, i)]);
}

template <typename T>
__device__ void fill_impl(spk_i64 n, T value, spk_layout ld, T* d) {
    SPK_FOR_EACH(i, n) d[spk_offset(ld, i)] = value;
}

// d: [n] = value (the host converts the value to the storage type once, so every element gets the same bits).
extern "C" __global__ void fill_f32(spk_i64 n, float v, spk_layout ld, float* d) { fill_impl(n, v, ld, d); }
extern "C" __global__ void fill_f64(spk_i64 n, double v, spk_layout ld, double* d) { fill_impl(n, v, ld, d); }
extern "C" __global__ void fill_f16(spk_i64 n, spk_half v, spk_layout ld, spk_half* d) { fill_impl(n, v, ld, d); }
extern "C" __global__ void fill_i32(spk_i64 n, int v, spk_layout ld, int* d) { fill_impl(n, v, ld, d); }
extern "C" __global__ void fill_i64(spk_i64 n, spk_i64 v, spk_layout ld, spk_i64* d) { fill_impl(n, v, ld, d); }
extern "C" __global__ void fill_u8(spk_i64 n, spk_u8 v, spk_layout ld, spk_u8* d) { fill_impl(n, v, ld, d); }

// Same-type strided copies (contiguous device copies go through cuMemcpyDtoD instead).
extern "C" __global__ void copy_f32(spk_i64 n, spk_layout ls, const float* s, spk_layout ld, float* d) { cast_impl(n, ls, s, ld, d); }
extern "C" __global__ void copy_f64(spk_i64 n, spk_layout ls, const double* s, spk_layout ld, double* d) { cast_impl(n, ls, s, ld, d); }
extern "C" __global__ void copy_f16(spk_i64 n, spk_layout ls, const spk_half* s, spk_layout ld, spk_half* d) { cast_impl(n, ls, s, ld, d); }
extern "C" __global__ void copy_i32(spk_i64 n, spk_layout ls, const int* s, spk_layout ld, int* d) { cast_impl(n, ls, s, ld, d); }
extern "C" __global__ void copy_i64(spk_i64 n, spk_layout ls, const spk_i64* s, spk_layout ld, spk_i64* d) { cast_impl(n, ls, s, ld, d); }
extern "C" __global__ void copy_u8(spk_i64 n, spk_layout ls, const spk_u8* s, spk_layout ld, spk_u8* d) { cast_impl(n, ls, s, ld, d); }

// Casts between float32 and the other storage types.
extern "C" __global__ void cast_f32_f16(spk_i64 n, spk_layout ls, const float* s, spk_layout ld, spk_half* d) { cast_impl(n, ls, s, ld, d); }
extern "C" __global__ void cast_f16_f32(spk_i64 n, spk_layout ls, const spk_half* s, spk_layout ld, float* d) { cast_impl(n, ls, s, ld, d); }
extern "C" __global__ void cast_f32_f64(spk_i64 n, spk_layout ls, const float* s, spk_layout ld, double* d) { cast_impl(n, ls, s, ld, d); }
extern "C" __global__ void cast_f64_f32(spk_i64 n, spk_layout ls, const double* s, spk_layout ld, float* d) { cast_impl(n, ls, s, ld, d); }
extern "C" __global__ void cast_f32_i32(spk_i64 n, spk_layout ls, const float* s, spk_layout ld, int* d) { cast_impl(n, ls, s, ld, d); }
extern "C" __global__ void cast_i32_f32(spk_i64 n, spk_layout ls, const int* s, spk_layout ld, float* d) { cast_impl(n, ls, s, ld, d); }
extern "C" __global__ void cast_f32_i64(spk_i64 n, spk_layout ls, const float* s, spk_layout ld, spk_i64* d) { cast_impl(n, ls, s, ld, d); }
extern "C" __global__ void cast_i64_f32(spk_i64 n, spk_layout ls, const spk_i64* s, spk_layout ld, float* d) { cast_impl(n, ls, s, ld, d); }
extern "C" __global__ void cast_f32_u8(spk_i64 n, spk_layout ls, const float* s, spk_layout ld, spk_u8* d) { cast_impl(n, ls, s, ld, d); }
extern "C" __global__ void cast_u8_f32(spk_i64 n, spk_layout ls, const spk_u8* s, spk_layout ld, float* d) { cast_impl(n, ls, s, ld, d); }
