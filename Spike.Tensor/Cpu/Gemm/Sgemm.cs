using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Spike.Cpu.Gemm;

/// <summary>
/// Single-threaded packed, cache-blocked SGEMM (the BLIS loop nest): C = or += A·B with A: m×k, B: k×n, C: m×n,
/// every operand with arbitrary element strides. Blocking: a KC×NC block of packed B stays in L2 while
/// MR×KC micro-panels of packed A (L1) sweep across its NR-wide micro-panels. Callers split the work across
/// threads (<see cref="CpuBackend"/>); each thread owns its packing buffers.
/// </summary>
internal static unsafe class Sgemm
{
    /// <summary>Depth of one packed block: a 12×KC A micro-panel is 18 KiB, inside L1 beside the B stream.</summary>
    public const int KC = 384;
    /// <summary>Rows of A packed at a time (a multiple of every kernel's MR).</summary>
    public const int MC = 96;
    /// <summary>Columns of B packed at a time: KC×NC floats = 720 KiB, sized for a 1 MiB L2.</summary>
    public const int NC = 480;

    [ThreadStatic] static float* _bufA;
    [ThreadStatic] static float* _bufB;

    /// <summary>Which micro-kernel this machine runs, for benchmark reports.</summary>
    public static string KernelName =>
        Avx512F.IsSupported ? "avx512-12x32" : Avx2.IsSupported && Fma.IsSupported ? "avx2-6x16" : "scalar-4x8";

    /// <summary>The micro-tile (MR rows × NR columns) of the kernel this machine runs.</summary>
    public static (int MR, int NR) Tile =>
        Avx512F.IsSupported ? (Avx512Kernel.MR, Avx512Kernel.NR) : Avx2.IsSupported && Fma.IsSupported ? (Avx2Kernel.MR, Avx2Kernel.NR) : (ScalarKernel.MR, ScalarKernel.NR);

    public static void Run(int m, int n, int k, float* a, nint rsa, nint csa, float* b, nint rsb, nint csb,
        float* c, nint rsc, nint csc, bool accumulate)
    {
        if (m == 0 || n == 0) return;
        if (k == 0)
        {
            if (!accumulate)
                for (int i = 0; i < m; i++)
                    for (int j = 0; j < n; j++) c[i * rsc + j * csc] = 0;
            return;
        }
        // Cᵀ = Bᵀ·Aᵀ when the transposed product fills the micro-tile better (x·Wᵀ with 10 outputs: 10 of 32 columns
        // used, against 10 of 12 rows transposed).
        if (FillsBetterTransposed(m, n, k))
        {
            (m, n, rsa, csa, rsb, csb, rsc, csc) = (n, m, csb, rsb, csa, rsa, csc, rsc);
            float* t = a;
            a = b;
            b = t;
        }
        if (Avx512F.IsSupported) Run<Avx512Kernel>(m, n, k, a, rsa, csa, b, rsb, csb, c, rsc, csc, accumulate);
        else if (Avx2.IsSupported && Fma.IsSupported) Run<Avx2Kernel>(m, n, k, a, rsa, csa, b, rsb, csb, c, rsc, csc, accumulate);
        else Run<ScalarKernel>(m, n, k, a, rsa, csa, b, rsb, csb, c, rsc, csc, accumulate);
    }

