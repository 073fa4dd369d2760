// Fill, same-type strided copy and dtype casts. s, d: [n] through their layouts (negative strides flip).
// Conversions follow .NET (the CPU backend): real -> integer truncates toward zero and saturates at the target's
// range with NaN -> 0; integer -> integer wraps; anything -> Bool is (v != 0); Bool is stored as a u8 0/1.
#include "common.cuh"

template <typename S, typename D> __device__ __forceinline__ D spk_convert(S v) { return (D)v; }

// Real -> integer, saturating (what a GPU's cvt.rzi does too, spelled out so the host build agrees).
__device__ __forceinline__ int spk_sat_i32(double v) {
    return v != v ? 0 : v <= -2147483648.0 ? (int)0x80000000 : v >= 2147483647.0 ? 0x7fffffff : (int)v;
}
__device__ __forceinline__ spk_i64 spk_sat_i64(double v) {
    return v != v ? 0 : v <= -9223372036854775808.0 ? (spk_i64)0x8000000000000000ULL
         : v >= 9223372036854775808.0 ? 0x7fffffffffffffffLL : (spk_i64)v;
}
__device__ __forceinline__ spk_u8 spk_sat_u8(double v) { return v != v || v <= 0.0 ? 0 : v >= 255.0 ? 255 : (spk_u8)v; }
template <> __device__ __forceinline__ int spk_convert<float, int>(float v) { return spk_sat_i32(v); }
template <> __device__ __forceinline__ int spk_convert<double, int>(double v) { return spk_sat_i32(v); }
template <> __device__ __forceinline__ spk_i64 spk_convert<float, spk_i64>(float v) { return spk_sat_i64(v); }
template <> __device__ __forceinline__ spk_i64 spk_convert<double, spk_i64>(double v) { return spk_sat_i64(v); }
template <> __device__ __forceinline__ spk_u8 spk_convert<float, spk_u8>(float v) { return spk_sat_u8(v); }
template <> __device__ __forceinline__ spk_u8 spk_convert<double, spk_u8>(double v) { return spk_sat_u8(v); }
// binary16 (spk_half holds its bits, so every pair is spelled out): half -> anything goes through float, which holds
// every half exactly; double -> half rounds once, directly; integers are exact in float far past half's largest finite
// value (65504), so integer -> float -> half rounds once too. Round to nearest even throughout, overflow to infinity.
template <> __device__ __forceinline__ spk_half spk_convert<float, spk_half>(float v) { return spk_f2h(v); }
template <> __device__ __forceinline__ spk_half spk_convert<double, spk_half>(double v) { return spk_d2h(v); }
template <> __device__ __forceinline__ spk_half spk_convert<int, spk_half>(int v) { return spk_f2h((float)v); }
template <> __device__ __forceinline__ spk_half spk_convert<spk_i64, spk_half>(spk_i64 v) { return spk_f2h((float)v); }
template <> __device__ __forceinline__ spk_half spk_convert<spk_u8, spk_half>(spk_u8 v) { return spk_f2h((float)v); }
template <> __device__ __forceinline__ float spk_convert<spk_half, float>(spk_half v) { return spk_h2f(v); }
template <> __device__ __forceinline__ double spk_convert<spk_half, double>(spk_half v) { return spk_h2f(v); }
template <> __device__ __forceinline__ int spk_convert<spk_half, int>(spk_half v) { return spk_sat_i32(spk_h2f(v)); }
template <> __device__ __forceinline__ spk_i64 spk_convert<spk_half, spk_i64>(spk_half v) { return spk_sat_i64(spk_h2f(v)); }
template <> __device__ __forceinline__ spk_u8 spk_convert<spk_half, spk_u8>(spk_half v) { return spk_sat_u8(spk_h2f(v)); }

// v != 0 (NaN counts as non-zero); a half compares by value, so -0 is zero.
template <typename S> __device__ __forceinline__ bool spk_nonzero(S v) { return v != (S)0; }
template <> __device__ __forceinline__ bool spk_nonzero<spk_half>(spk_half v) { return spk_h2f(v) != 0.0f; }

template <typename S, typename D>
__device__ void cast_impl(spk_i64 n, spk_layout ls, const S* s, spk_layout ld, D* d) {
    SPK_FOR_EACH(i, n) d[spk_offset(ld, i)] = spk_convert<S, D>(s[spk_offset(ls, i)]);
}

template <typename S>
__device__ void to_bool_impl(spk_i64 n, spk_layout ls, const S* s, spk_layout ld, spk_u8* d) {
    SPK_FOR_EACH(i, n) d[spk_offset(ld, i)] = spk_nonzero(s[spk_offset(ls, i)]) ? 1 : 0;
}

