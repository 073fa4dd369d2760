using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Spike.Cpu.Gemm;

/// <summary>
/// An SGEMM micro-kernel: C[MR×NR] (row stride rsc, unit column stride) = or += Σ_p A[p]ᵀ·B[p], where the packed
/// A micro-panel holds MR values per k step (pa[p·MR + i]) and the packed B micro-panel NR values (pb[p·NR + j]).
/// The whole tile lives in registers for the k loop; C is touched once at the end.
/// </summary>
internal unsafe interface ISgemmKernel
{
    static abstract int MR { get; }
    static abstract int NR { get; }
    static abstract void Run(int kc, float* pa, float* pb, float* c, nint rsc, bool overwrite);
}

/// <summary>AVX-512: 12×32 tile = 24 zmm accumulators + 2 B vectors + 1 broadcast (27 of 32 registers).
/// Per k step 24 FMAs against 2 vector loads and 12 broadcasts, so the FMA ports stay the bottleneck.</summary>
internal readonly unsafe struct Avx512Kernel : ISgemmKernel
{
    public static int MR => 12;
    public static int NR => 32;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* pa, float* pb, float* c, nint rsc, bool overwrite)
    {
        Vector512<float> r0a = default, r0b = default;
        Vector512<float> r1a = default, r1b = default;
        Vector512<float> r2a = default, r2b = default;
        Vector512<float> r3a = default, r3b = default;
        Vector512<float> r4a = default, r4b = default;
        Vector512<float> r5a = default, r5b = default;
        Vector512<float> r6a = default, r6b = default;
        Vector512<float> r7a = default, r7b = default;
        Vector512<float> r8a = default, r8b = default;
        Vector512<float> r9a = default, r9b = default;
        Vector512<float> r10a = default, r10b = default;
        Vector512<float> r11a = default, r11b = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(pb);
            var b1 = Vector512.Load(pb + 16);
            Vector512<float> a;
            a = Vector512.Create(pa[0]); r0a = Vector512.FusedMultiplyAdd(a, b0, r0a); r0b = Vector512.FusedMultiplyAdd(a, b1, r0b);
            a = Vector512.Create(pa[1]); r1a = Vector512.FusedMultiplyAdd(a, b0, r1a); r1b = Vector512.FusedMultiplyAdd(a, b1, r1b);
            a = Vector512.Create(pa[2]); r2a = Vector512.FusedMultiplyAdd(a, b0, r2a); r2b = Vector512.FusedMultiplyAdd(a, b1, r2b);
            a = Vector512.Create(pa[3]); r3a = Vector512.FusedMultiplyAdd(a, b0, r3a); r3b = Vector512.FusedMultiplyAdd(a, b1, r3b);
            a = Vector512.Create(pa[4]); r4a = Vector512.FusedMultiplyAdd(a, b0, r4a); r4b = Vector512.FusedMultiplyAdd(a, b1, r4b);
            a = Vector512.Create(pa[5]); r5a = Vector512.FusedMultiplyAdd(a, b0, r5a); r5b = Vector512.FusedMultiplyAdd(a, b1, r5b);
            a = Vector512.Create(pa[6]); r6a = Vector512.FusedMultiplyAdd(a, b0, r6a); r6b = Vector512.FusedMultiplyAdd(a, b1, r6b);
            a = Vector512.Create(pa[7]); r7a = Vector512.FusedMultiplyAdd(a, b0, r7a); r7b = Vector512.FusedMultiplyAdd(a, b1, r7b);
            a = Vector512.Create(pa[8]); r8a = Vector512.FusedMultiplyAdd(a, b0, r8a); r8b = Vector512.FusedMultiplyAdd(a, b1, r8b);
            a = Vector512.Create(pa[9]); r9a = Vector512.FusedMultiplyAdd(a, b0, r9a); r9b = Vector512.FusedMultiplyAdd(a, b1, r9b);
            a = Vector512.Create(pa[10]); r10a = Vector512.FusedMultiplyAdd(a, b0, r10a); r10b = Vector512.FusedMultiplyAdd(a, b1, r10b);
            a = Vector512.Create(pa[11]); r11a = Vector512.FusedMultiplyAdd(a, b0, r11a); r11b = Vector512.FusedMultiplyAdd(a, b1, r11b);
            pa += 12;
            pb += 32;
        }
        Put(c + 0 * rsc, r0a, r0b, overwrite);
        Put(c + 1 * rsc, r1a, r1b, overwrite);
        Put(c + 2 * rsc, r2a, r2b, overwrite);
        Put(c + 3 * rsc, r3a, r3b, overwrite);
        Put(c + 4 * rsc, r4a, r4b, overwrite);
        Put(c + 5 * rsc, r5a, r5b, overwrite);
        Put(c + 6 * rsc, r6a, r6b, overwrite);
        Put(c + 7 * rsc, r7a, r7b, overwrite);
        Put(c + 8 * rsc, r8a, r8b, overwrite);
        Put(c + 9 * rsc, r9a, r9b, overwrite);
        Put(c + 10 * rsc, r10a, r10b, overwrite);
        Put(c + 11 * rsc, r11a, r11b, overwrite);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Put(float* c, Vector512<float> x, Vector512<float> y, bool overwrite)
    {
        if (!overwrite) { x += Vector512.Load(c); y += Vector512.Load(c + 16); }
        x.Store(c);
        y.Store(c + 16);
    }
}

