using System.Buffers;
using System.Numerics.Tensors;
using Spike.Cpu.Gemm;

namespace Spike.Cpu;

/// <summary>
/// Float32 convolutions over batches of at least the thread count. On AVX-512, with a unit stride along the width and
/// one group, <see cref="ConvGemm"/> runs the forward, the input gradient (as a convolution of dy with flipped weights,
/// for unit strides) and the weight gradient as packed GEMMs over runs of images, filling the micro-kernel's panels
/// straight from the images. Otherwise each worker unfolds an image into its own column buffer (about one L2's worth,
/// reused for every image it takes) and runs a single-threaded SGEMM on it, images in parallel. No batch-sized column
/// matrix is ever allocated. Batches smaller than the thread count (and other dtypes) take the chunked im2col +
/// batched GEMM of <see cref="ConvGeneric"/>, whose GEMM parallelises inside the product instead.
/// </summary>
public sealed partial class CpuBackend
{
    /// <summary>Below this many multiply-adds a convolution stays on the calling thread.</summary>
    const long ConvParallelThreshold = 1 << 20;

    static bool PerImage(Tensor t, int n) => t.DType == DType.Float32 && n >= Environment.ProcessorCount;

    static bool ConvParallel(long macs) => macs >= ConvParallelThreshold;

    // x: [N, G·C, H, W] any strides; weight: [Cout, C, KH, KW] and bias contiguous; y: [N, Cout, OH, OW] contiguous.
    public unsafe void Conv2d(Tensor x, Tensor weight, Tensor? bias, Tensor y, ConvGeometry g, int groups)
    {
        int n = x.Layout.Shape[0], cout = weight.Layout.Shape[0], coutG = cout / groups, ckk = g.C * g.KH * g.KW, p = g.OH * g.OW;
        if (!PerImage(x, n)) { ConvGeneric.Forward(this, x, weight, bias, y, g, groups); return; }
        if (SpikeConvApplies(x, groups)) { SpikeConv2d(x, weight, bias, y, g); return; }
        if (groups == 1 && ConvGemm.Applies(g, x.Layout.Strides[3]))
        {
            ConvGemm.Weights packed;
            fixed (float* wp = Data<float>(weight), bp = bias is null ? null : Data<float>(bias))
                packed = new(wp + weight.Layout.Offset, cout, ckk, ckk, bias is null ? null : bp + bias.Layout.Offset);
            ConvByImageRuns(packed, Data<float>(x), x.Layout, g, Data<float>(y), y.Layout.Offset);
            return;
        }
        // With a bias the weight gains a column and the column buffer a row of ones: y = [W | b]·[col; 1].
        int depth = bias is null ? ckk : ckk + 1;
        var w = Data<float>(weight).AsSpan(weight.Layout.Offset, cout * ckk);
        var wAug = LargeArrays.Uninitialized(cout * depth);   // every element written below
        for (int o = 0; o < cout; o++)
        {
            w.Slice(o * ckk, ckk).CopyTo(wAug.AsSpan(o * depth));
            if (bias is not null) wAug[o * depth + ckk] = Data<float>(bias)[bias.Layout.Offset + o];
        }
        var (xs, ys) = (Data<float>(x), Data<float>(y));
        var lx = x.Layout;
        WorkerTeam.For(0, n, () => RentColumns(depth, p, bias is not null), (ni, col) =>
        {
            fixed (float* cp = col, wp = wAug, yp = ys)
                for (int gi = 0; gi < groups; gi++)
                {
                    for (int c = 0; c < g.C; c++)
                        Im2ColPlane(xs, lx.Offset + ni * lx.Strides[0] + (gi * g.C + c) * lx.Strides[1], lx.Strides[2], lx.Strides[3],
                            col.AsSpan(c * g.KH * g.KW * p, g.KH * g.KW * p), g);
                    float* wg = wp + gi * coutG * depth, yg = yp + y.Layout.Offset + ((long)ni * cout + gi * coutG) * p;
                    Sgemm.Run(coutG, p, depth, wg, depth, 1, cp, p, 1, yg, p, 1, accumulate: false);   // y = W·col
                }
            return col;
        }, ReturnColumns, ConvParallel((long)n * cout * ckk * p));
    }

