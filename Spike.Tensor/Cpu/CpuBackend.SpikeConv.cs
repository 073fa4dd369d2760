using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Spike.Cpu;

/// <summary>
/// Spike-sparse convolution (Float32, one group): when the input is binary and sparse, the forward pass and the weight
/// gradient visit only the spikes. A spike at input (c, ih, iw) meets output position (oh, ow) through tap (i, j)
/// exactly when oh·SH − PH + i·DH = ih and ow·SW − PW + j·DW = iw, so
///   forward:         yᵀ[oh·OW + ow, :] += Wᵀ[(c·KH + i)·KW + j, :]
///   weight gradient: dWᵀ[(c·KH + i)·KW + j, :] += dyᵀ[oh·OW + ow, :]
/// with output channels contiguous in every row (a row add is Cout/16 vector adds). The work is proportional to the
/// number of spikes times the taps instead of to C·H·W; the dense per-image GEMM stays the path for dense or graded
/// inputs and for the input gradient (dy is dense). Sums run in a different order from the GEMM's, so results agree
/// with it to rounding, not bit for bit.
/// </summary>
public sealed partial class CpuBackend
{
    /// <summary>
    /// The spike density below which the scatter-add beats the per-image GEMM for both forward and weight gradient
    /// (measured by the <c>sparse</c> benchmarks at the EN5 layer: even at 0.2, ahead below; docs/performance.md).
    /// </summary>
    public const double ConvSpikeCrossover = 0.15;

    /// <summary>Turns the spike-sparse convolution off on the calling thread, so benchmarks and tests can run the
    /// dense path on the same input.</summary>
    internal static bool SpikeConvolution { get => !t_denseConvolution; set => t_denseConvolution = !value; }

    [ThreadStatic] static bool t_denseConvolution;

    /// <summary>Asked by the per-image paths only (Float32, at least one image per thread).</summary>
    bool SpikeConvApplies(Tensor x, int groups) =>
        SpikeConvolution && groups == 1 && SpikeDensity(x) is >= 0 and < ConvSpikeCrossover;

    /// <summary>Forward: per image, yᵀ [P, Cout] is built from the spikes' weight rows, then transposed into y.</summary>
    internal static void SpikeConv2d(Tensor x, Tensor weight, Tensor? bias, Tensor y, ConvGeometry g)
    {
        int n = x.Layout.Shape[0], cout = weight.Layout.Shape[0], ckk = g.C * g.KH * g.KW, p = g.OH * g.OW;
        var wT = Transposed(Data<float>(weight), weight.Layout.Offset, cout, ckk);
        var b = bias is null ? null : Data<float>(bias).AsSpan(bias.Layout.Offset, cout).ToArray();
        var (xs, ys) = (Data<float>(x), Data<float>(y));
        var lx = x.Layout;
        int yOff = y.Layout.Offset;
        WorkerTeam.For(0, n, () => LargeArrays.Uninitialized(p * cout), (ni, yT) =>
        {
            for (int q = 0; q < p; q++)
                if (b is null) yT.AsSpan(q * cout, cout).Clear();
                else b.CopyTo(yT.AsSpan(q * cout, cout));
            var visit = new AddWeightRows(wT, yT, cout);
            VisitSpikeTaps(xs, lx.Offset + ni * lx.Strides[0], lx.Strides[1], lx.Strides[2], lx.Strides[3], g, ref visit);
            Transpose(yT, 0, p, cout, ys, yOff + ni * cout * p);
            return yT;
        }, _ => { });
    }

    /// <summary>Weight gradient: each chunk of images is summed into its own dWᵀ [CKK, Cout] from dyᵀ rows; the partial
    /// sums are added in chunk order and transposed into dw at the end.</summary>
    internal static void SpikeConv2dWeightGrad(Tensor dy, Tensor x, Tensor dw, ConvGeometry g)
    {
        int n = dy.Layout.Shape[0], cout = dy.Layout.Shape[1], ckk = g.C * g.KH * g.KW, p = g.OH * g.OW;
        var (xs, dys) = (Data<float>(x), Data<float>(dy));
        var lx = x.Layout;
        int dyOff = dy.Layout.Offset;
        int chunks = ImageChunks(n, parallel: true);
        var partial = new float[chunks][];
        WorkerTeam.For(0, chunks, () => LargeArrays.Uninitialized(p * cout), (ci, dyT) =>
        {
            var sum = partial[ci] = RentSum(ckk * cout);
            var (lo, hi) = ChunkImages(n, chunks, ci);
            for (int ni = lo; ni < hi; ni++)
            {
                Transpose(dys, dyOff + ni * cout * p, cout, p, dyT, 0);
                var visit = new AddGradientRows(dyT, sum, cout);
                VisitSpikeTaps(xs, lx.Offset + ni * lx.Strides[0], lx.Strides[1], lx.Strides[2], lx.Strides[3], g, ref visit);
            }
            return dyT;
        }, _ => { });
        var total = LargeArrays.Uninitialized(ckk * cout);
        AddPartials(partial, total);
        Transpose(total, 0, ckk, cout, Data<float>(dw), dw.Layout.Offset);
    }

