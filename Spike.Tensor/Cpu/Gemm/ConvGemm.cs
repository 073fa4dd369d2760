using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Spike.Cpu.Gemm;

/// <summary>
/// A convolution as one packed GEMM over a run of images, y[img] = W·im2col(x[img]), without a column matrix: the
/// B panels the micro-kernel reads are filled straight from the images with masked loads, the weights are packed once
/// per call, and the positions of consecutive images follow each other along the GEMM's columns, so a 14×14 image's
/// 196 positions do not each pad a 32-wide panel (196 = 6·32 + 4). AVX-512 only, for inputs contiguous along the
/// width with a unit horizontal stride; other cases take im2col + <see cref="Sgemm"/>.
/// </summary>
internal static unsafe partial class ConvGemm
{
    const int MR = 12, NR = 32, Half = 16;

    [ThreadStatic] static float* _panels;

    /// <summary>The calling thread's buffer for one KC×NC block of B panels (kept for the thread's lifetime, as
    /// <see cref="Sgemm"/>'s own).</summary>
    static float* Panels => _panels != null ? _panels : _panels = Buffer(Sgemm.NC * Sgemm.KC);

    static float* Buffer(int floats) => (float*)NativeMemory.AlignedAlloc((nuint)(floats * sizeof(float)), 64);

    /// <summary>Whether the fused path can take a convolution whose input has this stride along W.</summary>
    public static bool Applies(ConvGeometry g, int widthStride) => Avx512F.IsSupported && g.SW == 1 && widthStride == 1;

    /// <summary>
    /// The weights A (M rows × Depth) packed once into the micro-kernel's row panels, one set per depth block: the block
    /// at depth pc (KC deep, the last one shorter) holds panel i = A rows [12·i, 12·i + 12) as [kc][12], zero-padded.
    /// </summary>
    public readonly struct Weights
    {
        public readonly float[] Data;
        public readonly int M, Depth, KC;
        int PaddedRows => (M + MR - 1) / MR * MR;

        /// <summary>A(i, k) = w[i·ldw + k] for k &lt; depth; with a bias, one more depth column A(i, depth) = bias[i],
        /// which the packed images meet with a row of ones.</summary>
        public Weights(float* w, int m, int depth, int ldw, float* bias)
        {
            M = m;
            Depth = depth + (bias is null ? 0 : 1);
            // Even depth blocks: 1153 = 4 × 289 rather than 3 × 384 + 1, whose last block would be a whole pass over C.
            int blocks = (Depth + Sgemm.KC - 1) / Sgemm.KC;
            KC = (Depth + blocks - 1) / blocks;
            Data = LargeArrays.Uninitialized(PaddedRows * Depth);   // every element written below
            for (int pc = 0; pc < Depth; pc += KC)
            {
                int kc = Math.Min(KC, Depth - pc);
                for (int i0 = 0; i0 < PaddedRows; i0 += MR)
                {
                    long dst = PanelOffset(pc, i0 / MR, kc);
                    for (int p = 0; p < kc; p++)
                        for (int r = 0; r < MR; r++)
                        {
                            int i = i0 + r, k = pc + p;
                            Data[dst + p * MR + r] = i >= m ? 0 : k < depth ? w[(long)i * ldw + k] : bias[i];
                        }
                }
            }
        }

        public long PanelOffset(int pc, int panel, int kc) => (long)pc * PaddedRows + (long)panel * kc * MR;
    }

    /// <summary>
    /// Where the images lie: image i's channel c, row h, column w is at X + i·ImageStride + c·ChannelStride + h·RowStride + w.
    /// </summary>
    public readonly struct Images(float* x, long imageStride, long channelStride, long rowStride)
    {
        public readonly float* X = x;
        public readonly long ImageStride = imageStride, ChannelStride = channelStride, RowStride = rowStride;
    }

