using System.Numerics;

namespace Spike.Cpu;

// Planes: x [P, H, W] contiguous, outputs [P, OH, OW] contiguous; every plane is independent, so planes are the
// unit of parallel work. Window arithmetic mirrors ATen's CPU kernels (max_pool2d, avg_pool2d, adaptive_*).
public sealed partial class CpuBackend
{
    static NotSupportedException PoolType(string op, Tensor x) =>
        new($"{op}: expects a Float32 or Float64 tensor, got {x.DType} of shape {Layout.Fmt(x.Layout.Shape)}");

    public void MaxPool(Tensor x, Tensor dst, Tensor indices, PoolGeometry g)
    {
        if (Float16Widening.Widen(this, [x], [dst, indices], w => MaxPool(w[0], w[1], w[2], g))) return;
        if (PairsApply(x, g, anyWidth: true)) MaxPoolPairs(x, dst, indices, g);
        else if (x.DType == DType.Float32) MaxPool<float>(x, dst, indices, g);
        else if (x.DType == DType.Float64) MaxPool<double>(x, dst, indices, g);
        else throw PoolType("max_pool", x);
    }

    static void MaxPool<T>(Tensor x, Tensor dst, Tensor indices, PoolGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var s = Data<T>(x); var d = Data<T>(dst); var ix = Data<long>(indices);
        int xo = x.Layout.Offset, dOff = dst.Layout.Offset, io = indices.Layout.Offset;
        int planes = x.Layout.Shape[0], inPlane = g.H * g.W, outPlane = g.OH * g.OW;
        NnParallel.For(planes, (long)outPlane * g.Window.KH * g.Window.KW, (p0, p1) =>
        {
            for (int p = p0; p < p1; p++)
            {
                // Spans over the plane and its outputs: the JIT drops most bounds checks in the window loops.
                ReadOnlySpan<T> plane = s.AsSpan(xo + p * inPlane, inPlane);
                Span<T> values = d.AsSpan(dOff + p * outPlane, outPlane);
                Span<long> args = ix.AsSpan(io + p * outPlane, outPlane);
                int o = 0;
                for (int oh = 0; oh < g.OH; oh++)
                {
                    var (h0, h1) = MaxRows(g, oh);
                    for (int ow = 0; ow < g.OW; ow++, o++) values[o] = MaxWindow(plane, g, h0, h1, ow, out args[o]);
                }
            }
        });
    }

    /// <summary>The in-range input rows [h0, h1) (step DH) of output row <paramref name="oh"/>'s max windows.</summary>
    static (int H0, int H1) MaxRows(PoolGeometry g, int oh)
    {
        var k = g.Window;
        int h0 = oh * k.SH - k.PH, h1 = Math.Min(h0 + (k.KH - 1) * k.DH + 1, g.H);
        while (h0 < 0) h0 += k.DH;
        return (h0, h1);
    }

