namespace Spike;

/// <summary>Pooling: shape checks and the [N, C, ...] → [P, H, W] plane view, above the backend kernels.
/// 1-D pooling is 2-D pooling of planes with H = 1, as ATen does.</summary>
public static partial class Raw
{
    /// <summary>PyTorch's pooling_output_shape: ⌊(L + 2p − d(k−1) − 1 [+ s − 1 if ceil]) / s⌋ + 1, and with ceil_mode the
    /// last window must start inside the input or the left padding.</summary>
    public static int PoolOutputSize(int size, int kernel, int stride, int pad, int dilation, bool ceilMode)
    {
        long num = (long)size + 2L * pad - (long)dilation * (kernel - 1) - 1 + (ceilMode ? stride - 1 : 0);
        long o = (long)Math.Floor(num / (double)stride) + 1;
        if (ceilMode && (o - 1) * stride >= size + pad) o--;
        return (int)o;
    }

    /// <summary>x as contiguous planes [P, H, W] plus the leading shape ([N, C] or [C]) to restore.</summary>
    static (Tensor Planes, int[] Lead, int H, int W) PoolPlanes(Tensor x, int dims, string op)
    {
        if (x.Rank != dims + 1 && x.Rank != dims + 2)
            throw new ArgumentException($"{op}: expects a {dims + 1}-D or {dims + 2}-D input ([C, ...] or [N, C, ...]), got shape {Layout.Fmt(x.Layout.Shape)}");
        if (!x.DType.IsFloating())
            throw new ArgumentException($"{op}: expects a Float32 or Float64 input, got {x.DType} of shape {Layout.Fmt(x.Layout.Shape)}");
        var shape = x.Layout.Shape;
        int h = dims == 2 ? shape[^2] : 1, w = shape[^1];
        var lead = shape[..^dims];
        if (h == 0 || w == 0)
            throw new ArgumentException($"{op}: input of shape {Layout.Fmt(shape)} has an empty spatial axis");
        return (Reshape(Contiguous(x), Layout.NumelOf(lead), h, w), lead, h, w);
    }

    static PoolGeometry PoolGeometryFor(PoolWindow k, int h, int w, int dims, Tensor x, string op)
    {
        string Fmt(int a, int b) => dims == 2 ? $"({a}, {b})" : $"{b}";
        string shape = Layout.Fmt(x.Layout.Shape);
        if (k.KH <= 0 || k.KW <= 0) throw new ArgumentException($"{op}: kernel size {Fmt(k.KH, k.KW)} must be positive (input {shape})");
        if (k.SH <= 0 || k.SW <= 0) throw new ArgumentException($"{op}: stride {Fmt(k.SH, k.SW)} must be positive (input {shape})");
        if (k.DH <= 0 || k.DW <= 0) throw new ArgumentException($"{op}: dilation {Fmt(k.DH, k.DW)} must be positive (input {shape})");
        if (k.PH < 0 || k.PW < 0 || k.PH > k.KH / 2 || k.PW > k.KW / 2)
            throw new ArgumentException($"{op}: padding {Fmt(k.PH, k.PW)} must be between 0 and half the kernel size {Fmt(k.KH, k.KW)} (input {shape})");
        if (k.DivisorOverride < 0) throw new ArgumentException($"{op}: divisor_override {k.DivisorOverride} must be positive (input {shape})");
        int oh = PoolOutputSize(h, k.KH, k.SH, k.PH, k.DH, k.CeilMode), ow = PoolOutputSize(w, k.KW, k.SW, k.PW, k.DW, k.CeilMode);
        if (oh < 1 || ow < 1)
            throw new ArgumentException($"{op}: input of shape {shape} with kernel {Fmt(k.KH, k.KW)}, stride {Fmt(k.SH, k.SW)}, " +
                $"padding {Fmt(k.PH, k.PW)}, dilation {Fmt(k.DH, k.DW)} gives output size {Fmt(oh, ow)}, which is too small");
        return new PoolGeometry(h, w, oh, ow, k);
    }

    static int[] PoolOutShape(int[] lead, int dims, int oh, int ow) => dims == 2 ? [.. lead, oh, ow] : [.. lead, ow];

    /// <summary>max_pool{dims}d: values and Int64 argmax indices (flat h·W + w inside each input plane).</summary>
    public static (Tensor Values, Tensor Indices, PoolGeometry Geometry) MaxPool(Tensor x, int dims, PoolWindow window)
    {
        string op = $"max_pool{dims}d";
        var (planes, lead, h, w) = PoolPlanes(x, dims, op);
        var g = PoolGeometryFor(window, h, w, dims, x, op);
        var values = Empty([planes.Layout.Shape[0], g.OH, g.OW], x.DType, x.Device);
        var indices = Empty(values.Layout.Shape, DType.Int64, x.Device);
        Backend(x).MaxPool(planes, values, indices, g);
        var shape = PoolOutShape(lead, dims, g.OH, g.OW);
        return (Reshape(values, shape), Reshape(indices, shape), g);
    }

