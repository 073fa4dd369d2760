using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Spike.Cpu;

// Float32 pooling whose window along W is two columns with stride two (MaxPool2d(2), AvgPool2d(2), and any window
// along H): sixteen outputs at a time. Each input row's 32 columns are split into even and odd columns by a lane
// shuffle, so one output row costs a few vector operations per input row instead of a scalar loop per window.
// The combination order is the scalar kernels' (rows top to bottom, columns left to right, strict > with NaN
// winning), so values, indices and sums are bit-identical to them. Max pooling covers a row's last fewer-than-16
// outputs with AVX-512 masked loads and stores, so it takes planes of any width (28 and 14 included). Average pooling
// starts at 16 outputs per row and leaves a row's last fewer-than-16 outputs to the scalar window code; so do both for
// a ceil-mode half window.
public sealed partial class CpuBackend
{
    const int PairLanes = 16;

    /// <summary>Turns the pair kernels off on the calling thread, so benchmarks and tests can run the scalar kernels
    /// on the same input.</summary>
    internal static bool PairPooling { get => !t_scalarPooling; set => t_scalarPooling = !value; }

    [ThreadStatic] static bool t_scalarPooling;

    /// <summary>Whether the pair kernels apply: Float32, window 2 / stride 2 / no padding or dilation along W, and
    /// (average pooling) at least one full vector of outputs per row.</summary>
    static bool PairsApply(Tensor x, PoolGeometry g, bool anyWidth = false) =>
        PairPooling && Vector512.IsHardwareAccelerated && Avx512F.IsSupported && x.DType == DType.Float32
        && g.Window is { KW: 2, SW: 2, PW: 0, DW: 1 } && Math.Min(g.OW, g.W / 2) >= (anyWidth ? 1 : PairLanes);