    /// <summary>
    /// y[i] (=) A·im2col(x[i]) for images i in [lo, hi) on the calling thread; y[i] is [M, OH·OW] row-major at
    /// y + i·yImageStride. Geometry g is x's; the depth of A is g.C·KH·KW (+ 1 with a bias).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(in Weights a, Images x, ConvGeometry g, int lo, int hi, float* y, long yImageStride)
    {
        float* pb = Panels, tile = stackalloc float[MR * NR];
        int p = g.OH * g.OW, total = (hi - lo) * p, rowPanels = (a.M + MR - 1) / MR;
        var loads = LoadTable.For(g);
        fixed (float* ap = a.Data)
            for (int jc = 0; jc < total; jc += Sgemm.NC)
            {
                int nc = Math.Min(Sgemm.NC, total - jc);
                for (int pc = 0; pc < a.Depth; pc += a.KC)
                {
                    int kc = Math.Min(a.KC, a.Depth - pc);
                    for (int jr = 0; jr < nc; jr += NR)
                        PackPanel(x, g, lo, jc + jr, Math.Min(NR, total - jc - jr), pc, kc, loads, pb + jr * kc);
                    bool overwrite = pc == 0;
                    for (int ir = 0; ir < rowPanels; ir++)
                    {
                        float* apanel = ap + a.PanelOffset(pc, ir, kc);
                        int rows = Math.Min(MR, a.M - ir * MR);
                        for (int jr = 0; jr < nc; jr += NR)
                        {
                            int q = jc + jr, cols = Math.Min(NR, total - q), img = lo + q / p, pos = q % p;
                            if (rows == MR && cols == NR && pos + NR <= p)
                                Avx512Kernel.Run(kc, apanel, pb + jr * kc, y + img * yImageStride + (long)ir * MR * p + pos, p, overwrite);
                            else
                            {
                                Avx512Kernel.Run(kc, apanel, pb + jr * kc, tile, NR, overwrite: true);
                                PutAcrossImages(tile, rows, cols, q, lo, p, y + (long)ir * MR * p, yImageStride, overwrite);
                            }
                        }
                    }
                }
            }
    }

    /// <summary>
    /// Writes the valid rows × cols of a stack tile whose lane l is global column q0 + l, column q being position q mod p
    /// of image lo + q / p; yRows is row 0 of the tile's rows in image 0. A tile that runs past an image's last position
    /// goes on at the next image's first.
    /// </summary>
    static void PutAcrossImages(float* tile, int rows, int cols, int q0, int lo, int p, float* yRows, long yImageStride, bool overwrite)
    {
        for (int lane = 0; lane < cols;)
        {
            int q = q0 + lane, pos = q % p, run = Math.Min(cols - lane, p - pos);
            float* dst = yRows + (lo + q / p) * yImageStride + pos - lane;   // where lane 0 would go
            var (m0, m1) = (LaneMasks.Between32(lane, lane + run), LaneMasks.Between32(lane - Half, lane + run - Half));
            for (int i = 0; i < rows; i++)
            {
                float* t = tile + i * NR, d = dst + (long)i * p;
                Sgemm.Put(d, Vector512.Load(t), m0, overwrite);
                Sgemm.Put(d + Half, Vector512.Load(t + Half), m1, overwrite);
            }
            lane += run;
        }
    }

