namespace Spike;

/// <summary>
/// Max, average and adaptive pooling over the last one or two axes of [N, C, L] / [N, C, H, W] (or unbatched
/// [C, L] / [C, H, W]), as torch.nn.functional. The stride defaults to the kernel size. Output length per axis:
/// ⌊(L + 2p − d(k−1) − 1) / s⌋ + 1 (⌈·⌉ with ceilMode, dropping a last window that would start in the right padding).
/// </summary>
public static class PoolingOps
{
    static PoolWindow Window((int H, int W) k, (int H, int W)? s, (int H, int W) p, (int H, int W)? d, bool ceil,
        bool countIncludePad = true, int divisor = 0)
    {
        var st = s ?? k;
        var dl = d ?? (1, 1);
        return new PoolWindow(k.H, k.W, st.H, st.W, p.H, p.W, dl.H, dl.W, ceil, countIncludePad, divisor);
    }

    static Tensor MaxPool(Tensor x, int dims, PoolWindow w, out Tensor indices)
    {
        var (y, idx, _) = Raw.MaxPool(x, dims, w);
        indices = idx;
        var shape = x.Layout.Shape;
        return Graph.Record(y, $"MaxPool{dims}d", [x], g => [Raw.PoolScatter(g, idx, shape, dims)]);
    }

    static Tensor AvgPool(Tensor x, int dims, PoolWindow w)
    {
        var (y, geometry) = Raw.AvgPool(x, dims, w);
        var shape = x.Layout.Shape;
        return Graph.Record(y, $"AvgPool{dims}d", [x], g => [Raw.AvgPoolBackward(g, shape, dims, geometry)]);
    }

    extension(Tensor x)
    {
        /// <summary>max over windows of [N, C, L]: y[n,c,i] = max_j x[n,c,i·s − p + j·d], j &lt; k (padding never wins).</summary>
        public Tensor MaxPool1d(int kernel, int? stride = null, int padding = 0, int dilation = 1, bool ceilMode = false) =>
            MaxPool(x, 1, Window((1, kernel), (1, stride ?? kernel), (0, padding), (1, dilation), ceilMode), out _);

        /// <summary><see cref="MaxPool1d"/> plus the Int64 argmax of each window (position inside the input row), as return_indices.</summary>
        public (Tensor Values, Tensor Indices) MaxPool1dWithIndices(int kernel, int? stride = null, int padding = 0, int dilation = 1, bool ceilMode = false)
        {
            var y = MaxPool(x, 1, Window((1, kernel), (1, stride ?? kernel), (0, padding), (1, dilation), ceilMode), out var idx);
            return (y, idx);
        }

        /// <summary>max over square windows of [N, C, H, W]; the gradient goes to each window's (first) argmax.</summary>
        public Tensor MaxPool2d(int kernel, int? stride = null, int padding = 0, int dilation = 1, bool ceilMode = false) =>
            MaxPool(x, 2, Window((kernel, kernel), stride is int s ? (s, s) : null, (padding, padding), (dilation, dilation), ceilMode), out _);

        /// <summary>max over [kH, kW] windows of [N, C, H, W].</summary>
        public Tensor MaxPool2d((int H, int W) kernel, (int H, int W)? stride = null, (int H, int W) padding = default,
            (int H, int W)? dilation = null, bool ceilMode = false) =>
            MaxPool(x, 2, Window(kernel, stride, padding, dilation, ceilMode), out _);

        /// <summary>MaxPool2d plus Int64 indices h·W + w into each input plane.</summary>
        public (Tensor Values, Tensor Indices) MaxPool2dWithIndices((int H, int W) kernel, (int H, int W)? stride = null,
            (int H, int W) padding = default, (int H, int W)? dilation = null, bool ceilMode = false)
        {
            var y = MaxPool(x, 2, Window(kernel, stride, padding, dilation, ceilMode), out var idx);
            return (y, idx);
        }