    /// <summary>The maximum of one window and its flat position (the first; NaN wins and sticks, as torch.max_pool2d).</summary>
    static T MaxWindow<T>(ReadOnlySpan<T> plane, PoolGeometry g, int h0, int h1, int ow, out long position)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var k = g.Window;
        int w0 = ow * k.SW - k.PW, w1 = Math.Min(w0 + (k.KW - 1) * k.DW + 1, g.W);
        while (w0 < 0) w0 += k.DW;
        T best = T.NegativeInfinity;
        int arg = h0 * g.W + w0;
        for (int h = h0; h < h1; h += k.DH)
        {
            var row = plane.Slice(h * g.W, g.W);
            for (int w = w0; w < w1; w += k.DW)
            {
                T v = row[w];
                if (v > best || T.IsNaN(v)) { best = v; arg = h * g.W + w; }
            }
        }
        position = arg;
        return best;
    }

    public void PoolScatter(Tensor gradOut, Tensor indices, Tensor gradIn)
    {
        if (Float16Widening.Widen(this, [gradOut, indices], [gradIn], w => PoolScatter(w[0], w[1], w[2]))) return;
        if (gradOut.DType == DType.Float32) PoolScatter<float>(gradOut, indices, gradIn);
        else if (gradOut.DType == DType.Float64) PoolScatter<double>(gradOut, indices, gradIn);
        else throw PoolType("max_pool backward", gradOut);
    }

    static void PoolScatter<T>(Tensor gradOut, Tensor indices, Tensor gradIn) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var go = Data<T>(gradOut); var ix = Data<long>(indices); var gi = Data<T>(gradIn);
        int goOff = gradOut.Layout.Offset, io = indices.Layout.Offset, giOff = gradIn.Layout.Offset;
        int planes = gradIn.Layout.Shape[0], inPlane = gradIn.Numel / Math.Max(planes, 1), outPlane = gradOut.Numel / Math.Max(planes, 1);
        NnParallel.For(planes, outPlane + inPlane, (p0, p1) =>
        {
            for (int p = p0; p < p1; p++)
            {
                int ib = giOff + p * inPlane;
                gi.AsSpan(ib, inPlane).Clear();
                for (int o = p * outPlane, e = o + outPlane; o < e; o++) gi[ib + (int)ix[io + o]] += go[goOff + o];
            }
        });
    }

    /// <summary>ATen's avg_pool2d window: the padded extent sets count_include_pad's divisor, the clipped one the sum.</summary>
    static (int H0, int H1, int W0, int W1, int Divisor) AvgWindow(PoolGeometry g, int oh, int ow)
    {
        var k = g.Window;
        int h0 = oh * k.SH - k.PH, w0 = ow * k.SW - k.PW;
        int h1 = Math.Min(h0 + k.KH, g.H + k.PH), w1 = Math.Min(w0 + k.KW, g.W + k.PW);
        int padded = (h1 - h0) * (w1 - w0);
        h0 = Math.Max(h0, 0); w0 = Math.Max(w0, 0); h1 = Math.Min(h1, g.H); w1 = Math.Min(w1, g.W);
        int divisor = k.DivisorOverride != 0 ? k.DivisorOverride : k.CountIncludePad ? padded : (h1 - h0) * (w1 - w0);
        return (h0, h1, w0, w1, divisor);
    }

    public void AvgPool(Tensor x, Tensor dst, PoolGeometry g)
    {
        if (Float16Widening.Widen(this, [x], [dst], w => AvgPool(w[0], w[1], g))) return;
        if (PairsApply(x, g)) AvgPoolPairs(x, dst, g, backward: false);
        else if (x.DType == DType.Float32) AvgPool<float>(x, dst, g, backward: false);
        else if (x.DType == DType.Float64) AvgPool<double>(x, dst, g, backward: false);
        else throw PoolType("avg_pool", x);
    }

    public void AvgPoolBackward(Tensor gradOut, Tensor gradIn, PoolGeometry g)
    {
        if (Float16Widening.Widen(this, [gradOut], [gradIn], w => AvgPoolBackward(w[0], w[1], g))) return;
        if (PairsApply(gradOut, g)) AvgPoolPairs(gradIn, gradOut, g, backward: true);
        else if (gradOut.DType == DType.Float32) AvgPool<float>(gradIn, gradOut, g, backward: true);
        else if (gradOut.DType == DType.Float64) AvgPool<double>(gradIn, gradOut, g, backward: true);
        else throw PoolType("avg_pool backward", gradOut);
    }

    /// <summary>Forward: output = Σ window / divisor. Backward (same windows): input += output / divisor.</summary>
    static void AvgPool<T>(Tensor input, Tensor output, PoolGeometry g, bool backward) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var a = Data<T>(input); var b = Data<T>(output);
        int ao = input.Layout.Offset, bo = output.Layout.Offset;
        int planes = input.Layout.Shape[0], inPlane = g.H * g.W, outPlane = g.OH * g.OW;
        NnParallel.For(planes, (long)outPlane * g.Window.KH * g.Window.KW, (p0, p1) =>
        {
            for (int p = p0; p < p1; p++)
            {
                Span<T> plane = a.AsSpan(ao + p * inPlane, inPlane);
                Span<T> outputs = b.AsSpan(bo + p * outPlane, outPlane);
                if (backward) plane.Clear();
                for (int oh = 0; oh < g.OH; oh++)
                    for (int ow = 0; ow < g.OW; ow++) AvgWindowAt(plane, outputs, g, oh, ow, backward);
            }
        });
    }

    /// <summary>One average window of a plane: forward writes its output, backward adds its share to its inputs.</summary>
    static void AvgWindowAt<T>(Span<T> plane, Span<T> outputs, PoolGeometry g, int oh, int ow, bool backward)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int o = oh * g.OW + ow;
        var (h0, h1, w0, w1, divisor) = AvgWindow(g, oh, ow);
        if (h0 >= h1 || w0 >= w1) { if (!backward) outputs[o] = T.Zero; return; }
        if (backward)
        {
            T share = outputs[o] / T.CreateTruncating(divisor);
            for (int h = h0; h < h1; h++)
                for (int w = w0; w < w1; w++) plane[h * g.W + w] += share;
        }
        else
        {
            T sum = T.Zero;
            for (int h = h0; h < h1; h++)
                for (int w = w0; w < w1; w++) sum += plane[h * g.W + w];
            outputs[o] = sum / T.CreateTruncating(divisor);
        }
    }

    static int AdaptiveStart(int i, int inSize, int outSize) => (int)((long)i * inSize / outSize);
    static int AdaptiveEnd(int i, int inSize, int outSize) => (int)(((long)(i + 1) * inSize + outSize - 1) / outSize);

    public void AdaptiveAvgPool(Tensor x, Tensor dst)
    {
        if (Float16Widening.Widen(this, [x], [dst], w => AdaptiveAvgPool(w[0], w[1]))) return;
        if (x.DType == DType.Float32) Adaptive<float>(x, dst, null, AdaptiveKind.Avg);
        else if (x.DType == DType.Float64) Adaptive<double>(x, dst, null, AdaptiveKind.Avg);
        else throw PoolType("adaptive_avg_pool", x);
    }

    public void AdaptiveAvgPoolBackward(Tensor gradOut, Tensor gradIn)
    {
        if (Float16Widening.Widen(this, [gradOut], [gradIn], w => AdaptiveAvgPoolBackward(w[0], w[1]))) return;
        if (gradOut.DType == DType.Float32) Adaptive<float>(gradIn, gradOut, null, AdaptiveKind.AvgBackward);
        else if (gradOut.DType == DType.Float64) Adaptive<double>(gradIn, gradOut, null, AdaptiveKind.AvgBackward);
        else throw PoolType("adaptive_avg_pool backward", gradOut);
    }

    public void AdaptiveMaxPool(Tensor x, Tensor dst, Tensor indices)
    {
        if (Float16Widening.Widen(this, [x], [dst, indices], w => AdaptiveMaxPool(w[0], w[1], w[2]))) return;
        if (x.DType == DType.Float32) Adaptive<float>(x, dst, indices, AdaptiveKind.Max);
        else if (x.DType == DType.Float64) Adaptive<double>(x, dst, indices, AdaptiveKind.Max);
        else throw PoolType("adaptive_max_pool", x);
    }

    enum AdaptiveKind { Avg, AvgBackward, Max }

    /// <summary>input [P, H, W], output [P, OH, OW]; the kind decides the direction (backward writes input).</summary>
    static void Adaptive<T>(Tensor input, Tensor output, Tensor? indices, AdaptiveKind kind) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var a = Data<T>(input); var b = Data<T>(output);
        var ix = indices is null ? null : Data<long>(indices);
        int ao = input.Layout.Offset, bo = output.Layout.Offset, io = indices?.Layout.Offset ?? 0;
        int planes = input.Layout.Shape[0], H = input.Layout.Shape[1], W = input.Layout.Shape[2];
        int OH = output.Layout.Shape[1], OW = output.Layout.Shape[2];
        NnParallel.For(planes, (long)H * W + OH * OW, (p0, p1) =>
        {
            for (int p = p0; p < p1; p++)
            {
                int ib = ao + p * H * W, o = p * OH * OW;
                if (kind == AdaptiveKind.AvgBackward) a.AsSpan(ib, H * W).Clear();
                for (int oh = 0; oh < OH; oh++)
                {
                    int h0 = AdaptiveStart(oh, H, OH), h1 = AdaptiveEnd(oh, H, OH);
                    for (int ow = 0; ow < OW; ow++, o++)
                    {
                        int w0 = AdaptiveStart(ow, W, OW), w1 = AdaptiveEnd(ow, W, OW);
                        T count = T.CreateTruncating((h1 - h0) * (w1 - w0));
                        if (kind == AdaptiveKind.AvgBackward)
                        {
                            T share = b[bo + o] / count;
                            for (int h = h0; h < h1; h++)
                                for (int w = w0; w < w1; w++) a[ib + h * W + w] += share;
                            continue;
                        }
                        T acc = kind == AdaptiveKind.Max ? T.NegativeInfinity : T.Zero;
                        int arg = h0 * W + w0;
                        for (int h = h0; h < h1; h++)
                            for (int w = w0; w < w1; w++)
                            {
                                T v = a[ib + h * W + w];
                                if (kind == AdaptiveKind.Avg) acc += v;
                                else if (v > acc || T.IsNaN(v)) { acc = v; arg = h * W + w; }
                            }
                        b[bo + o] = kind == AdaptiveKind.Avg ? acc / count : acc;
                        if (ix is not null) ix[io + o] = arg;
                    }
                }
            }
        });
    }
}
