// Elementwise kernels over strided operands: unary, binary (broadcasting = stride 0, set by the host),
// comparisons and logic (to Bool), where. Every operand: [n] logical elements addressed through its spk_layout.
// Op codes are the ordinals of Spike.UnaryOp / Spike.BinaryOp; the switch is uniform across a launch.
// Real types compute in their own precision (f64 in double); integer arithmetic wraps, as in .NET and PyTorch.
// Bool is one byte (0 or 1) and uses the u8 kernels for where and the logic ops.
#include "common.cuh"

// Spike.UnaryOp ordinals.
enum { U_NEG, U_ABS, U_EXP, U_LOG, U_LOG1P, U_SQRT, U_RSQRT, U_SIN, U_COS, U_TANH, U_SIGMOID, U_RELU, U_ATAN,
       U_ERF, U_ERFC, U_SIGN, U_FLOOR, U_CEIL, U_ROUND, U_RECIPROCAL, U_POW_SCALAR, U_CLAMP, U_LOGICAL_NOT };

// Spike.BinaryOp ordinals.
enum { B_ADD, B_SUB, B_MUL, B_DIV, B_POW, B_MAXIMUM, B_MINIMUM, B_EQ, B_NE, B_LT, B_LE, B_GT, B_GE,
       B_LOGICAL_AND, B_LOGICAL_OR };

template <typename T>
__device__ __forceinline__ T spk_unary_real(int op, T x, T p0, T p1) {
    switch (op) {
    case U_NEG: return -x;
    case U_ABS: return spk_fabs(x);
    case U_EXP: return spk_exp(x);
    case U_LOG: return spk_log(x);
    case U_LOG1P: return spk_log1p(x);
    case U_SQRT: return spk_sqrt(x);
    case U_RSQRT: return (T)1 / spk_sqrt(x);  // rsqrt is approximate; the CPU twin rounds 1/sqrt
    case U_SIN: return spk_sin(x);
    case U_COS: return spk_cos(x);
    case U_TANH: return spk_tanh(x);
    case U_SIGMOID: return (T)1 / ((T)1 + spk_exp(-x));
    case U_RELU: return spk_isnan(x) ? x : x > (T)0 ? x : (T)0;  // NaN propagates, as TensorPrimitives.Max(x, 0)
    case U_ATAN: return spk_atan(x);
    case U_ERF: return spk_erf(x);
    case U_ERFC: return spk_erfc(x);
    case U_SIGN: return x > (T)0 ? (T)1 : x < (T)0 ? (T)-1 : x;  // keeps NaN and signed zero
    case U_FLOOR: return spk_floor(x);
    case U_CEIL: return spk_ceil(x);
    case U_ROUND: return spk_rint(x);  // half to even, as torch.round
    case U_RECIPROCAL: return (T)1 / x;
    case U_POW_SCALAR: return p0 == (T)2 ? x * x : spk_pow(x, p0);
    case U_CLAMP: { T y = x < p0 ? p0 : x; return y > p1 ? p1 : y; }  // min(max(x, lo), hi): hi wins when lo > hi, as torch
    case U_LOGICAL_NOT: return x == (T)0 ? (T)1 : (T)0;
    default: return (T)SPK_NAN;
    }
}

// The ops defined on integers (floor/ceil/round of an integer is the value itself). Negation wraps.
template <typename T>
__device__ __forceinline__ T spk_unary_int(int op, T x, T p0, T p1) {
    switch (op) {
    case U_NEG: return (T)(0 - x);
    case U_ABS: return x < (T)0 ? (T)(0 - x) : x;
    case U_RELU: return x > (T)0 ? x : (T)0;
    case U_SIGN: return x > (T)0 ? (T)1 : x < (T)0 ? (T)-1 : (T)0;
    case U_CLAMP: { T y = x < p0 ? p0 : x; return y > p1 ? p1 : y; }  // min(max(x, lo), hi): hi wins when lo > hi, as torch
    case U_LOGICAL_NOT: return x == (T)0 ? (T)1 : (T)0;
    default: return x;  // U_FLOOR, U_CEIL, U_ROUND
    }
}