        /// <summary>
        /// Window mean of [N, C, L]. The divisor is the window size clipped to the padded input (countIncludePad) or to
        /// the input itself (otherwise); a ceil-mode window that starts in the padding past the end averages nothing.
        /// </summary>
        public Tensor AvgPool1d(int kernel, int? stride = null, int padding = 0, bool ceilMode = false, bool countIncludePad = true) =>
            AvgPool(x, 1, Window((1, kernel), (1, stride ?? kernel), (0, padding), null, ceilMode, countIncludePad));

        /// <summary>Window mean of [N, C, H, W] (see <see cref="AvgPool1d"/>); divisorOverride &gt; 0 replaces the divisor.</summary>
        public Tensor AvgPool2d(int kernel, int? stride = null, int padding = 0, bool ceilMode = false, bool countIncludePad = true,
            int? divisorOverride = null) =>
            AvgPool(x, 2, Window((kernel, kernel), stride is int s ? (s, s) : null, (padding, padding), null, ceilMode, countIncludePad,
                CheckDivisor(divisorOverride)));

        public Tensor AvgPool2d((int H, int W) kernel, (int H, int W)? stride = null, (int H, int W) padding = default,
            bool ceilMode = false, bool countIncludePad = true, int? divisorOverride = null) =>
            AvgPool(x, 2, Window(kernel, stride, padding, null, ceilMode, countIncludePad, CheckDivisor(divisorOverride)));

        /// <summary>Mean over adaptive windows [⌊i·L/out⌋, ⌈(i+1)·L/out⌉) of [N, C, L] → [N, C, out].</summary>
        public Tensor AdaptiveAvgPool1d(int outputSize)
        {
            var shape = x.Layout.Shape;
            return Graph.Record(Raw.AdaptiveAvgPool(x, 1, [outputSize]), "AdaptiveAvgPool1d", [x],
                g => [Raw.AdaptiveAvgPoolBackward(g, shape, 1)]);
        }

        /// <summary>Mean over adaptive windows of [N, C, H, W] → [N, C, outH, outW].</summary>
        public Tensor AdaptiveAvgPool2d((int H, int W) outputSize)
        {
            var shape = x.Layout.Shape;
            return Graph.Record(Raw.AdaptiveAvgPool(x, 2, [outputSize.H, outputSize.W]), "AdaptiveAvgPool2d", [x],
                g => [Raw.AdaptiveAvgPoolBackward(g, shape, 2)]);
        }

        public Tensor AdaptiveAvgPool2d(int outputSize) => x.AdaptiveAvgPool2d((outputSize, outputSize));

        /// <summary>Max over adaptive windows of [N, C, H, W], with Int64 argmax indices h·W + w.</summary>
        public (Tensor Values, Tensor Indices) AdaptiveMaxPool2dWithIndices((int H, int W) outputSize)
        {
            var (y, idx) = Raw.AdaptiveMaxPool(x, 2, [outputSize.H, outputSize.W]);
            var shape = x.Layout.Shape;
            return (Graph.Record(y, "AdaptiveMaxPool2d", [x], g => [Raw.PoolScatter(g, idx, shape, 2)]), idx);
        }

        public Tensor AdaptiveMaxPool2d((int H, int W) outputSize) => x.AdaptiveMaxPool2dWithIndices(outputSize).Values;

        public Tensor AdaptiveMaxPool2d(int outputSize) => x.AdaptiveMaxPool2dWithIndices((outputSize, outputSize)).Values;

        /// <summary>Max over adaptive windows of [N, C, L].</summary>
        public Tensor AdaptiveMaxPool1d(int outputSize)
        {
            var (y, idx) = Raw.AdaptiveMaxPool(x, 1, [outputSize]);
            var shape = x.Layout.Shape;
            return Graph.Record(y, "AdaptiveMaxPool1d", [x], g => [Raw.PoolScatter(g, idx, shape, 1)]);
        }
    }

    static int CheckDivisor(int? d) => d switch
    {
        null => 0,
        > 0 => d.Value,
        _ => throw new ArgumentException($"avg_pool2d: divisor_override {d} must be positive"),
    };
}
