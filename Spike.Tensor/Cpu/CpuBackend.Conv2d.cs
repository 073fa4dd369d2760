using System.Buffers;
using System.Numerics.Tensors;
using Spike.Cpu.Gemm;

namespace Spike.Cpu;

/// <summary>
/// Float32 convolutions one image at a time: each worker unfolds an image into its own column buffer (about one L2's
/// worth, reused for every image it takes) and runs a single-threaded SGEMM on it, images in parallel. No batch-sized
/// column matrix is ever allocated, and the column data is consumed while it is still in cache. Batches smaller than
/// the thread count (and other dtypes) take the chunked im2col + batched GEMM of <see cref="ConvGeneric"/>, whose GEMM
/// parallelises inside the product instead.
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
        WorkerTeam.For(0, chunks, () => RentColumns(ckk, p, false), (ci, col) =>
        {
            var sum = partial[ci] = RentSum(cout * ckk);
            var (lo, hi) = ChunkImages(n, chunks, ci);
            fixed (float* cp = col, sp = sum, dyp = dys)
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
            return col;
        }, ReturnColumns, chunks > 1);
        AddPartials(partial, dws.AsSpan(dwOff, cout * ckk));
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