// Two's-complement wrap-around without signed overflow (undefined in C++): arithmetic in the unsigned twin.
template <typename T> struct spk_unsigned { typedef T type; };
template <> struct spk_unsigned<int> { typedef unsigned type; };
template <> struct spk_unsigned<spk_i64> { typedef spk_u64 type; };

template <typename T>
__device__ __forceinline__ T spk_binary(int op, T a, T b) {
    typedef typename spk_unsigned<T>::type U;
    switch (op) {
    case B_ADD: return (T)((U)a + (U)b);
    case B_SUB: return (T)((U)a - (U)b);
    case B_MUL: return (T)((U)a * (U)b);
    case B_MAXIMUM: return spk_max(a, b);
    case B_MINIMUM: return spk_min(a, b);
    default: return (T)0;  // div and pow: the host promotes integers to a real type first
    }
}
// Real types: no unsigned detour, and pow in the type's own precision.
template <> __device__ __forceinline__ float spk_binary<float>(int op, float a, float b) {
    switch (op) {
    case B_ADD: return a + b;
    case B_SUB: return a - b;
    case B_MUL: return a * b;
    case B_DIV: return a / b;
    case B_POW: return powf(a, b);
    case B_MAXIMUM: return spk_max(a, b);
    case B_MINIMUM: return spk_min(a, b);
    default: return SPK_NAN;
    }
}
template <> __device__ __forceinline__ double spk_binary<double>(int op, double a, double b) {
    switch (op) {
    case B_ADD: return a + b;
    case B_SUB: return a - b;
    case B_MUL: return a * b;
    case B_DIV: return a / b;
    case B_POW: return pow(a, b);
    case B_MAXIMUM: return spk_max(a, b);
    case B_MINIMUM: return spk_min(a, b);
    default: return (double)SPK_NAN;
    }
}

template <typename T>
__device__ __forceinline__ bool spk_compare(int op, T a, T b) {
    switch (op) {
    case B_EQ: return a == b;
    case B_NE: return a != b;
    case B_LT: return a < b;
    case B_LE: return a <= b;
    case B_GT: return a > b;
    case B_GE: return a >= b;
    case B_LOGICAL_AND: return a != (T)0 && b != (T)0;
    case B_LOGICAL_OR: return a != (T)0 || b != (T)0;
    default: return false;
    }
}

template <typename T>
__device__ void unary_real(spk_i64 n, int op, T p0, T p1, spk_layout lx, const T* x, spk_layout ld, T* d) {
    SPK_FOR_EACH(i, n) d[spk_offset(ld, i)] = spk_unary_real(op, x[spk_offset(lx, i)], p0, p1);
}

template <typename T>
__device__ void unary_int(spk_i64 n, int op, T p0, T p1, spk_layout lx, const T* x, spk_layout ld, T* d) {
    SPK_FOR_EACH(i, n) d[spk_offset(ld, i)] = spk_unary_int(op, x[spk_offset(lx, i)], p0, p1);
}

template <typename T>
__device__ void binary_impl(spk_i64 n, int op, spk_layout la, const T* a, spk_layout lb, const T* b, spk_layout ld, T* d) {
    SPK_FOR_EACH(i, n) d[spk_offset(ld, i)] = spk_binary(op, a[spk_offset(la, i)], b[spk_offset(lb, i)]);
}

template <typename T>
__device__ void compare_impl(spk_i64 n, int op, spk_layout la, const T* a, spk_layout lb, const T* b, spk_layout ld, spk_u8* d) {
    SPK_FOR_EACH(i, n) d[spk_offset(ld, i)] = spk_compare(op, a[spk_offset(la, i)], b[spk_offset(lb, i)]) ? 1 : 0;
}

