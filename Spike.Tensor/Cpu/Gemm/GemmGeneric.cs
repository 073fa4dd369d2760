using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;

namespace Spike.Cpu.Gemm;

/// <summary>
/// A plain blocked GEMM for every numeric type but Float32 (Float64 gradient checks, integers): B is packed
/// KB×NB at a time into a contiguous block so each output row is updated with unit-stride SIMD axpys.
/// </summary>
internal static class GemmGeneric
{
    const int NB = 256, KB = 128;

    /// <summary>C = or += A·B; element (i, p) of A is a[aOff + i·rsa + p·csa], likewise for B and C.</summary>
    public static void Run<T>(int m, int n, int k, T[] a, int aOff, int rsa, int csa, T[] b, int bOff, int rsb, int csb,
        T[] c, int cOff, int rsc, int csc, bool accumulate) where T : unmanaged, INumber<T>
    {
        if (m == 0 || n == 0) return;
        var packed = ArrayPool<T>.Shared.Rent(KB * NB);
        var acc = ArrayPool<T>.Shared.Rent(NB);
        try
        {
            for (int j0 = 0; j0 < n; j0 += NB)
            {
                int nb = Math.Min(NB, n - j0);
                // k = 0 still runs one (empty) depth block so C is zeroed.
                for (int p0 = 0; p0 < Math.Max(k, 1); p0 += KB)
                {
                    int kb = Math.Min(KB, k - p0);
                    for (int p = 0; p < kb; p++)
                        for (int j = 0; j < nb; j++) packed[p * nb + j] = b[bOff + (p0 + p) * rsb + (j0 + j) * csb];
                    bool overwrite = p0 == 0 && !accumulate;
                    var row = acc.AsSpan(0, nb);
                    for (int i = 0; i < m; i++)
                    {
                        int cRow = cOff + i * rsc + j0 * csc;
                        if (overwrite) row.Clear();
                        else for (int j = 0; j < nb; j++) row[j] = c[cRow + j * csc];
                        int aRow = aOff + i * rsa + p0 * csa;
                        for (int p = 0; p < kb; p++)
                            TensorPrimitives.MultiplyAdd(packed.AsSpan(p * nb, nb), a[aRow + p * csa], row, row);
                        for (int j = 0; j < nb; j++) c[cRow + j * csc] = row[j];
                    }
                }
            }
        }
        finally
        {
            ArrayPool<T>.Shared.Return(packed);
            ArrayPool<T>.Shared.Return(acc);
        }
    }
}
