using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Spike.Cpu.Gemm;

/// <summary>
/// Packs blocks of A and B into the panel order the micro-kernel reads, so its loads are unit-stride and aligned
/// whatever the operand strides are (row-major, transposed views, broadcast). Partial panels are zero-padded:
/// the kernel always runs a full tile and the driver keeps only the valid part.
/// Packing reorders every element once per block, so its speed matters when one GEMM dimension is small (a
/// convolution's 128 channels, a Linear layer's batch rows): the two transposing cases (A with rows contiguous along
/// k, B with columns contiguous along k: x·Wᵀ) move 8×8 tiles through registers instead of one float at a time.
/// </summary>
internal static unsafe class SgemmPack
{
    /// <summary>
    /// a points at A(i0, p0); element (i, p) is a[i·rsa + p·csa]. Writes ⌈mc/mr⌉ panels of [kc][mr].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void A(int mr, int mc, int kc, float* a, nint rsa, nint csa, float* dst)
    {
        for (int ip = 0; ip < mc; ip += mr, dst += mr * kc)
        {
            int rows = Math.Min(mr, mc - ip);
            float* src = a + ip * rsa;
            if (csa == 1) Transpose(src, rsa, rows, kc, dst, mr);
            else if (rsa == 1) CopyRows(src, csa, rows, kc, dst, mr);
            else
            {
                for (int p = 0; p < kc; p++)
                {
                    float* s = src + p * csa;
                    float* d = dst + p * mr;
                    for (int r = 0; r < rows; r++) d[r] = s[r * rsa];
                }
            }
            if (rows < mr)
                for (int p = 0; p < kc; p++)
                    for (int r = rows; r < mr; r++) dst[p * mr + r] = 0;
        }
    }

    /// <summary>
    /// b points at B(p0, j0); element (p, j) is b[p·rsb + j·csb]. Writes ⌈nc/nr⌉ panels of [kc][nr].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void B(int nr, int nc, int kc, float* b, nint rsb, nint csb, float* dst)
    {
        for (int jp = 0; jp < nc; jp += nr, dst += nr * kc)
        {
            int cols = Math.Min(nr, nc - jp);
            float* src = b + jp * csb;
            if (csb == 1) CopyRows(src, rsb, cols, kc, dst, nr);
            else if (rsb == 1) Transpose(src, csb, cols, kc, dst, nr);     // x·Wᵀ: each column is contiguous along k
            else
            {
                for (int p = 0; p < kc; p++)
                {
                    float* s = src + p * rsb;
                    float* d = dst + p * nr;
                    for (int j = 0; j < cols; j++) d[j] = s[j * csb];
                }
            }
            if (cols < nr)
                for (int p = 0; p < kc; p++)
                    for (int j = cols; j < nr; j++) dst[p * nr + j] = 0;
        }
    }

    /// <summary>dst[p·ld + i] = src[p·stride + i] for i &lt; count, p &lt; kc: count contiguous floats per k step.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void CopyRows(float* src, nint stride, int count, int kc, float* dst, int ld)
    {
        for (int p = 0; p < kc; p++)
        {
            float* s = src + p * stride, d = dst + p * ld;
            int i = 0;
            if (Vector256.IsHardwareAccelerated)
            {
                for (; i <= count - 8; i += 8) Vector256.Store(Vector256.Load(s + i), d + i);
                for (; i <= count - 4; i += 4) Vector128.Store(Vector128.Load(s + i), d + i);
            }
            for (; i < count; i++) d[i] = s[i];
        }
    }