template <typename T>
__device__ void where_impl(spk_i64 n, spk_layout lc, const spk_u8* c, spk_layout la, const T* a, spk_layout lb, const T* b, spk_layout ld, T* d) {
    SPK_FOR_EACH(i, n) d[spk_offset(ld, i)] = c[spk_offset(lc, i)] ? a[spk_offset(la, i)] : b[spk_offset(lb, i)];
}

// float16 storage, float math (mixed-precision paths).
__device__ void unary_half(spk_i64 n, int op, float p0, float p1, spk_layout lx, const spk_half* x, spk_layout ld, spk_half* d) {
    SPK_FOR_EACH(i, n) d[spk_offset(ld, i)] = spk_f2h(spk_unary_real(op, spk_h2f(x[spk_offset(lx, i)]), p0, p1));
}
__device__ void binary_half(spk_i64 n, int op, spk_layout la, const spk_half* a, spk_layout lb, const spk_half* b, spk_layout ld, spk_half* d) {
    SPK_FOR_EACH(i, n) d[spk_offset(ld, i)] = spk_f2h(spk_binary(op, spk_h2f(a[spk_offset(la, i)]), spk_h2f(b[spk_offset(lb, i)])));
}
__device__ void compare_half(spk_i64 n, int op, spk_layout la, const spk_half* a, spk_layout lb, const spk_half* b, spk_layout ld, spk_u8* d) {
    SPK_FOR_EACH(i, n) d[spk_offset(ld, i)] = spk_compare(op, spk_h2f(a[spk_offset(la, i)]), spk_h2f(b[spk_offset(lb, i)])) ? 1 : 0;
}

// x, d: [n] through their layouts; p0, p1: pow exponent or clamp bounds, already in the element type.
extern "C" __global__ void unary_f32(spk_i64 n, int op, float p0, float p1, spk_layout lx, const float* x, spk_layout ld, float* d) { unary_real(n, op, p0, p1, lx, x, ld, d); }
extern "C" __global__ void unary_f64(spk_i64 n, int op, double p0, double p1, spk_layout lx, const double* x, spk_layout ld, double* d) { unary_real(n, op, p0, p1, lx, x, ld, d); }
extern "C" __global__ void unary_i32(spk_i64 n, int op, int p0, int p1, spk_layout lx, const int* x, spk_layout ld, int* d) { unary_int(n, op, p0, p1, lx, x, ld, d); }
extern "C" __global__ void unary_i64(spk_i64 n, int op, spk_i64 p0, spk_i64 p1, spk_layout lx, const spk_i64* x, spk_layout ld, spk_i64* d) { unary_int(n, op, p0, p1, lx, x, ld, d); }
extern "C" __global__ void unary_u8(spk_i64 n, int op, spk_u8 p0, spk_u8 p1, spk_layout lx, const spk_u8* x, spk_layout ld, spk_u8* d) { unary_int(n, op, p0, p1, lx, x, ld, d); }
extern "C" __global__ void unary_f16(spk_i64 n, int op, float p0, float p1, spk_layout lx, const spk_half* x, spk_layout ld, spk_half* d) { unary_half(n, op, p0, p1, lx, x, ld, d); }

