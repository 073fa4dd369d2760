namespace Spike;

/// <summary>Options of a 2-D (transposed) convolution; 1-D convolutions use height 1.</summary>
public sealed record ConvOptions(int SH = 1, int SW = 1, int PH = 0, int PW = 0, int DH = 1, int DW = 1, int Groups = 1, int OPH = 0, int OPW = 0);

public static partial class Raw
{
    /// <summary>
    /// y[n, co] = bias[co] + Σ_{ci in group, i, j} w[co, ci, i, j]·x[n, ci, oh·SH − PH + i·DH, ow·SW − PW + j·DW].
    /// x: [N, Cin, H, W], weight: [Cout, Cin/G, KH, KW], bias: [Cout] or null → [N, Cout, OH, OW].
    /// Computed by the backend's <see cref="IBackend.Conv2d"/> (im2col + GEMM).
    /// </summary>
    public static Tensor Conv2d(Tensor x, Tensor weight, Tensor? bias, ConvOptions o)
    {
        var (_, g) = CheckConv("conv2d", ref x, ref weight, ref bias, o, transposed: false);
        return Conv2d(x, weight, bias, g, o.Groups);
    }

    /// <summary><see cref="Conv2d(Tensor, Tensor, Tensor?, ConvOptions)"/> on checked operands of one dtype, with an
    /// explicit geometry (also the input gradient of a transposed convolution).</summary>
    public static Tensor Conv2d(Tensor x, Tensor weight, Tensor? bias, ConvGeometry g, int groups)
    {
        var y = Empty([x.Layout.Shape[0], weight.Layout.Shape[0], g.OH, g.OW], x.DType, x.Device);
        Backend(x).Conv2d(x, Contiguous(weight), bias is null ? null : Contiguous(bias), y, g, groups);
        return y;
    }

    /// <summary>
    /// The input gradient of <see cref="Conv2d(Tensor, Tensor, Tensor?, ConvOptions)"/> (and the forward of a transposed convolution):
    /// dx = col2im(W_gᵀ · dy_g) per group. dy: [N, Cout, OH, OW], weight: [Cout, Cin/G, KH, KW] → [N, Cin, H, W].
    /// </summary>
    public static Tensor Conv2dInputGrad(Tensor dy, Tensor weight, ConvGeometry g, int groups)
    {
        var dx = Empty([dy.Layout.Shape[0], g.C * groups, g.H, g.W], dy.DType, dy.Device);
        Backend(dy).Conv2dInputGrad(Contiguous(dy), Contiguous(weight), dx, g, groups);
        return dx;
    }

    /// <summary>
    /// The weight gradient of <see cref="Conv2d(Tensor, Tensor, Tensor?, ConvOptions)"/>: dW_g = Σ_n dy_g[n] · col_g[n]ᵀ.
    /// dy: [N, Cout, OH, OW], x: [N, Cin, H, W] → [Cout, Cin/G, KH, KW].
    /// </summary>
    public static Tensor Conv2dWeightGrad(Tensor dy, Tensor x, ConvGeometry g, int groups)
    {
        var dw = Empty([dy.Layout.Shape[1], g.C, g.KH, g.KW], dy.DType, dy.Device);
        Backend(dy).Conv2dWeightGrad(Contiguous(dy), x, dw, g, groups);
        return dw;
    }

    /// <summary>
    /// Transposed convolution (the adjoint of <see cref="Conv2d(Tensor, Tensor, Tensor?, ConvOptions)"/> in x), as torch.nn.functional.conv_transpose2d.
    /// x: [N, Cin, H, W], weight: [Cin, Cout/G, KH, KW], bias: [Cout] or null → [N, Cout, OH, OW] with
    /// OH = (H − 1)·SH − 2·PH + DH·(KH − 1) + OPH + 1.
    /// </summary>
    public static Tensor ConvTranspose2d(Tensor x, Tensor weight, Tensor? bias, ConvOptions o)
    {
        var (_, g) = CheckConv("conv_transpose2d", ref x, ref weight, ref bias, o, transposed: true);
        var y = Conv2dInputGrad(x, weight, g, o.Groups);
        if (bias is not null) y = Binary(BinaryOp.Add, y, Reshape(bias, bias.Layout.Shape[0], 1, 1));
        return y;
    }