    /// <summary>What to do for each (output position, tap row) a spike reaches.</summary>
    interface ISpikeTapVisitor
    {
        void Visit(int position, int tapRow);
    }

    /// <summary>Forward: yᵀ[position] += Wᵀ[tapRow].</summary>
    readonly struct AddWeightRows(float[] wT, float[] yT, int cout) : ISpikeTapVisitor
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Visit(int position, int tapRow) => AddRow(wT.AsSpan(tapRow * cout, cout), yT.AsSpan(position * cout, cout));
    }

    /// <summary>Weight gradient: dWᵀ[tapRow] += dyᵀ[position].</summary>
    readonly struct AddGradientRows(float[] dyT, float[] sum, int cout) : ISpikeTapVisitor
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Visit(int position, int tapRow) => AddRow(dyT.AsSpan(position * cout, cout), sum.AsSpan(tapRow * cout, cout));
    }

    /// <summary>
    /// Calls the visitor for every spike of one image x[c, ih, iw] (element (c, ih, iw) at
    /// xBase + c·sc + ih·sh + iw·sw) and every tap (i, j) that carries it to a valid output position.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void VisitSpikeTaps<TV>(float[] x, int xBase, int sc, int sh, int sw, ConvGeometry g, ref TV visitor)
        where TV : struct, ISpikeTapVisitor
    {
        Span<int> columns = stackalloc int[g.W];
        for (int c = 0; c < g.C; c++)
            for (int ih = 0; ih < g.H; ih++)
            {
                int count = SpikeColumns(x, xBase + c * sc + ih * sh, sw, g.W, columns);
                if (count == 0) continue;
                for (int i = 0; i < g.KH; i++)
                {
                    int rowShift = ih + g.PH - i * g.DH;
                    if (rowShift < 0 || rowShift % g.SH != 0) continue;
                    int oh = rowShift / g.SH;
                    if (oh >= g.OH) continue;
                    for (int j = 0; j < g.KW; j++)
                    {
                        int tapRow = (c * g.KH + i) * g.KW + j, colShift = g.PW - j * g.DW;
                        for (int s = 0; s < count; s++)
                        {
                            int shifted = columns[s] + colShift;
                            if (shifted < 0 || shifted % g.SW != 0) continue;
                            int ow = shifted / g.SW;
                            if (ow < g.OW) visitor.Visit(oh * g.OW + ow, tapRow);
                        }
                    }
                }
            }
    }

    /// <summary>Writes the columns iw of one input row whose value is nonzero; returns how many.</summary>
    static int SpikeColumns(float[] x, int rowBase, int sw, int width, Span<int> columns)
    {
        int count = 0;
        if (sw == 1)
        {
            var row = x.AsSpan(rowBase, width);
            int iw = 0;
            if (Vector256.IsHardwareAccelerated)
                for (; iw <= width - 8; iw += 8)
                {
                    uint mask = ~Vector256.Equals(Vector256.Create(row.Slice(iw, 8)), Vector256<float>.Zero).ExtractMostSignificantBits() & 0xFF;
                    for (; mask != 0; mask &= mask - 1) columns[count++] = iw + BitOperations.TrailingZeroCount(mask);
                }
            for (; iw < width; iw++)
                if (row[iw] != 0) columns[count++] = iw;
            return count;
        }
        for (int iw = 0; iw < width; iw++)
            if (x[rowBase + iw * sw] != 0) columns[count++] = iw;
        return count;
    }

    /// <summary>dst += src, element by element; inlined into the tap loop (TensorPrimitives.Add per 128-float row
    /// measured 7–25 % slower on the sparse benchmarks).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void AddRow(ReadOnlySpan<float> src, Span<float> dst)
    {
        int q = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            ref float s = ref MemoryMarshal.GetReference(src), d = ref MemoryMarshal.GetReference(dst);
            for (; q <= dst.Length - 16; q += 16)
                (Vector512.LoadUnsafe(ref d, (nuint)q) + Vector512.LoadUnsafe(ref s, (nuint)q)).StoreUnsafe(ref d, (nuint)q);
        }
        for (; q < dst.Length; q++) dst[q] += src[q];
    }

    /// <summary>A [cols, rows] copy of the row-major [rows, cols] matrix at src[offset].</summary>
    static float[] Transposed(float[] src, int offset, int rows, int cols)
    {
        var t = LargeArrays.Uninitialized(rows * cols);
        Transpose(src, offset, rows, cols, t, 0);
        return t;
    }

    /// <summary>dst[dOff + j·rows + i] = src[sOff + i·cols + j]: the transpose of a row-major [rows, cols] matrix, by
    /// the GEMM packer's 8×8 register transposes.</summary>
    static unsafe void Transpose(float[] src, int sOff, int rows, int cols, float[] dst, int dOff)
    {
        fixed (float* s = src, d = dst) Gemm.SgemmPack.Transpose(s + sOff, cols, rows, cols, d + dOff, rows);
    }
}
