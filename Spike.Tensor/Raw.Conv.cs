namespace Spike;

/// <summary>Options of a 2-D (transposed) convolution; 1-D convolutions use height 1.</summary>
public sealed record ConvOptions(int SH = 1, int SW = 1, int PH = 0, int PW = 0, int DH = 1, int DW = 1, int Groups = 1, int OPH = 0, int OPW = 0);

public static partial class Raw
{
    /// <summary>Upper bound on one im2col buffer (elements); the batch is processed in chunks below it.</summary>
    const long ColBudget = 1 << 22;

    /// <summary>
    /// y[n, co] = bias[co] + Σ_{ci in group, i, j} w[co, ci, i, j]·x[n, ci, oh·SH − PH + i·DH, ow·SW − PW + j·DW].
    /// x: [N, Cin, H, W], weight: [Cout, Cin/G, KH, KW], bias: [Cout] or null → [N, Cout, OH, OW].
    /// Per group and batch chunk: im2col, then W_g [Cout/G, Cin/G·KH·KW] · col [Cin/G·KH·KW, OH·OW] on the GEMM.
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
        int n = x.Layout.Shape[0], cout = weight.Layout.Shape[0], coutG = cout / groups, kk = g.KH * g.KW, ckk = g.C * kk;
        var y = Empty([n, cout, g.OH, g.OW], x.DType, x.Device);
        var y3 = y.WithLayout(Layout.Contiguous([n, cout, g.OH * g.OW]));
        var wm = Reshape(weight, cout, ckk);
        // With a bias and a real im2col, the bias rides in the GEMM as one more depth step: [W | b]·[col; 1].
        // That saves a broadcast fill of y and a read-modify-write pass over it.
        bool biasInGemm = bias is not null && !IsPointwise(g);
        if (biasInGemm)
        {
            var aug = Empty([cout, ckk + 1], x.DType, x.Device);
            CopyInto(wm, Narrow(aug, 1, 0, ckk));
            CopyInto(Reshape(bias!, cout, 1), Narrow(aug, 1, ckk, 1));
            wm = aug;
        }
        else if (bias is not null) CopyInto(Reshape(bias, cout, 1), y3);
        int depth = biasInGemm ? ckk + 1 : ckk;
        foreach (var (n0, nb) in Chunks(n, (long)(ckk + 1) * g.OH * g.OW))
            for (int gi = 0; gi < groups; gi++)
            {
                var xg = Narrow(Narrow(x, 0, n0, nb), 1, gi * g.C, g.C);
                Tensor col;
                if (biasInGemm)
                {
                    col = Empty([nb, ckk + 1, g.OH * g.OW], x.DType, x.Device);
                    Fill(Narrow(col, 1, ckk, 1), 1);
                    Backend(xg).Im2Col(xg, Narrow(col, 1, 0, ckk), g);
                }
                else col = Im2ColOf(xg, g);
                var wg = Expand(Unsqueeze(Narrow(wm, 0, gi * coutG, coutG), 0), nb, coutG, depth);
                MatmulInto(wg, col, Narrow(Narrow(y3, 0, n0, nb), 1, gi * coutG, coutG), accumulate: bias is not null && !biasInGemm);
            }
        return y;
    }

    /// <summary>
    /// The input gradient of <see cref="Conv2d(Tensor, Tensor, Tensor?, ConvOptions)"/> (and the forward of a transposed convolution):
    /// dx = col2im(W_gᵀ · dy_g) per group. dy: [N, Cout, OH, OW], weight: [Cout, Cin/G, KH, KW] → [N, Cin, H, W].
    /// </summary>
    public static Tensor Conv2dInputGrad(Tensor dy, Tensor weight, ConvGeometry g, int groups)
    {
        int n = dy.Layout.Shape[0], cout = weight.Layout.Shape[0], coutG = cout / groups, kk = g.KH * g.KW;
        var dx = Tensor.Zeros([n, g.C * groups, g.H, g.W], dy.DType, dy.Device);
        var wm = Reshape(weight, cout, g.C * kk);
        var dy3 = Reshape(dy, n, cout, g.OH * g.OW);
        foreach (var (n0, nb) in Chunks(n, (long)g.C * kk * g.OH * g.OW))
            for (int gi = 0; gi < groups; gi++)
            {
                var wgT = Expand(Unsqueeze(Transpose(Narrow(wm, 0, gi * coutG, coutG), 0, 1), 0), nb, g.C * kk, coutG);
                var col = Empty([nb, g.C * kk, g.OH * g.OW], dy.DType, dy.Device);
                MatmulInto(wgT, Narrow(Narrow(dy3, 0, n0, nb), 1, gi * coutG, coutG), col);
                Backend(dx).Col2Im(col, Narrow(Narrow(dx, 0, n0, nb), 1, gi * g.C, g.C), g);
            }
        return dx;
    }

    /// <summary>
    /// The weight gradient of <see cref="Conv2d(Tensor, Tensor, Tensor?, ConvOptions)"/>: dW_g = Σ_n dy_g[n] · col_g[n]ᵀ, summed over the batch inside
    /// the GEMM (a destination with batch stride 0). dy: [N, Cout, OH, OW], x: [N, Cin, H, W] → [Cout, Cin/G, KH, KW].
    /// </summary>
    public static Tensor Conv2dWeightGrad(Tensor dy, Tensor x, ConvGeometry g, int groups)
    {
        int n = dy.Layout.Shape[0], cout = dy.Layout.Shape[1], coutG = cout / groups, kk = g.KH * g.KW;
        var dw = Empty([cout, g.C, g.KH, g.KW], dy.DType, dy.Device);
        var dwm = dw.WithLayout(Layout.Contiguous([cout, g.C * kk]));
        var dy3 = Reshape(dy, n, cout, g.OH * g.OW);
        if (n == 0) Fill(dw, 0);
        foreach (var (n0, nb) in Chunks(n, (long)g.C * kk * g.OH * g.OW))
            for (int gi = 0; gi < groups; gi++)
            {
                var col = Im2ColOf(Narrow(Narrow(x, 0, n0, nb), 1, gi * g.C, g.C), g);
                var dwg = Unsqueeze(Narrow(dwm, 0, gi * coutG, coutG), 0);
                var dyg = Narrow(Narrow(dy3, 0, n0, nb), 1, gi * coutG, coutG);
                // The GEMM pads its narrow side up to a full register tile: put the wider of Cout/G and C·KH·KW
                // on the N side (dW_gᵀ = Σ col·dyᵀ) when that is the channel count, as in a first layer (9 vs 128).
                if (coutG > g.C * kk)
                    MatmulInto(col, Transpose(dyg, 1, 2), Expand(Transpose(dwg, 1, 2), nb, g.C * kk, coutG), accumulate: n0 > 0);
                else
                    MatmulInto(dyg, Transpose(col, 1, 2), Expand(dwg, nb, coutG, g.C * kk), accumulate: n0 > 0);
            }
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

    /// <summary>im2col of one group's channels: [nb, C·KH·KW, OH·OW]. A 1×1, stride-1, unpadded kernel needs no
    /// unfolding: the image itself (as a view when its strides allow) is the column matrix.</summary>
    static Tensor Im2ColOf(Tensor xg, ConvGeometry g)
    {
        int nb = xg.Layout.Shape[0];
        if (IsPointwise(g)) return Reshape(xg, nb, g.C, g.H * g.W);
        var col = Empty([nb, g.C * g.KH * g.KW, g.OH * g.OW], xg.DType, xg.Device);
        Backend(xg).Im2Col(xg, col, g);
        return col;
    }

    static bool IsPointwise(ConvGeometry g) => g is { KH: 1, KW: 1, SH: 1, SW: 1, PH: 0, PW: 0, OH: var oh, OW: var ow } && oh == g.H && ow == g.W;

    /// <summary>Σ dy over batch and space → [C]: first over each contiguous plane, then over the batch, so no
    /// permuted copy of dy is made.</summary>
    public static Tensor ConvBiasGrad(Tensor dy) => Reduce(ReduceOp.Sum, Reduce(ReduceOp.Sum, dy, [2, 3], keepDim: false), [0], keepDim: false);

    /// <summary>Batch ranges [n0, n0 + nb) whose im2col buffer stays under <see cref="ColBudget"/> elements.</summary>
    static IEnumerable<(int Start, int Count)> Chunks(int n, long perSample)
    {
        int step = (int)Math.Clamp(ColBudget / Math.Max(perSample, 1), 1, Math.Max(n, 1));
        for (int n0 = 0; n0 < n; n0 += step) yield return (n0, Math.Min(step, n - n0));
    }
}
