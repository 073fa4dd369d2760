using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Spike.Cpu.Gemm;

/// <summary>
/// Packs blocks of A and B into the panel order the micro-kernel reads, so its loads are unit-stride and aligned
/// whatever the operand strides are (row-major, transposed views, broadcast). Partial panels are zero-padded:
/// the kernel always runs a full tile and the driver keeps only the valid part.
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
            if (csa == 1)
            {
                // Each row is contiguous along k: read rows, write with stride mr.
                for (int r = 0; r < rows; r++)
                {
                    float* s = src + r * rsa;
                    for (int p = 0; p < kc; p++) dst[p * mr + r] = s[p];
                }
            }
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
            if (csb == 1 && cols == 32 && nr == 32)
            {
                // Full AVX-512 panel from rows of B: two vector copies per k step.
                for (int p = 0; p < kc; p++)
                {
                    float* s = src + p * rsb;
                    Vector512.Store(Vector512.Load(s), dst + p * 32);
                    Vector512.Store(Vector512.Load(s + 16), dst + p * 32 + 16);
                }
            }
            else if (csb == 1)
            {
                for (int p = 0; p < kc; p++)
                {
                    float* s = src + p * rsb;
                    float* d = dst + p * nr;
                    for (int j = 0; j < cols; j++) d[j] = s[j];
                    for (int j = cols; j < nr; j++) d[j] = 0;
                }
            }
            else
            {
                // Transposed B (x·Wᵀ): each column is contiguous along k.
                for (int j = 0; j < cols; j++)
                {
                    float* s = src + j * csb;
                    for (int p = 0; p < kc; p++) dst[p * nr + j] = s[p * rsb];
                }
                if (cols < nr)
                    for (int p = 0; p < kc; p++)
                        for (int j = cols; j < nr; j++) dst[p * nr + j] = 0;
            }
        }
    }
}