    /// <summary>Whether the product's transpose pads less: the narrow side of a GEMM is padded to the tile (MR rows,
    /// NR columns), e.g. 196 positions pad to 224 columns but to 204 rows. A transposed C is written through the edge
    /// path, which only pays off with enough depth.</summary>
    static bool FillsBetterTransposed(int m, int n, int k)
    {
        var (mr, nr) = Tile;
        static double Fill(int size, int tile) => size / (double)((size + tile - 1) / tile * tile);
        return k >= 64 && Fill(n, mr) * Fill(m, nr) > 1.05 * Fill(m, mr) * Fill(n, nr);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Run<TK>(int m, int n, int k, float* a, nint rsa, nint csa, float* b, nint rsb, nint csb,
        float* c, nint rsc, nint csc, bool accumulate) where TK : ISgemmKernel
    {
        int mr = TK.MR, nr = TK.NR;
        if (_bufA == null)
        {
            // Per-thread, kept for the thread's lifetime (pool threads are few and long-lived).
            _bufA = (float*)NativeMemory.AlignedAlloc((nuint)(MC * KC * sizeof(float)), 64);
            _bufB = (float*)NativeMemory.AlignedAlloc((nuint)(NC * KC * sizeof(float)), 64);
        }
        float* pa = _bufA, pb = _bufB;
        float* tile = stackalloc float[mr * nr];
        float* tileT = stackalloc float[nr * TransposedRow];
        // Edge tiles are written with masked vectors when C has a unit stride along either side.
        bool maskedEdges = Avx512F.IsSupported && mr <= TransposedRow && nr == 2 * TransposedRow;

        for (int jc = 0; jc < n; jc += NC)
        {
            int nc = Math.Min(NC, n - jc);
            for (int pc = 0; pc < k; pc += KC)
            {
                int kc = Math.Min(KC, k - pc);
                SgemmPack.B(nr, nc, kc, b + pc * rsb + jc * csb, rsb, csb, pb);
                // The first depth block writes C (unless accumulating); later ones add to it.
                bool overwrite = pc == 0 && !accumulate;
                for (int ic = 0; ic < m; ic += MC)
                {
                    int mc = Math.Min(MC, m - ic);
                    SgemmPack.A(mr, mc, kc, a + ic * rsa + pc * csa, rsa, csa, pa);
                    for (int ir = 0; ir < mc; ir += mr)
                    {
                        int rows = Math.Min(mr, mc - ir);
                        float* ap = pa + ir * kc;
                        for (int jr = 0; jr < nc; jr += nr)
                        {
                            int cols = Math.Min(nr, nc - jr);
                            float* cp = c + (ic + ir) * rsc + (jc + jr) * csc;
                            if (rows == mr && cols == nr && csc == 1)
                            {
                                TK.Run(kc, ap, pb + jr * kc, cp, rsc, overwrite);
                                continue;
                            }
                            // Edge tile or strided C: full tile into the stack, keep the valid rows×cols.
                            TK.Run(kc, ap, pb + jr * kc, tile, nr, overwrite: true);
                            if (maskedEdges && csc == 1) PutRows(tile, nr, rows, cols, cp, rsc, overwrite);
                            else if (maskedEdges && rsc == 1) PutColumns(tile, tileT, mr, nr, rows, cols, cp, csc, overwrite);
                            else
                                for (int i = 0; i < rows; i++)
                                    for (int j = 0; j < cols; j++)
                                    {
                                        float* d = cp + i * rsc + j * csc;
                                        *d = overwrite ? tile[i * nr + j] : *d + tile[i * nr + j];
                                    }
                        }
                    }
                }
            }
        }
    }

    /// <summary>Row length of the transposed edge tile: one AVX-512 vector, so a column of up to 16 rows is one
    /// masked store.</summary>
    const int TransposedRow = 16;

    /// <summary>C[i, 0..cols) (=|+=) tile row i for i &lt; rows: C row-major, two masked vectors per row.</summary>
    internal static void PutRows(float* tile, int nr, int rows, int cols, float* c, nint rsc, bool overwrite)
    {
        var (m0, m1) = (LaneMasks.First32(cols), LaneMasks.First32(cols - TransposedRow));
        for (int i = 0; i < rows; i++)
        {
            float* d = c + i * rsc, t = tile + i * nr;
            Put(d, Vector512.Load(t), m0, overwrite);
            if (cols > TransposedRow) Put(d + TransposedRow, Vector512.Load(t + TransposedRow), m1, overwrite);
        }
    }

    /// <summary>C[0..rows), j] (=|+=) tile column j for j &lt; cols: C column-major (a transposed product), the tile
    /// transposed by 8×8 register blocks so each column is one masked vector.</summary>
    static void PutColumns(float* tile, float* tileT, int mr, int nr, int rows, int cols, float* c, nint csc, bool overwrite)
    {
        SgemmPack.Transpose(tile, nr, mr, nr, tileT, TransposedRow);
        var mask = LaneMasks.First32(rows);
        for (int j = 0; j < cols; j++) Put(c + j * csc, Vector512.Load(tileT + j * TransposedRow), mask, overwrite);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Put(float* d, Vector512<float> v, Vector512<float> mask, bool overwrite)
    {
        if (!overwrite) v = Avx512F.MaskLoad(d, mask, default) + v;
        Avx512F.MaskStore(d, mask, v);
    }
}