    static readonly Vector512<int> EvensThenOdds = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 1, 3, 5, 7, 9, 11, 13, 15);
    static readonly Vector512<int> LowHalfTwice = Vector512.Create(0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7);
    static readonly Vector512<int> HighHalfTwice = Vector512.Create(8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13, 14, 14, 15, 15);
    static readonly Vector512<int> EvenColumns = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);

    /// <summary>Columns 2j and 2j + 1 of the 32 floats at <paramref name="at"/>, for j = 0..15.</summary>
    static unsafe (Vector512<float> Even, Vector512<float> Odd) SplitColumns(ReadOnlySpan<float> row, int at)
    {
        fixed (float* p = row.Slice(at, 2 * PairLanes)) return SplitColumns(p, PairLanes);
    }

    /// <summary>Columns 2j and 2j + 1 of the first 2·<paramref name="count"/> floats at <paramref name="p"/>, for
    /// j &lt; count ≤ 16; the loads are masked to those floats, and lanes past count are unspecified.</summary>
    static unsafe (Vector512<float> Even, Vector512<float> Odd) SplitColumns(float* p, int count)
    {
        Vector512<float> a, b;
        if (count == PairLanes) (a, b) = (Vector512.Load(p), Vector512.Load(p + PairLanes));
        else
        {
            a = Avx512F.MaskLoad(p, LaneMasks.First32(2 * count), default);
            b = Avx512F.MaskLoad(p + PairLanes, LaneMasks.First32(2 * count - PairLanes), default);
        }
        var lo = Vector512.Shuffle(a, EvensThenOdds);
        var hi = Vector512.Shuffle(b, EvensThenOdds);
        return (Vector512.Create(lo.GetLower(), hi.GetLower()), Vector512.Create(lo.GetUpper(), hi.GetUpper()));
    }

    /// <summary>Lanes where <paramref name="candidate"/> replaces the running maximum: greater, or NaN (as torch).</summary>
    static Vector512<int> Replaces(Vector512<float> candidate, Vector512<float> best) =>
        (Vector512.GreaterThan(candidate, best) | ~Vector512.Equals(candidate, candidate)).AsInt32();

    static unsafe void MaxPoolPairs(Tensor x, Tensor dst, Tensor indices, PoolGeometry g)
    {
        var s = Data<float>(x); var d = Data<float>(dst); var ix = Data<long>(indices);
        int xo = x.Layout.Offset, dOff = dst.Layout.Offset, io = indices.Layout.Offset;
        var k = g.Window;
        int planes = x.Layout.Shape[0], inPlane = g.H * g.W, outPlane = g.OH * g.OW;
        int pairOutputs = Math.Min(g.OW, g.W / 2);   // windows with both columns inside the row
        NnParallel.For(planes, (long)outPlane * k.KH * 2, (p0, p1) =>
        {
            fixed (float* sp = s, dp = d)
            fixed (long* ip = ix)
                for (int p = p0; p < p1; p++)
                {
                    float* plane = sp + xo + (long)p * inPlane, values = dp + dOff + (long)p * outPlane;
                    long* args = ip + io + (long)p * outPlane;
                    for (int oh = 0; oh < g.OH; oh++)
                    {
                        var (h0, h1) = MaxRows(g, oh);
                        int o = oh * g.OW;
                        for (int ow = 0; ow < pairOutputs; ow += PairLanes)
                        {
                            int count = Math.Min(PairLanes, pairOutputs - ow);
                            var best = Vector512.Create(float.NegativeInfinity);
                            var arg = Vector512.Create(h0 * g.W + 2 * ow) + EvenColumns;
                            for (int h = h0; h < h1; h += k.DH)
                            {
                                var (even, odd) = SplitColumns(plane + h * g.W + 2 * ow, count);
                                var rowArg = Vector512.Create(h * g.W + 2 * ow) + EvenColumns;
                                var oddWins = Replaces(odd, even);
                                var rowBest = Vector512.ConditionalSelect(oddWins.AsSingle(), odd, even);
                                rowArg = Vector512.ConditionalSelect(oddWins, rowArg + Vector512<int>.One, rowArg);
                                var rowWins = Replaces(rowBest, best);
                                best = Vector512.ConditionalSelect(rowWins.AsSingle(), rowBest, best);
                                arg = Vector512.ConditionalSelect(rowWins, rowArg, arg);
                            }
                            var (argLo, argHi) = Vector512.Widen(arg);
                            if (count == PairLanes)
                            {
                                best.Store(values + o + ow);
                                argLo.Store(args + o + ow);
                                argHi.Store(args + o + ow + PairLanes / 2);
                            }
                            else
                            {
                                Avx512F.MaskStore(values + o + ow, LaneMasks.First32(count), best);
                                Avx512F.MaskStore(args + o + ow, LaneMasks.First64(count), argLo);
                                Avx512F.MaskStore(args + o + ow + PairLanes / 2, LaneMasks.First64(count - PairLanes / 2), argHi);
                            }
                        }
                        if (pairOutputs < g.OW)   // ceil mode: a last window with one column
                        {
                            var planeSpan = new ReadOnlySpan<float>(plane, inPlane);
                            for (int ow = pairOutputs; ow < g.OW; ow++)
                                values[o + ow] = MaxWindow(planeSpan, g, h0, h1, ow, out args[o + ow]);
                        }
                    }
                }
        });
    }

    /// <summary>Forward: output = Σ window / divisor. Backward (same windows): input += output / divisor. Along W the
    /// windows are whole pairs, so within a vector row the divisor depends on the output row only.</summary>
    static void AvgPoolPairs(Tensor input, Tensor output, PoolGeometry g, bool backward)
    {
        var a = Data<float>(input); var b = Data<float>(output);
        int ao = input.Layout.Offset, bo = output.Layout.Offset;
        int planes = input.Layout.Shape[0], inPlane = g.H * g.W, outPlane = g.OH * g.OW;
        int vectorOutputs = Math.Min(g.OW, g.W / 2) / PairLanes * PairLanes;
        NnParallel.For(planes, (long)outPlane * g.Window.KH * 2, (p0, p1) =>
        {
            for (int p = p0; p < p1; p++)
            {
                Span<float> plane = a.AsSpan(ao + p * inPlane, inPlane);
                Span<float> outputs = b.AsSpan(bo + p * outPlane, outPlane);
                if (backward) plane.Clear();
                for (int oh = 0; oh < g.OH; oh++)
                {
                    var (h0, h1, _, _, divisor) = AvgWindow(g, oh, 0);
                    int o = oh * g.OW;
                    if (h0 < h1)
                        for (int ow = 0; ow < vectorOutputs; ow += PairLanes)
                        {
                            var cell = outputs.Slice(o + ow, PairLanes);
                            if (backward)
                            {
                                var share = Vector512.Create((ReadOnlySpan<float>)cell) / Vector512.Create((float)divisor);
                                var (left, right) = (Vector512.Shuffle(share, LowHalfTwice), Vector512.Shuffle(share, HighHalfTwice));
                                for (int h = h0; h < h1; h++)
                                {
                                    var at = plane.Slice(h * g.W + 2 * ow, 2 * PairLanes);
                                    (Vector512.Create((ReadOnlySpan<float>)at) + left).CopyTo(at);
                                    (Vector512.Create((ReadOnlySpan<float>)at[PairLanes..]) + right).CopyTo(at[PairLanes..]);
                                }
                            }
                            else
                            {
                                var sum = Vector512<float>.Zero;
                                for (int h = h0; h < h1; h++)
                                {
                                    var (even, odd) = SplitColumns(plane.Slice(h * g.W, g.W), 2 * ow);
                                    sum = sum + even + odd;
                                }
                                (sum / Vector512.Create((float)divisor)).CopyTo(cell);
                            }
                        }
                    for (int ow = h0 < h1 ? vectorOutputs : 0; ow < g.OW; ow++)
                        AvgWindowAt(plane, outputs, g, oh, ow, backward);
                }
            }
        });
    }
}