    // dy: [N, Cout, OH, OW] and weight contiguous; dx: [N, G·C, H, W] contiguous, overwritten.
    public unsafe void Conv2dInputGrad(Tensor dy, Tensor weight, Tensor dx, ConvGeometry g, int groups)
    {
        int n = dy.Layout.Shape[0], cout = weight.Layout.Shape[0], coutG = cout / groups, ckk = g.C * g.KH * g.KW, p = g.OH * g.OW;
        if (!PerImage(dy, n)) { ConvGeneric.InputGrad(this, dy, weight, dx, g, groups); return; }
        if (InputGradAsConvolution(g, groups, cout, dy.Layout.Strides[3]) is { } transposed)
        {
            ConvByImageRuns(FlippedWeights(weight, g), Data<float>(dy), dy.Layout, transposed, Data<float>(dx), dx.Layout.Offset);
            return;
        }
        var (ws, dys, dxs) = (Data<float>(weight), Data<float>(dy), Data<float>(dx));
        int plane = g.H * g.W;
        WorkerTeam.For(0, n, () => RentColumns(ckk, p, false), (ni, col) =>
        {
            fixed (float* cp = col, wp = ws, dyp = dys)
                for (int gi = 0; gi < groups; gi++)
                {
                    // col = W_gᵀ·dy_g: A(i, q) = W[q, i] is read through its transpose.
                    Sgemm.Run(ckk, p, coutG, wp + weight.Layout.Offset + gi * coutG * ckk, 1, ckk,
                        dyp + dy.Layout.Offset + ((long)ni * cout + gi * coutG) * p, p, 1, cp, p, 1, accumulate: false);
                    int xBase = dx.Layout.Offset + (ni * groups + gi) * g.C * plane;
                    dxs.AsSpan(xBase, g.C * plane).Clear();
                    for (int c = 0; c < g.C; c++)
                        Col2ImPlane<float>(col.AsSpan(c * g.KH * g.KW * p, g.KH * g.KW * p), dxs, xBase + c * plane, g.W, 1, g);
                }
            return col;
        }, ReturnColumns, ConvParallel((long)n * cout * ckk * p));
    }

    // dy: [N, Cout, OH, OW] contiguous; x: [N, G·C, H, W] any strides; dw: [Cout, C, KH, KW] contiguous, overwritten.
    // Each worker sums its images into a private dW, and the partial sums are added at the end.
    public unsafe void Conv2dWeightGrad(Tensor dy, Tensor x, Tensor dw, ConvGeometry g, int groups)
    {
        int n = dy.Layout.Shape[0], cout = dy.Layout.Shape[1], coutG = cout / groups, ckk = g.C * g.KH * g.KW, p = g.OH * g.OW;
        if (!PerImage(dy, n)) { ConvGeneric.WeightGrad(this, dy, x, dw, g, groups); return; }
        if (SpikeConvApplies(x, groups)) { SpikeConv2dWeightGrad(dy, x, dw, g); return; }
        var (xs, dys) = (Data<float>(x), Data<float>(dy));
        var (dws, dwOff) = (Data<float>(dw), dw.Layout.Offset);
        var lx = x.Layout;
        int chunks = ImageChunks(n, ConvParallel((long)n * cout * ckk * p));
        var partial = new float[chunks][];
        // The fused path pads the depths to 32-wide panels: a first layer's 9 would waste most of each.
        bool fused = groups == 1 && ckk >= 64 && ConvGemm.Applies(g, lx.Strides[3]);
        WorkerTeam.For(0, chunks, () => fused ? null : RentColumns(ckk, p, false), (ci, col) =>
        {
            var sum = partial[ci] = RentSum(cout * ckk);
            var (lo, hi) = ChunkImages(n, chunks, ci);
            fixed (float* cp = col, sp = sum, dyp = dys, xp = xs)
            {
                if (fused)
                {
                    ConvGemm.WeightGrad(dyp + dy.Layout.Offset, (long)cout * p, cout,
                        new(xp + lx.Offset, lx.Strides[0], lx.Strides[1], lx.Strides[2]), g, lo, hi, sp);
                    return col;
                }
                for (int ni = lo; ni < hi; ni++)
                    for (int gi = 0; gi < groups; gi++)
                    {
                        for (int c = 0; c < g.C; c++)
                            Im2ColPlane(xs, lx.Offset + ni * lx.Strides[0] + (gi * g.C + c) * lx.Strides[1], lx.Strides[2], lx.Strides[3],
                                col.AsSpan(c * g.KH * g.KW * p, g.KH * g.KW * p), g);
                        float* dyg = dyp + dy.Layout.Offset + ((long)ni * cout + gi * coutG) * p, sg = sp + gi * coutG * ckk;
                        // dW += dy·colᵀ; Sgemm computes dWᵀ += col·dyᵀ itself when that pads less (a first layer's 9 vs 128).
                        Sgemm.Run(coutG, ckk, p, dyg, p, 1, cp, 1, p, sg, ckk, 1, accumulate: true);
                    }
            }
            return col;
        }, col => { if (col is not null) ReturnColumns(col); }, chunks > 1);
        AddPartials(partial, dws.AsSpan(dwOff, cout * ckk));
    }

