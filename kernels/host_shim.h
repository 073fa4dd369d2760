// Host shim: compiles the CUDA C in kernels/*.cu as plain C++ (g++ -include host_shim.h) so that tests can run
// the very same kernel sources on the CPU without a GPU. It defines the CUDA qualifiers and built-ins,
// float16 conversion in software, and a launcher that walks the grid:
//  - sequential mode runs each block's threads one after another (for kernels without __syncthreads);
//  - cooperative mode runs each block's threads as real threads with a barrier for __syncthreads, and
//    __shared__ (a function-local static) is then one buffer shared by the block, as on a GPU.
// Not part of Spike.Cuda's NVRTC builds.
#pragma once
#define SPK_HOST 1

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <type_traits>
#include <utility>

#define __global__ __attribute__((visibility("default")))
#define __device__
#define __host__
#define __forceinline__ inline
#define __shared__ static

struct dim3 { unsigned x = 1, y = 1, z = 1; };

inline thread_local dim3 threadIdx, blockIdx;
inline dim3 blockDim, gridDim;

inline float __int_as_float(int i) { float f; memcpy(&f, &i, 4); return f; }
inline int __float_as_int(float f) { int i; memcpy(&i, &f, 4); return i; }
inline double __longlong_as_double(long long i) { double d; memcpy(&d, &i, 8); return d; }
inline long long __double_as_longlong(double d) { long long i; memcpy(&i, &d, 8); return i; }

// ---- atomics: cooperative launches run a block's threads concurrently, so these must really be atomic ------------

