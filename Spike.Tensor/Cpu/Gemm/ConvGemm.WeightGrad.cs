using System.Runtime.CompilerServices;

namespace Spike.Cpu.Gemm;

internal static unsafe partial class ConvGemm
{
    [ThreadStatic] static float* _rowPanels;
    [ThreadStatic] static float* _columnRows;

    /// <summary>
    /// dW += dy·im2col(x)ᵀ over the positions of images [lo, hi) on the calling thread: the GEMM's depth runs over the
    /// positions of all those images (blocks of up to 384, across image boundaries), so each pass over dW carries a
    /// full depth block, not one image's 196 positions. The im2col rows come straight from x as in the forward
    /// (<see cref="PackPanel"/>, 32 positions by up to 480 depths, in L1/L2) and are transposed into the B panels.
    /// dy: image i's [m, OH·OW] at dy + i·dyImageStride; dW: [m, C·KH·KW] row-major.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void WeightGrad(float* dy, long dyImageStride, int m, Images x, ConvGeometry g, int lo, int hi, float* dw)
    {
        if (_rowPanels == null) _rowPanels = Buffer(Sgemm.MC * Sgemm.KC);
        if (_columnRows == null) _columnRows = Buffer(Sgemm.NC * NR);
        float* pb = Panels, pa = _rowPanels, rowsOfX = _columnRows, tile = stackalloc float[MR * NR];
        int p = g.OH * g.OW, total = (hi - lo) * p, depth = g.C * g.KH * g.KW;
        int blocks = (total + Sgemm.KC - 1) / Sgemm.KC, kq = (total + blocks - 1) / blocks;
        var loads = LoadTable.For(g);
        for (int jc = 0; jc < depth; jc += Sgemm.NC)
        {
            int nk = Math.Min(Sgemm.NC, depth - jc);
            for (int qc = 0; qc < total; qc += kq)
            {
                int kc = Math.Min(kq, total - qc);
                // B(q, k) = im2col(x)(k, q): 32 positions of nk im2col rows at a time, each 32-depth slice transposed
                // into its panel [kc][32].
                for (int qg = 0; qg < kc; qg += NR)
                {
                    int cols = Math.Min(NR, kc - qg);
                    PackPanel(x, g, lo, qc + qg, cols, jc, nk, loads, rowsOfX);
                    for (int jr = 0; jr < nk; jr += NR)
                    {
                        int count = Math.Min(NR, nk - jr);
                        float* dst = pb + jr * kc + qg * NR;
                        SgemmPack.Transpose(rowsOfX + jr * NR, NR, count, cols, dst, NR);
                        // A ragged last panel's spare columns only reach tile columns that are dropped, but stale
                        // values there (denormals) would slow the kernel: zero them.
                        for (int q = 0; q < cols && count < NR; q++) new Span<float>(dst + q * NR + count, NR - count).Clear();
                    }
                }
                for (int ic = 0; ic < m; ic += Sgemm.MC)
                {
                    int mc = Math.Min(Sgemm.MC, m - ic);
                    PackOutputRows(dy, dyImageStride, p, lo, qc, kc, ic, mc, pa);
                    for (int ir = 0; ir < mc; ir += MR)
                    {
                        int rows = Math.Min(MR, mc - ir);
                        for (int jr = 0; jr < nk; jr += NR)
                        {
                            int cols = Math.Min(NR, nk - jr);
                            float* c = dw + (long)(ic + ir) * depth + jc + jr;
                            if (rows == MR && cols == NR) Avx512Kernel.Run(kc, pa + ir * kc, pb + jr * kc, c, depth, overwrite: false);
                            else
                            {
                                Avx512Kernel.Run(kc, pa + ir * kc, pb + jr * kc, tile, NR, overwrite: true);
                                Sgemm.PutRows(tile, NR, rows, cols, c, depth, overwrite: false);
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// A(o, q) = dy(o, q) for rows [ic, ic + mc) and positions [qc, qc + kc) as panels [kc][12], zero-padded: each
    /// image's stretch of positions is 12 rows contiguous along q, transposed.
    /// </summary>
    static void PackOutputRows(float* dy, long dyImageStride, int p, int lo, int qc, int kc, int ic, int mc, float* dst)
    {
        for (int ir = 0; ir < mc; ir += MR, dst += MR * kc)
        {
            int rows = Math.Min(MR, mc - ir);
            for (int q = qc; q < qc + kc;)
            {
                int pos = q % p, run = Math.Min(qc + kc - q, p - pos);
                float* src = dy + (lo + q / p) * dyImageStride + (long)(ic + ir) * p + pos;
                SgemmPack.Transpose(src, p, rows, run, dst + (q - qc) * MR, MR);
                q += run;
            }
            for (int k = 0; k < kc && rows < MR; k++) new Span<float>(dst + k * MR + rows, MR - rows).Clear();
        }
    }
}
