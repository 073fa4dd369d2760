namespace Spike;

/// <summary>
/// Convolutions over NCHW (NCL) tensors, as torch.nn.functional.conv1d / conv2d / conv_transpose2d: forward by
/// im2col + GEMM, backward by the adjoint products (input: col2im(Wᵀ·dy); weight: Σ_n dy·colᵀ; bias: Σ dy).
/// </summary>
public static class ConvOps
{
    extension(Tensor x)
    {
        /// <summary>
        /// y[n, co, oh, ow] = b[co] + Σ_{ci ∈ group(co), i, j} w[co, ci, i, j]·x[n, ci, oh·s − p + i·d, ow·s − p + j·d].
        /// x: [N, Cin, H, W], weight: [Cout, Cin/groups, KH, KW], bias: [Cout] → [N, Cout, OH, OW],
        /// OH = ⌊(H + 2p − d·(KH − 1) − 1) / s⌋ + 1.
        /// </summary>
        public Tensor Conv2d(Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0, int dilation = 1, int groups = 1) =>
            x.Conv2d(weight, bias, (stride, stride), (padding, padding), (dilation, dilation), groups);

        /// <summary>Conv2d with separate height and width stride, padding and dilation.</summary>
        public Tensor Conv2d(Tensor weight, Tensor? bias, (int H, int W) stride, (int H, int W) padding, (int H, int W) dilation, int groups = 1)
        {
            var o = new ConvOptions(stride.H, stride.W, padding.H, padding.W, dilation.H, dilation.W, groups);
            var y = Raw.Conv2d(x, weight, bias, o);
            return Graph.Record(y, "Conv2d", bias is null ? [x, weight] : [x, weight, bias], g =>
            {
                var (xc, wc, bc) = (x, weight, bias);
                var (t, geom) = Raw.CheckConv("conv2d", ref xc, ref wc, ref bc, o, transposed: false);
                g = Raw.ToDType(g, t);
                var dx = x.RequiresGrad ? Raw.ToDType(Raw.Conv2dInputGrad(g, wc, geom, groups), x.DType) : null;
                var dw = weight.RequiresGrad ? Raw.ToDType(Raw.Conv2dWeightGrad(g, xc, geom, groups), weight.DType) : null;
                return bias is null ? [dx, dw] : [dx, dw, BiasGrad(g, bias)];
            });
        }

        /// <summary>
        /// 1-D convolution: x [N, Cin, L], weight [Cout, Cin/groups, K], bias [Cout] → [N, Cout, OL] (a Conv2d of height 1).
        /// </summary>
        public Tensor Conv1d(Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0, int dilation = 1, int groups = 1)
        {
            if (x.Rank != 3 || weight.Rank != 3)
                throw new ArgumentException($"conv1d: expects input [N, C, L] and weight [Cout, Cin/groups, K], got input {Layout.Fmt(x.Layout.Shape)}, weight {Layout.Fmt(weight.Layout.Shape)}");
            return x.Unsqueeze(2).Conv2d(weight.Unsqueeze(2), bias, (1, stride), (0, padding), (1, dilation), groups).Squeeze(2);
        }

        /// <summary>
        /// Transposed convolution, the adjoint of Conv2d in its input: x [N, Cin, H, W], weight [Cin, Cout/groups, KH, KW],
        /// bias [Cout] → [N, Cout, OH, OW] with OH = (H − 1)·s − 2p + d·(KH − 1) + outputPadding + 1.
        /// </summary>
        public Tensor ConvTranspose2d(Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0, int outputPadding = 0, int groups = 1, int dilation = 1) =>
            x.ConvTranspose2d(weight, bias, (stride, stride), (padding, padding), (outputPadding, outputPadding), groups, (dilation, dilation));

        /// <summary>ConvTranspose2d with separate height and width settings.</summary>
        public Tensor ConvTranspose2d(Tensor weight, Tensor? bias, (int H, int W) stride, (int H, int W) padding, (int H, int W) outputPadding,
            int groups, (int H, int W) dilation)
        {
            var o = new ConvOptions(stride.H, stride.W, padding.H, padding.W, dilation.H, dilation.W, groups, outputPadding.H, outputPadding.W);
            var y = Raw.ConvTranspose2d(x, weight, bias, o);
            return Graph.Record(y, "ConvTranspose2d", bias is null ? [x, weight] : [x, weight, bias], g =>
            {
                var (xc, wc, bc) = (x, weight, bias);
                var (t, geom) = Raw.CheckConv("conv_transpose2d", ref xc, ref wc, ref bc, o, transposed: true);
                g = Raw.ToDType(g, t);
                // geom is the adjoint convolution's: its image is y, its output is x. So dx = conv2d(dy, w) and
                // dw is that convolution's weight gradient with x in the role of its output gradient.
                var dx = x.RequiresGrad ? Raw.ToDType(Raw.Conv2d(g, wc, null, geom, groups), x.DType) : null;
                var dw = weight.RequiresGrad ? Raw.ToDType(Raw.Conv2dWeightGrad(xc, g, geom, groups), weight.DType) : null;
                return bias is null ? [dx, dw] : [dx, dw, BiasGrad(g, bias)];
            });
        }
    }

    static Tensor? BiasGrad(Tensor g, Tensor bias) =>
        bias.RequiresGrad ? Raw.ToDType(Raw.ConvBiasGrad(g), bias.DType) : null;
}
