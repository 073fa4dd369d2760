namespace Spike;

public partial interface IBackend
{
    /// <summary>
    /// y[n, G·o] = bias[o] + Σ_{c, i, j} weight[o, c, i, j]·x[n, g·C + c, oh·SH − PH + i·DH, ow·SW − PW + j·DW] for output
    /// channel o of group g. x: [N, G·C, H, W] any strides; weight: [Cout, C, KH, KW] contiguous; bias: [Cout] or null;
    /// y: [N, Cout, OH, OW] contiguous, overwritten. The default composes <see cref="Im2Col"/> and <see cref="Matmul"/>
    /// over batch chunks (<see cref="ConvGeneric"/>); a backend may fuse them.
    /// </summary>
    void Conv2d(Tensor x, Tensor weight, Tensor? bias, Tensor y, ConvGeometry g, int groups) =>
        ConvGeneric.Forward(this, x, weight, bias, y, g, groups);

    /// <summary>
    /// The input gradient of <see cref="Conv2d"/>: dx = col2im(W_gᵀ·dy_g) per group. dy: [N, Cout, OH, OW] contiguous;
    /// weight: [Cout, C, KH, KW] contiguous; dx: [N, G·C, H, W] contiguous, overwritten.
    /// </summary>
    void Conv2dInputGrad(Tensor dy, Tensor weight, Tensor dx, ConvGeometry g, int groups) =>
        ConvGeneric.InputGrad(this, dy, weight, dx, g, groups);

    /// <summary>
    /// The weight gradient of <see cref="Conv2d"/>: dW_g = Σ_n dy_g[n]·im2col(x_g[n])ᵀ. dy: [N, Cout, OH, OW] contiguous;
    /// x: [N, G·C, H, W] any strides; dw: [Cout, C, KH, KW] contiguous, overwritten.
    /// </summary>
    void Conv2dWeightGrad(Tensor dy, Tensor x, Tensor dw, ConvGeometry g, int groups) =>
        ConvGeneric.WeightGrad(this, dy, x, dw, g, groups);
}