    /// <summary>
    /// The geometry of the convolution whose output is [OH, OW] for conv2d; for a transposed convolution the
    /// geometry of the adjoint convolution (its image is the transposed output). Checks shapes and converts dtypes.
    /// </summary>
    public static (DType, ConvGeometry) CheckConv(string op, ref Tensor x, ref Tensor weight, ref Tensor? bias, ConvOptions o, bool transposed)
    {
        CheckSameDevice(op, x, weight);
        var (xs, ws) = (x.Layout.Shape, weight.Layout.Shape);
        string shapes = $"input {Layout.Fmt(xs)}, weight {Layout.Fmt(ws)}" + (bias is null ? "" : $", bias {Layout.Fmt(bias.Layout.Shape)}");
        if (xs.Length != 4 || ws.Length != 4)
            throw new ArgumentException($"{op}: expects input [N, C, H, W] and weight [{(transposed ? "Cin, Cout/groups" : "Cout, Cin/groups")}, KH, KW], got {shapes}");
        if (o.Groups < 1 || o.SH < 1 || o.SW < 1 || o.DH < 1 || o.DW < 1 || o.PH < 0 || o.PW < 0 || o.OPH < 0 || o.OPW < 0)
            throw new ArgumentException($"{op}: groups, stride and dilation must be positive and padding non-negative, got {o} ({shapes})");
        int cin = xs[1], groups = o.Groups;
        int cout = transposed ? ws[1] * groups : ws[0];
        if (cin % groups != 0 || cout % groups != 0)
            throw new ArgumentException($"{op}: input channels {cin} and output channels {cout} must both be divisible by groups {groups} ({shapes})");
        if (transposed ? ws[0] != cin : ws[1] != cin / groups)
            throw new ArgumentException($"{op}: weight {Layout.Fmt(ws)} does not fit input channels {cin} with groups {groups} " +
                $"(expected weight [{(transposed ? $"{cin}, Cout/{groups}" : $"Cout, {cin / groups}")}, KH, KW]; {shapes})");
        if (bias is not null && (bias.Rank != 1 || bias.Layout.Shape[0] != cout))
            throw new ArgumentException($"{op}: bias must be [{cout}], got {shapes}");
        var t = DTypes.Promote(x.DType, weight.DType);
        if (bias is not null) t = DTypes.Promote(t, bias.DType);
        if (!t.IsFloating()) throw new ArgumentException($"{op}: needs floating-point operands, got {x.DType} and {weight.DType} ({shapes})");
        x = ToDType(x, t);
        weight = ToDType(weight, t);
        if (bias is not null) bias = ToDType(bias, t);
        int kh = ws[2], kw = ws[3], spanH = o.DH * (kh - 1) + 1, spanW = o.DW * (kw - 1) + 1;
        if (!transposed)
        {
            if (xs[2] + 2 * o.PH < spanH || xs[3] + 2 * o.PW < spanW)
                throw new ArgumentException($"{op}: kernel {kh}x{kw} (dilation {o.DH}x{o.DW}) is larger than the padded input " +
                    $"{xs[2] + 2 * o.PH}x{xs[3] + 2 * o.PW} ({shapes}, padding {o.PH}x{o.PW})");
            return (t, ConvGeometry.For(cin / groups, xs[2], xs[3], kh, kw, o.SH, o.SW, o.PH, o.PW, o.DH, o.DW));
        }
        if ((o.OPH >= o.SH && o.OPH >= o.DH) || (o.OPW >= o.SW && o.OPW >= o.DW))
            throw new ArgumentException($"{op}: output padding {o.OPH}x{o.OPW} must be smaller than stride {o.SH}x{o.SW} or dilation {o.DH}x{o.DW} ({shapes})");
        int oh = (xs[2] - 1) * o.SH - 2 * o.PH + spanH + o.OPH, ow = (xs[3] - 1) * o.SW - 2 * o.PW + spanW + o.OPW;
        if (oh <= 0 || ow <= 0)
            throw new ArgumentException($"{op}: output size {oh}x{ow} is not positive ({shapes}, stride {o.SH}x{o.SW}, padding {o.PH}x{o.PW})");
        return (t, new ConvGeometry(cout / groups, oh, ow, kh, kw, o.SH, o.SW, o.PH, o.PW, o.DH, o.DW, xs[2], xs[3]));
    }

    /// <summary>Σ dy over batch and space → [C]: first over each contiguous plane, then over the batch, so no
    /// permuted copy of dy is made.</summary>
    public static Tensor ConvBiasGrad(Tensor dy) => Reduce(ReduceOp.Sum, Reduce(ReduceOp.Sum, dy, [2, 3], keepDim: false), [0], keepDim: false);
}