    /// <summary>
    /// y[i] = A·im2col(x[i]) for every image through <see cref="ConvGemm"/>, runs of consecutive images in parallel. A
    /// run is long enough (about 1536 positions) that its single ragged panel at the end costs little, and short
    /// enough that every thread gets several runs. y: [N, A's rows, OH, OW] contiguous from yOffset.
    /// </summary>
    static unsafe void ConvByImageRuns(ConvGemm.Weights a, float[] xs, Layout lx, ConvGeometry g, float[] ys, int yOffset)
    {
        int n = lx.Shape[0], p = g.OH * g.OW;
        int perRun = Math.Clamp((1536 + p - 1) / p, 1, Math.Max(1, n / (2 * WorkerTeam.Size)));
        int runs = (n + perRun - 1) / perRun;
        WorkerTeam.For(0, runs, () => 0, (ri, none) =>
        {
            fixed (float* xp = xs, yp = ys)
                ConvGemm.Run(a, new(xp + lx.Offset, lx.Strides[0], lx.Strides[1], lx.Strides[2]), g,
                    ri * perRun, Math.Min(n, (ri + 1) * perRun), yp + yOffset, (long)a.M * p);
            return none;
        }, _ => { }, ConvParallel((long)n * a.M * a.Depth * p));
    }

    /// <summary>
    /// With unit strides the input gradient is itself a convolution: dx[c, h, w] = Σ dy[o, h − PH' + kh·DH, …]·W'[c, o,
    /// kh, kw] over dy padded by PH' = (KH − 1)·DH − PH, with W'[c, o, kh, kw] = W[o, c, KH − 1 − kh, KW − 1 − kw]. The
    /// geometry of that convolution (over dy), or null when the shortcut does not apply.
    /// </summary>
    static ConvGeometry? InputGradAsConvolution(ConvGeometry g, int groups, int cout, int dyWidthStride)
    {
        int ph = (g.KH - 1) * g.DH - g.PH, pw = (g.KW - 1) * g.DW - g.PW;
        if (groups != 1 || g.SH != 1 || g.SW != 1 || ph < 0 || pw < 0) return null;
        var t = ConvGeometry.For(cout, g.OH, g.OW, g.KH, g.KW, 1, 1, ph, pw, g.DH, g.DW);
        return ConvGemm.Applies(t, dyWidthStride) && t.OH == g.H && t.OW == g.W ? t : null;
    }

    /// <summary>W' of <see cref="InputGradAsConvolution"/> as [C, Cout·KH·KW], packed.</summary>
    static unsafe ConvGemm.Weights FlippedWeights(Tensor weight, ConvGeometry g)
    {
        int cout = weight.Layout.Shape[0], kk = g.KH * g.KW, depth = cout * kk;
        var (w, off) = (Data<float>(weight), weight.Layout.Offset);
        var flipped = LargeArrays.Uninitialized(g.C * depth);
        for (int c = 0; c < g.C; c++)
            for (int o = 0; o < cout; o++)
                for (int r = 0; r < kk; r++)
                    flipped[c * depth + o * kk + r] = w[off + (o * g.C + c) * kk + kk - 1 - r];
        fixed (float* fp = flipped) return new ConvGemm.Weights(fp, g.C, depth, depth, null);
    }

    /// <summary>
    /// Weight gradients sum their images in fixed contiguous chunks, one partial sum per chunk, and add the partials in
    /// chunk order (<see cref="AddPartials"/>): the result does not depend on which thread took which chunk, so a
    /// resumed training run repeats an uninterrupted one bit for bit. One chunk per thread when parallel.
    /// </summary>
    static int ImageChunks(int n, bool parallel) => parallel ? Math.Max(1, Math.Min(n, WorkerTeam.Size)) : 1;

    static (int Lo, int Hi) ChunkImages(int n, int chunks, int chunk) =>
        ((int)((long)n * chunk / chunks), (int)((long)n * (chunk + 1) / chunks));

    /// <summary>dst = Σ partial[c] in chunk order; gives the partial arrays back to the pool.</summary>
    static void AddPartials(float[][] partial, Span<float> dst)
    {
        partial[0].AsSpan(0, dst.Length).CopyTo(dst);
        for (int c = 1; c < partial.Length; c++) TensorPrimitives.Add(dst, partial[c].AsSpan(0, dst.Length), dst);
        foreach (var part in partial) ArrayPool<float>.Shared.Return(part);
    }

    /// <summary>A worker's column buffer [rows (+ a row of ones), p].</summary>
    static float[] RentColumns(int rows, int p, bool onesRow)
    {
        var col = ArrayPool<float>.Shared.Rent(rows * p);
        if (onesRow) col.AsSpan((rows - 1) * p, p).Fill(1f);
        return col;
    }

    static void ReturnColumns(float[] col) => ArrayPool<float>.Shared.Return(col);

    static float[] RentSum(int length)
    {
        var sum = ArrayPool<float>.Shared.Rent(length);
        sum.AsSpan(0, length).Clear();
        return sum;
    }
}