/// <summary>AVX2 + FMA: 6×16 tile = 12 ymm accumulators + 2 B vectors + 1 broadcast (15 of 16 registers).</summary>
internal readonly unsafe struct Avx2Kernel : ISgemmKernel
{
    public static int MR => 6;
    public static int NR => 16;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* pa, float* pb, float* c, nint rsc, bool overwrite)
    {
        Vector256<float> r0a = default, r0b = default;
        Vector256<float> r1a = default, r1b = default;
        Vector256<float> r2a = default, r2b = default;
        Vector256<float> r3a = default, r3b = default;
        Vector256<float> r4a = default, r4b = default;
        Vector256<float> r5a = default, r5b = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector256.Load(pb);
            var b1 = Vector256.Load(pb + 8);
            Vector256<float> a;
            a = Vector256.Create(pa[0]); r0a = Fma.MultiplyAdd(a, b0, r0a); r0b = Fma.MultiplyAdd(a, b1, r0b);
            a = Vector256.Create(pa[1]); r1a = Fma.MultiplyAdd(a, b0, r1a); r1b = Fma.MultiplyAdd(a, b1, r1b);
            a = Vector256.Create(pa[2]); r2a = Fma.MultiplyAdd(a, b0, r2a); r2b = Fma.MultiplyAdd(a, b1, r2b);
            a = Vector256.Create(pa[3]); r3a = Fma.MultiplyAdd(a, b0, r3a); r3b = Fma.MultiplyAdd(a, b1, r3b);
            a = Vector256.Create(pa[4]); r4a = Fma.MultiplyAdd(a, b0, r4a); r4b = Fma.MultiplyAdd(a, b1, r4b);
            a = Vector256.Create(pa[5]); r5a = Fma.MultiplyAdd(a, b0, r5a); r5b = Fma.MultiplyAdd(a, b1, r5b);
            pa += 6;
            pb += 16;
        }
        Put(c + 0 * rsc, r0a, r0b, overwrite);
        Put(c + 1 * rsc, r1a, r1b, overwrite);
        Put(c + 2 * rsc, r2a, r2b, overwrite);
        Put(c + 3 * rsc, r3a, r3b, overwrite);
        Put(c + 4 * rsc, r4a, r4b, overwrite);
        Put(c + 5 * rsc, r5a, r5b, overwrite);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Put(float* c, Vector256<float> x, Vector256<float> y, bool overwrite)
    {
        if (!overwrite) { x += Vector256.Load(c); y += Vector256.Load(c + 8); }
        x.Store(c);
        y.Store(c + 8);
    }
}

/// <summary>Portable fallback for machines without AVX2/FMA: a 4×8 tile in scalar registers and a stack tile.</summary>
internal readonly unsafe struct ScalarKernel : ISgemmKernel
{
    public static int MR => 4;
    public static int NR => 8;

    public static void Run(int kc, float* pa, float* pb, float* c, nint rsc, bool overwrite)
    {
        float* acc = stackalloc float[32];
        for (int t = 0; t < 32; t++) acc[t] = 0;
        for (int p = 0; p < kc; p++, pa += 4, pb += 8)
            for (int i = 0; i < 4; i++)
            {
                float ai = pa[i];
                for (int j = 0; j < 8; j++) acc[i * 8 + j] += ai * pb[j];
            }
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 8; j++)
                c[i * rsc + j] = overwrite ? acc[i * 8 + j] : c[i * rsc + j] + acc[i * 8 + j];
    }
}