inline int atomicAdd(int* p, int v) { return __atomic_fetch_add(p, v, __ATOMIC_SEQ_CST); }
inline unsigned atomicAdd(unsigned* p, unsigned v) { return __atomic_fetch_add(p, v, __ATOMIC_SEQ_CST); }
inline unsigned long long atomicAdd(unsigned long long* p, unsigned long long v) { return __atomic_fetch_add(p, v, __ATOMIC_SEQ_CST); }
inline unsigned atomicCAS(unsigned* p, unsigned expected, unsigned desired) {
    __atomic_compare_exchange_n(p, &expected, desired, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    return expected;  // the old value, as CUDA's atomicCAS returns
}
inline unsigned long long atomicCAS(unsigned long long* p, unsigned long long expected, unsigned long long desired) {
    __atomic_compare_exchange_n(p, &expected, desired, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    return expected;
}
template <class T, class B>
inline T spk_host_atomic_add_float(T* p, T v) {
    B old;
    memcpy(&old, p, sizeof(T));
    while (true) {
        T cur; memcpy(&cur, &old, sizeof(T));
        T next = cur + v;
        B desired; memcpy(&desired, &next, sizeof(T));
        if (__atomic_compare_exchange_n(reinterpret_cast<B*>(p), &old, desired, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) return cur;
    }
}
inline float atomicAdd(float* p, float v) { return spk_host_atomic_add_float<float, unsigned>(p, v); }
inline double atomicAdd(double* p, double v) { return spk_host_atomic_add_float<double, unsigned long long>(p, v); }

// ---- barrier for __syncthreads --------------------------------------------------------------------

inline pthread_barrier_t* spk_block_barrier = nullptr;  // set only while a cooperative block runs
inline int spk_host_error = 0;                            // 1: __syncthreads outside cooperative mode

inline void __syncthreads() {
    if (spk_block_barrier) pthread_barrier_wait(spk_block_barrier);
    else spk_host_error = 1;
}

// ---- binary16 <-> float32, round to nearest even (what cvt.rn.f16.f32 does) -------------------------

inline float spk_h2f(unsigned short h) {
    unsigned sign = (unsigned)(h & 0x8000) << 16, exp = (h >> 10) & 0x1f, man = h & 0x3ff, bits;
    if (exp == 0x1f) bits = sign | 0x7f800000u | (man << 13);            // inf / NaN
    else if (exp != 0) bits = sign | ((exp + 112) << 23) | (man << 13);   // normal
    else if (man == 0) bits = sign;                                       // zero
    else {                                                                // subnormal: normalise
        int e = -1;
        do { man <<= 1; ++e; } while ((man & 0x400) == 0);
        bits = sign | ((unsigned)(112 - e) << 23) | ((man & 0x3ff) << 13);
    }
    float f; memcpy(&f, &bits, 4); return f;
}

inline unsigned short spk_f2h(float f) {
    unsigned x; memcpy(&x, &f, 4);
    unsigned sign = (x >> 16) & 0x8000, absx = x & 0x7fffffffu;
    if (absx >= 0x7f800000u) return (unsigned short)(sign | 0x7c00 | (absx > 0x7f800000u ? 0x200 : 0));
    if (absx >= 0x477ff000u) return (unsigned short)(sign | 0x7c00);      // rounds to >= 65520: infinity
    if (absx < 0x38800000u) {                                             // result subnormal or zero
        if (absx < 0x33000000u) return (unsigned short)sign;              // < 2^-25: rounds to zero
        unsigned man = (absx & 0x7fffff) | 0x800000, shift = 126 - (absx >> 23);
        unsigned r = man >> shift, rem = man & ((1u << shift) - 1), half = 1u << (shift - 1);
        if (rem > half || (rem == half && (r & 1))) ++r;
        return (unsigned short)(sign | r);
    }
    unsigned r = ((absx >> 13) - (112u << 10)), rem = absx & 0x1fff;
    if (rem > 0x1000 || (rem == 0x1000 && (r & 1))) ++r;
    return (unsigned short)(sign | r);
}

// double -> binary16 with one rounding (cvt.rn.f16.f64): the result in units of its quantum (2^-24 for subnormals,
// 2^(e-10) for normals), rounded to nearest even; a carry out of the mantissa moves up the exponent, to infinity last.
inline unsigned short spk_d2h(double d) {
    unsigned long long x; memcpy(&x, &d, 8);
    unsigned short sign = (unsigned short)((x >> 48) & 0x8000);
    unsigned long long absx = x & 0x7fffffffffffffffULL;
    if (absx >= 0x7ff0000000000000ULL) return (unsigned short)(sign | 0x7c00 | (absx > 0x7ff0000000000000ULL ? 0x200 : 0));
    int e = (int)(absx >> 52) - 1023;
    if (e >= 16) return (unsigned short)(sign | 0x7c00);
    if (e < -25) return sign;                                              // below 2^-25: rounds to zero
    unsigned long long man = (absx & 0xfffffffffffffULL) | (1ULL << 52);
    int shift = 52 - e + (e >= -14 ? e - 10 : -24);
    unsigned long long r = man >> shift, rem = man & ((1ULL << shift) - 1), half = 1ULL << (shift - 1);
    if (rem > half || (rem == half && (r & 1))) ++r;
    unsigned bits = e >= -14 ? (unsigned)((e + 15) << 10) + (unsigned)(r - 1024) : (unsigned)r;
    return (unsigned short)(sign | bits);
}

// ---- launcher ---------------------------------------------------------------------------------------

struct spk_launch { unsigned grid[3]; unsigned block[3]; int cooperative; };

template <class F>
struct spk_thread_arg { F* body; dim3 block, thread; };

template <class F>
void* spk_thread_main(void* p) {
    auto* a = static_cast<spk_thread_arg<F>*>(p);
    blockIdx = a->block;
    threadIdx = a->thread;
    (*a->body)();
    return nullptr;
}

// Runs body once per (block, thread) of the launch; returns 0, or nonzero on a misuse of the shim.
template <class F>
int spk_grid_loop(const spk_launch& l, F body) {
    gridDim = dim3{l.grid[0], l.grid[1], l.grid[2]};
    blockDim = dim3{l.block[0], l.block[1], l.block[2]};
    unsigned threads = l.block[0] * l.block[1] * l.block[2];
    spk_host_error = 0;
    for (unsigned bz = 0; bz < l.grid[2]; ++bz)
    for (unsigned by = 0; by < l.grid[1]; ++by)
    for (unsigned bx = 0; bx < l.grid[0]; ++bx) {
        dim3 b{bx, by, bz};
        if (!l.cooperative) {
            blockIdx = b;
            for (unsigned t = 0; t < threads; ++t) {
                threadIdx = dim3{t % l.block[0], (t / l.block[0]) % l.block[1], t / (l.block[0] * l.block[1])};
                body();
            }
            continue;
        }
        pthread_barrier_t barrier;
        pthread_barrier_init(&barrier, nullptr, threads);
        spk_block_barrier = &barrier;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setstacksize(&attr, 256 * 1024);
        pthread_t* ids = new pthread_t[threads];
        spk_thread_arg<F>* args = new spk_thread_arg<F>[threads];
        for (unsigned t = 0; t < threads; ++t) {
            args[t] = {&body, b, dim3{t % l.block[0], (t / l.block[0]) % l.block[1], t / (l.block[0] * l.block[1])}};
            if (pthread_create(&ids[t], &attr, spk_thread_main<F>, &args[t]) != 0) return 2;
        }
        for (unsigned t = 0; t < threads; ++t) pthread_join(ids[t], nullptr);
        delete[] ids;
        delete[] args;
        pthread_attr_destroy(&attr);
        spk_block_barrier = nullptr;
        pthread_barrier_destroy(&barrier);
    }
    return spk_host_error;
}

// Calls kernel f with its parameters unpacked from args, laid out exactly like cuLaunchKernel's kernelParams:
// args[i] points at the value of parameter i.
template <class... A, size_t... I>
void spk_call(void (*f)(A...), void** args, std::index_sequence<I...>) {
    f(*static_cast<std::remove_cv_t<std::remove_reference_t<A>>*>(args[I])...);
}

template <class... A>
int spk_run(void (*f)(A...), const spk_launch& l, void** args) {
    return spk_grid_loop(l, [&] { spk_call(f, args, std::index_sequence_for<A...>{}); });
}

// One exported entry per kernel: int spk_host_<name>(const spk_launch*, void** args) runs kernel fn
// (fn may be namespace-qualified when one library holds several -D variants of a source).
#define SPK_HOST_ENTRY(name, fn) \
    extern "C" __attribute__((visibility("default"))) int spk_host_##name(const spk_launch* l, void** args) { \
        return spk_run(fn, *l, args); \
    }