template <typename T>
__device__ void fill_impl(spk_i64 n, T value, spk_layout ld, T* d) {
    SPK_FOR_EACH(i, n) d[spk_offset(ld, i)] = value;
}

// d: [n] = value (the host converts the value to the storage type once, as the CPU backend does).
extern "C" __global__ void fill_f32(spk_i64 n, float v, spk_layout ld, float* d) { fill_impl(n, v, ld, d); }
extern "C" __global__ void fill_f64(spk_i64 n, double v, spk_layout ld, double* d) { fill_impl(n, v, ld, d); }
extern "C" __global__ void fill_f16(spk_i64 n, spk_half v, spk_layout ld, spk_half* d) { fill_impl(n, v, ld, d); }
extern "C" __global__ void fill_i32(spk_i64 n, int v, spk_layout ld, int* d) { fill_impl(n, v, ld, d); }
extern "C" __global__ void fill_i64(spk_i64 n, spk_i64 v, spk_layout ld, spk_i64* d) { fill_impl(n, v, ld, d); }
extern "C" __global__ void fill_u8(spk_i64 n, spk_u8 v, spk_layout ld, spk_u8* d) { fill_impl(n, v, ld, d); }

// Same-type strided copies (contiguous device copies go through cuMemcpyDtoD instead); u8 also copies Bool.
extern "C" __global__ void copy_f32(spk_i64 n, spk_layout ls, const float* s, spk_layout ld, float* d) { cast_impl(n, ls, s, ld, d); }
extern "C" __global__ void copy_f64(spk_i64 n, spk_layout ls, const double* s, spk_layout ld, double* d) { cast_impl(n, ls, s, ld, d); }
extern "C" __global__ void copy_f16(spk_i64 n, spk_layout ls, const spk_half* s, spk_layout ld, spk_half* d) { cast_impl(n, ls, s, ld, d); }
extern "C" __global__ void copy_i32(spk_i64 n, spk_layout ls, const int* s, spk_layout ld, int* d) { cast_impl(n, ls, s, ld, d); }
extern "C" __global__ void copy_i64(spk_i64 n, spk_layout ls, const spk_i64* s, spk_layout ld, spk_i64* d) { cast_impl(n, ls, s, ld, d); }
extern "C" __global__ void copy_u8(spk_i64 n, spk_layout ls, const spk_u8* s, spk_layout ld, spk_u8* d) { cast_impl(n, ls, s, ld, d); }