    /// <summary>
    /// Fills the B panel for global columns [q0, q0 + cols) and depths [pc, pc + kc) as [kc][32]: the im2col values of
    /// those positions, zero outside the image and beyond cols, and ones on the bias depth g.C·KH·KW.
    /// </summary>
    static void PackPanel(Images x, ConvGeometry g, int lo, int q0, int cols, int pc, int kc, LoadTable loads, float* dst)
    {
        int kk = g.KH * g.KW, depth = g.C * kk;
        loads.Build(x, g, lo, q0, cols);
        var ones = (LaneMasks.Between32(0, cols), LaneMasks.Between32(-Half, cols - Half));
        int c = pc / kk, r = pc - c * kk;
        fixed (long* off = loads.Offsets)
        fixed (Vector512<float>* m0 = loads.Low, m1 = loads.High)
        fixed (int* start = loads.Start)
            for (int k = 0; k < kc; k++, dst += NR)
            {
                Vector512<float> v0 = default, v1 = default;
                if (pc + k < depth)
                {
                    float* xc = x.X + c * x.ChannelStride;
                    for (int e = start[r]; e < start[r + 1]; e++)
                    {
                        v0 = Avx512F.MaskLoad(xc + off[e], m0[e], v0);
                        v1 = Avx512F.MaskLoad(xc + off[e] + Half, m1[e], v1);
                    }
                    if (++r == kk) (r, c) = (0, c + 1);
                }
                else (v0, v1) = (Vector512<float>.One & ones.Item1, Vector512<float>.One & ones.Item2);
                Vector512.Store(v0, dst);
                Vector512.Store(v1, dst + Half);
            }
    }

    /// <summary>
    /// For one B panel, the masked loads that make up a row of it for each kernel offset r = kh·KW + kw: the panel's
    /// columns split into runs along one output row of one image, and run s contributes the lanes whose input pixel
    /// lies inside the image, read contiguously from x at channel offset + Offsets[e] (lane 0's address).
    /// </summary>
    sealed class LoadTable
    {
        [ThreadStatic] static LoadTable? _cached;
        public long[] Offsets = [];
        public Vector512<float>[] Low = [], High = [];
        public int[] Start = [];

        public static LoadTable For(ConvGeometry g)
        {
            var t = _cached ??= new LoadTable();
            int kk = g.KH * g.KW;
            if (t.Start.Length < kk + 1)
            {
                t.Start = new int[kk + 1];
                (t.Offsets, t.Low, t.High) = (new long[kk * NR], new Vector512<float>[kk * NR], new Vector512<float>[kk * NR]);
            }
            return t;
        }

        public void Build(Images x, ConvGeometry g, int lo, int q0, int cols)
        {
            int p = g.OH * g.OW, e = 0;
            Span<(int Lane, int Length, int Image, int Oh, int Ow)> runs = stackalloc (int, int, int, int, int)[NR];
            int count = 0;
            for (int lane = 0; lane < cols;)
            {
                int q = q0 + lane, pos = q % p, oh = pos / g.OW, ow = pos - oh * g.OW;
                int length = Math.Min(cols - lane, g.OW - ow);
                runs[count++] = (lane, length, lo + q / p, oh, ow);
                lane += length;
            }
            for (int kh = 0, r = 0; kh < g.KH; kh++)
                for (int kw = 0; kw < g.KW; kw++, r++)
                {
                    Start[r] = e;
                    var (wLo, wHi) = CpuBackend.ValidRange(g.OW, g.W, g.SW, kw * g.DW - g.PW);
                    foreach (var run in runs[..count])
                    {
                        int ih = run.Oh * g.SH - g.PH + kh * g.DH;
                        int a = run.Lane + Math.Max(0, wLo - run.Ow), b = run.Lane + Math.Min(run.Length, wHi - run.Ow);
                        if (ih < 0 || ih >= g.H || a >= b) continue;
                        long offset = run.Image * x.ImageStride + ih * x.RowStride + (run.Ow - g.PW + kw * g.DW) - run.Lane;
                        var (low, high) = (LaneMasks.Between32(a, b), LaneMasks.Between32(a - Half, b - Half));
                        // Runs that continue each other in memory share one load: with "same" padding an image's
                        // output rows follow its input rows, so a panel inside one image is one masked load.
                        if (e > Start[r] && Offsets[e - 1] == offset) (Low[e - 1], High[e - 1]) = (Low[e - 1] | low, High[e - 1] | high);
                        else (Offsets[e], Low[e], High[e], e) = (offset, low, high, e + 1);
                    }
                }
            Start[g.KH * g.KW] = e;
        }
    }
}