    /// <summary>
    /// dst[p·ld + r] = src[r·stride + p] for r &lt; count, p &lt; kc: count lines, each contiguous along k, become
    /// k-major. Groups of 8 lines go through 8×8 register transposes, groups of 4 through 4×4 ones, the rest one by one.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Transpose(float* src, nint stride, int count, int kc, float* dst, int ld)
    {
        int r = 0;
        if (Avx.IsSupported)
            for (; r <= count - 8; r += 8)
            {
                float* s = src + r * stride;
                int p = 0;
                for (; p <= kc - 8; p += 8)
                {
                    var (x0, x1, x2, x3) = (Avx.LoadVector256(s + p), Avx.LoadVector256(s + stride + p), Avx.LoadVector256(s + 2 * stride + p), Avx.LoadVector256(s + 3 * stride + p));
                    var (x4, x5, x6, x7) = (Avx.LoadVector256(s + 4 * stride + p), Avx.LoadVector256(s + 5 * stride + p), Avx.LoadVector256(s + 6 * stride + p), Avx.LoadVector256(s + 7 * stride + p));
                    Transpose8x8(ref x0, ref x1, ref x2, ref x3, ref x4, ref x5, ref x6, ref x7);
                    float* d = dst + p * ld + r;
                    Avx.Store(d, x0); Avx.Store(d + ld, x1); Avx.Store(d + 2 * ld, x2); Avx.Store(d + 3 * ld, x3);
                    Avx.Store(d + 4 * ld, x4); Avx.Store(d + 5 * ld, x5); Avx.Store(d + 6 * ld, x6); Avx.Store(d + 7 * ld, x7);
                }
                for (; p < kc; p++)
                    for (int q = 0; q < 8; q++) dst[p * ld + r + q] = s[q * stride + p];
            }
        if (Sse.IsSupported)
            for (; r <= count - 4; r += 4)
            {
                float* s = src + r * stride;
                int p = 0;
                for (; p <= kc - 4; p += 4)
                {
                    var (x0, x1, x2, x3) = (Sse.LoadVector128(s + p), Sse.LoadVector128(s + stride + p), Sse.LoadVector128(s + 2 * stride + p), Sse.LoadVector128(s + 3 * stride + p));
                    var (t0, t1, t2, t3) = (Sse.UnpackLow(x0, x1), Sse.UnpackLow(x2, x3), Sse.UnpackHigh(x0, x1), Sse.UnpackHigh(x2, x3));
                    float* d = dst + p * ld + r;
                    Sse.Store(d, Sse.MoveLowToHigh(t0, t1));
                    Sse.Store(d + ld, Sse.MoveHighToLow(t1, t0));
                    Sse.Store(d + 2 * ld, Sse.MoveLowToHigh(t2, t3));
                    Sse.Store(d + 3 * ld, Sse.MoveHighToLow(t3, t2));
                }
                for (; p < kc; p++)
                    for (int q = 0; q < 4; q++) dst[p * ld + r + q] = s[q * stride + p];
            }
        for (; r < count; r++)
        {
            float* s = src + r * stride;
            for (int p = 0; p < kc; p++) dst[p * ld + r] = s[p];
        }
    }

    /// <summary>In-register transpose: on entry x_i is row i of an 8×8 block, on exit x_j is its column j.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Transpose8x8(ref Vector256<float> x0, ref Vector256<float> x1, ref Vector256<float> x2, ref Vector256<float> x3,
        ref Vector256<float> x4, ref Vector256<float> x5, ref Vector256<float> x6, ref Vector256<float> x7)
    {
        var t0 = Avx.UnpackLow(x0, x1); var t1 = Avx.UnpackHigh(x0, x1);
        var t2 = Avx.UnpackLow(x2, x3); var t3 = Avx.UnpackHigh(x2, x3);
        var t4 = Avx.UnpackLow(x4, x5); var t5 = Avx.UnpackHigh(x4, x5);
        var t6 = Avx.UnpackLow(x6, x7); var t7 = Avx.UnpackHigh(x6, x7);
        var u0 = Avx.Shuffle(t0, t2, 0x44); var u1 = Avx.Shuffle(t0, t2, 0xEE);
        var u2 = Avx.Shuffle(t1, t3, 0x44); var u3 = Avx.Shuffle(t1, t3, 0xEE);
        var u4 = Avx.Shuffle(t4, t6, 0x44); var u5 = Avx.Shuffle(t4, t6, 0xEE);
        var u6 = Avx.Shuffle(t5, t7, 0x44); var u7 = Avx.Shuffle(t5, t7, 0xEE);
        x0 = Avx.Permute2x128(u0, u4, 0x20); x1 = Avx.Permute2x128(u1, u5, 0x20);
        x2 = Avx.Permute2x128(u2, u6, 0x20); x3 = Avx.Permute2x128(u3, u7, 0x20);
        x4 = Avx.Permute2x128(u0, u4, 0x31); x5 = Avx.Permute2x128(u1, u5, 0x31);
        x6 = Avx.Permute2x128(u2, u6, 0x31); x7 = Avx.Permute2x128(u3, u7, 0x31);
    }
}