// Casts between the storage types, named cast_<from>_<to>; a Bool source uses the u8 kernels (its bytes are 0 or 1).
extern "C" __global__ void cast_f32_f64(spk_i64 n, spk_layout ls, const float* s, spk_layout ld, double* d) { cast_impl(n, ls, s, ld, d); }
extern "C" __global__ void cast_f32_i32(spk_i64 n, spk_layout ls, const float* s, spk_layout ld, int* d) { cast_impl(n, ls, s, ld, d); }
extern "C" __global__ void cast_f32_i64(spk_i64 n, spk_layout ls, const float* s, spk_layout ld, spk_i64* d) { cast_impl(n, ls, s, ld, d); }
extern "C" __global__ void cast_f32_u8(spk_i64 n, spk_layout ls, const float* s, spk_layout ld, spk_u8* d) { cast_impl(n, ls, s, ld, d); }
extern "C" __global__ void cast_f32_b8(spk_i64 n, spk_layout ls, const float* s, spk_layout ld, spk_u8* d) { to_bool_impl(n, ls, s, ld, d); }
extern "C" __global__ void cast_f32_f16(spk_i64 n, spk_layout ls, const float* s, spk_layout ld, spk_half* d) { cast_impl(n, ls, s, ld, d); }
extern "C" __global__ void cast_f64_f16(spk_i64 n, spk_layout ls, const double* s, spk_layout ld, spk_half* d) { cast_impl(n, ls, s, ld, d); }
extern "C" __global__ void cast_i32_f16(spk_i64 n, spk_layout ls, const int* s, spk_layout ld, spk_half* d) { cast_impl(n, ls, s, ld, d); }
extern "C" __global__ void cast_i64_f16(spk_i64 n, spk_layout ls, const spk_i64* s, spk_layout ld, spk_half* d) { cast_impl(n, ls, s, ld, d); }
extern "C" __global__ void cast_u8_f16(spk_i64 n, spk_layout ls, const spk_u8* s, spk_layout ld, spk_half* d) { cast_impl(n, ls, s, ld, d); }
extern "C" __global__ void cast_f16_f32(spk_i64 n, spk_layout ls, const spk_half* s, spk_layout ld, float* d) { cast_impl(n, ls, s, ld, d); }
extern "C" __global__ void cast_f16_f64(spk_i64 n, spk_layout ls, const spk_half* s, spk_layout ld, double* d) { cast_impl(n, ls, s, ld, d); }
extern "C" __global__ void cast_f16_i32(spk_i64 n, spk_layout ls, const spk_half* s, spk_layout ld, int* d) { cast_impl(n, ls, s, ld, d); }
extern "C" __global__ void cast_f16_i64(spk_i64 n, spk_layout ls, const spk_half* s, spk_layout ld, spk_i64* d) { cast_impl(n, ls, s, ld, d); }
extern "C" __global__ void cast_f16_u8(spk_i64 n, spk_layout ls, const spk_half* s, spk_layout ld, spk_u8* d) { cast_impl(n, ls, s, ld, d); }
extern "C" __global__ void cast_f16_b8(spk_i64 n, spk_layout ls, const spk_half* s, spk_layout ld, spk_u8* d) { to_bool_impl(n, ls, s, ld, d); }
extern "C" __global__ void cast_f64_f32(spk_i64 n, spk_layout ls, const double* s, spk_layout ld, float* d) { cast_impl(n, ls, s, ld, d); }
extern "C" __global__ void cast_f64_i32(spk_i64 n, spk_layout ls, const double* s, spk_layout ld, int* d) { cast_impl(n, ls, s, ld, d); }
extern "C" __global__ void cast_f64_i64(spk_i64 n, spk_layout ls, const double* s, spk_layout ld, spk_i64* d) { cast_impl(n, ls, s, ld, d); }
extern "C" __global__ void cast_f64_u8(spk_i64 n, spk_layout ls, const double* s, spk_layout ld, spk_u8* d) { cast_impl(n, ls, s, ld, d); }
extern "C" __global__ void cast_f64_b8(spk_i64 n, spk_layout ls, const double* s, spk_layout ld, spk_u8* d) { to_bool_impl(n, ls, s, ld, d); }
extern "C" __global__ void cast_i32_f32(spk_i64 n, spk_layout ls, const int* s, spk_layout ld, float* d) { cast_impl(n, ls, s, ld, d); }
extern "C" __global__ void cast_i32_f64(spk_i64 n, spk_layout ls, const int* s, spk_layout ld, double* d) { cast_impl(n, ls, s, ld, d); }
extern "C" __global__ void cast_i32_i64(spk_i64 n, spk_layout ls, const int* s, spk_layout ld, spk_i64* d) { cast_impl(n, ls, s, ld, d); }
extern "C" __global__ void cast_i32_u8(spk_i64 n, spk_layout ls, const int* s, spk_layout ld, spk_u8* d) { cast_impl(n, ls, s, ld, d); }
extern "C" __global__ void cast_i32_b8(spk_i64 n, spk_layout ls, const int* s, spk_layout ld, spk_u8* d) { to_bool_impl(n, ls, s, ld, d); }
extern "C" __global__ void cast_i64_f32(spk_i64 n, spk_layout ls, const spk_i64* s, spk_layout ld, float* d) { cast_impl(n, ls, s, ld, d); }
extern "C" __global__ void cast_i64_f64(spk_i64 n, spk_layout ls, const spk_i64* s, spk_layout ld, double* d) { cast_impl(n, ls, s, ld, d); }
extern "C" __global__ void cast_i64_i32(spk_i64 n, spk_layout ls, const spk_i64* s, spk_layout ld, int* d) { cast_impl(n, ls, s, ld, d); }
extern "C" __global__ void cast_i64_u8(spk_i64 n, spk_layout ls, const spk_i64* s, spk_layout ld, spk_u8* d) { cast_impl(n, ls, s, ld, d); }
extern "C" __global__ void cast_i64_b8(spk_i64 n, spk_layout ls, const spk_i64* s, spk_layout ld, spk_u8* d) { to_bool_impl(n, ls, s, ld, d); }
extern "C" __global__ void cast_u8_f32(spk_i64 n, spk_layout ls, const spk_u8* s, spk_layout ld, float* d) { cast_impl(n, ls, s, ld, d); }
extern "C" __global__ void cast_u8_f64(spk_i64 n, spk_layout ls, const spk_u8* s, spk_layout ld, double* d) { cast_impl(n, ls, s, ld, d); }
extern "C" __global__ void cast_u8_i32(spk_i64 n, spk_layout ls, const spk_u8* s, spk_layout ld, int* d) { cast_impl(n, ls, s, ld, d); }
extern "C" __global__ void cast_u8_i64(spk_i64 n, spk_layout ls, const spk_u8* s, spk_layout ld, spk_i64* d) { cast_impl(n, ls, s, ld, d); }
extern "C" __global__ void cast_u8_b8(spk_i64 n, spk_layout ls, const spk_u8* s, spk_layout ld, spk_u8* d) { to_bool_impl(n, ls, s, ld, d); }