// a, b, d: [n]; broadcasting arrives as stride 0 in la / lb.
extern "C" __global__ void binary_f32(spk_i64 n, int op, spk_layout la, const float* a, spk_layout lb, const float* b, spk_layout ld, float* d) { binary_impl(n, op, la, a, lb, b, ld, d); }
extern "C" __global__ void binary_f64(spk_i64 n, int op, spk_layout la, const double* a, spk_layout lb, const double* b, spk_layout ld, double* d) { binary_impl(n, op, la, a, lb, b, ld, d); }
extern "C" __global__ void binary_i32(spk_i64 n, int op, spk_layout la, const int* a, spk_layout lb, const int* b, spk_layout ld, int* d) { binary_impl(n, op, la, a, lb, b, ld, d); }
extern "C" __global__ void binary_i64(spk_i64 n, int op, spk_layout la, const spk_i64* a, spk_layout lb, const spk_i64* b, spk_layout ld, spk_i64* d) { binary_impl(n, op, la, a, lb, b, ld, d); }
extern "C" __global__ void binary_u8(spk_i64 n, int op, spk_layout la, const spk_u8* a, spk_layout lb, const spk_u8* b, spk_layout ld, spk_u8* d) { binary_impl(n, op, la, a, lb, b, ld, d); }
extern "C" __global__ void binary_f16(spk_i64 n, int op, spk_layout la, const spk_half* a, spk_layout lb, const spk_half* b, spk_layout ld, spk_half* d) { binary_half(n, op, la, a, lb, b, ld, d); }

// d: [n] Bool (one byte per element). The u8 kernel also serves Bool operands (eq, ne, and, or).
extern "C" __global__ void compare_f32(spk_i64 n, int op, spk_layout la, const float* a, spk_layout lb, const float* b, spk_layout ld, spk_u8* d) { compare_impl(n, op, la, a, lb, b, ld, d); }
extern "C" __global__ void compare_f64(spk_i64 n, int op, spk_layout la, const double* a, spk_layout lb, const double* b, spk_layout ld, spk_u8* d) { compare_impl(n, op, la, a, lb, b, ld, d); }
extern "C" __global__ void compare_i32(spk_i64 n, int op, spk_layout la, const int* a, spk_layout lb, const int* b, spk_layout ld, spk_u8* d) { compare_impl(n, op, la, a, lb, b, ld, d); }
extern "C" __global__ void compare_i64(spk_i64 n, int op, spk_layout la, const spk_i64* a, spk_layout lb, const spk_i64* b, spk_layout ld, spk_u8* d) { compare_impl(n, op, la, a, lb, b, ld, d); }
extern "C" __global__ void compare_u8(spk_i64 n, int op, spk_layout la, const spk_u8* a, spk_layout lb, const spk_u8* b, spk_layout ld, spk_u8* d) { compare_impl(n, op, la, a, lb, b, ld, d); }
extern "C" __global__ void compare_f16(spk_i64 n, int op, spk_layout la, const spk_half* a, spk_layout lb, const spk_half* b, spk_layout ld, spk_u8* d) { compare_half(n, op, la, a, lb, b, ld, d); }

// d = cond ? a : b; cond is Bool. Elements are moved, not converted, so one kernel per element size suffices:
// u8 serves UInt8 and Bool, u16 serves Float16, i32 serves Float32 and Int32, i64 serves Float64 and Int64 (bit-exact, NaN payloads kept).
extern "C" __global__ void where_u8(spk_i64 n, spk_layout lc, const spk_u8* c, spk_layout la, const spk_u8* a, spk_layout lb, const spk_u8* b, spk_layout ld, spk_u8* d) { where_impl(n, lc, c, la, a, lb, b, ld, d); }
extern "C" __global__ void where_u16(spk_i64 n, spk_layout lc, const spk_u8* c, spk_layout la, const spk_half* a, spk_layout lb, const spk_half* b, spk_layout ld, spk_half* d) { where_impl(n, lc, c, la, a, lb, b, ld, d); }
extern "C" __global__ void where_i32(spk_i64 n, spk_layout lc, const spk_u8* c, spk_layout la, const int* a, spk_layout lb, const int* b, spk_layout ld, int* d) { where_impl(n, lc, c, la, a, lb, b, ld, d); }
extern "C" __global__ void where_i64(spk_i64 n, spk_layout lc, const spk_u8* c, spk_layout la, const spk_i64* a, spk_layout lb, const spk_i64* b, spk_layout ld, spk_i64* d) { where_impl(n, lc, c, la, a, lb, b, ld, d); }