    /// <summary>The gradient of a max pool (fixed or adaptive): gradOut scattered to the saved argmax positions of input shape.</summary>
    public static Tensor PoolScatter(Tensor gradOut, Tensor indices, int[] inputShape, int dims)
    {
        int h = dims == 2 ? inputShape[^2] : 1, w = inputShape[^1];
        int planes = Layout.NumelOf(inputShape[..^dims]);
        int outPlane = Layout.NumelOf(gradOut.Layout.Shape.AsSpan(gradOut.Rank - dims));
        var gradIn = Empty([planes, h, w], gradOut.DType, gradOut.Device);
        Backend(gradOut).PoolScatter(Reshape(Contiguous(gradOut), planes, outPlane), Reshape(Contiguous(indices), planes, outPlane), gradIn);
        return Reshape(gradIn, inputShape);
    }

    /// <summary>avg_pool{dims}d with PyTorch's divisor (count_include_pad, divisor_override, ceil-mode windows clipped to the padded input).</summary>
    public static (Tensor Values, PoolGeometry Geometry) AvgPool(Tensor x, int dims, PoolWindow window)
    {
        string op = $"avg_pool{dims}d";
        var (planes, lead, h, w) = PoolPlanes(x, dims, op);
        var g = PoolGeometryFor(window with { DH = 1, DW = 1 }, h, w, dims, x, op);
        var values = Empty([planes.Layout.Shape[0], g.OH, g.OW], x.DType, x.Device);
        Backend(x).AvgPool(planes, values, g);
        return (Reshape(values, PoolOutShape(lead, dims, g.OH, g.OW)), g);
    }

    public static Tensor AvgPoolBackward(Tensor gradOut, int[] inputShape, int dims, PoolGeometry g)
    {
        int planes = Layout.NumelOf(inputShape[..^dims]);
        var gradIn = Empty([planes, g.H, g.W], gradOut.DType, gradOut.Device);
        Backend(gradOut).AvgPoolBackward(Reshape(Contiguous(gradOut), planes, g.OH, g.OW), gradIn, g);
        return Reshape(gradIn, inputShape);
    }

    static (Tensor Planes, int[] Lead, int OH, int OW) AdaptivePlanes(Tensor x, int dims, int[] outputSize, string op)
    {
        if (outputSize.Length != dims || outputSize.Any(s => s <= 0))
            throw new ArgumentException($"{op}: output size {Layout.Fmt(outputSize)} must have {dims} positive entries (input {Layout.Fmt(x.Layout.Shape)})");
        var (planes, lead, _, _) = PoolPlanes(x, dims, op);
        return (planes, lead, dims == 2 ? outputSize[0] : 1, outputSize[^1]);
    }

    /// <summary>adaptive_avg_pool{dims}d: output cell i averages input [⌊i·L/out⌋, ⌈(i+1)·L/out⌉) on each axis.</summary>
    public static Tensor AdaptiveAvgPool(Tensor x, int dims, int[] outputSize)
    {
        var (planes, lead, oh, ow) = AdaptivePlanes(x, dims, outputSize, $"adaptive_avg_pool{dims}d");
        var dst = Empty([planes.Layout.Shape[0], oh, ow], x.DType, x.Device);
        Backend(x).AdaptiveAvgPool(planes, dst);
        return Reshape(dst, PoolOutShape(lead, dims, oh, ow));
    }

    public static Tensor AdaptiveAvgPoolBackward(Tensor gradOut, int[] inputShape, int dims)
    {
        int h = dims == 2 ? inputShape[^2] : 1, w = inputShape[^1];
        int planes = Layout.NumelOf(inputShape[..^dims]);
        int oh = dims == 2 ? gradOut.Layout.Shape[^2] : 1, ow = gradOut.Layout.Shape[^1];
        var gradIn = Empty([planes, h, w], gradOut.DType, gradOut.Device);
        Backend(gradOut).AdaptiveAvgPoolBackward(Reshape(Contiguous(gradOut), planes, oh, ow), gradIn);
        return Reshape(gradIn, inputShape);
    }

    /// <summary>adaptive_max_pool{dims}d: values and Int64 argmax indices over the adaptive windows.</summary>
    public static (Tensor Values, Tensor Indices) AdaptiveMaxPool(Tensor x, int dims, int[] outputSize)
    {
        var (planes, lead, oh, ow) = AdaptivePlanes(x, dims, outputSize, $"adaptive_max_pool{dims}d");
        var dst = Empty([planes.Layout.Shape[0], oh, ow], x.DType, x.Device);
        var idx = Empty(dst.Layout.Shape, DType.Int64, x.Device);
        Backend(x).AdaptiveMaxPool(planes, dst, idx);
        var shape = PoolOutShape(lead, dims, oh, ow);
        return (Reshape(dst, shape), Reshape(idx, shape));
    }
}
