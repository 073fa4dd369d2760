namespace Spike;

/// <summary>
/// Convolution as im2col + batched GEMM on any backend (the default of the <see cref="IBackend"/> convolution members):
/// the batch is cut into chunks whose column matrix stays under <see cref="ColBudget"/> elements, and each chunk is one
/// batched product with the weight broadcast over the batch (stride 0).
/// </summary>
public static class ConvGeneric
{
    /// <summary>Upper bound on one im2col buffer (elements).</summary>
    const long ColBudget = 1 << 22;

    // x: [N, G·C, H, W]; weight: [Cout, C, KH, KW]; y: [N, Cout, OH, OW] contiguous.
    public static void Forward(IBackend backend, Tensor x, Tensor weight, Tensor? bias, Tensor y, ConvGeometry g, int groups)
    {
        int n = x.Layout.Shape[0], cout = weight.Layout.Shape[0], coutG = cout / groups, ckk = g.C * g.KH * g.KW;
        var y3 = y.WithLayout(Layout.Contiguous([n, cout, g.OH * g.OW]));
        var wm = Raw.Reshape(weight, cout, ckk);
        // With a bias and a real im2col, the bias rides in the GEMM as one more depth step: [W | b]·[col; 1].
        // That saves a broadcast fill of y and a read-modify-write pass over it.
        bool biasInGemm = bias is not null && !IsPointwise(g);
        if (biasInGemm)
        {
            var aug = Raw.Empty([cout, ckk + 1], x.DType, x.Device);
            Raw.CopyInto(wm, Raw.Narrow(aug, 1, 0, ckk));
            Raw.CopyInto(Raw.Reshape(bias!, cout, 1), Raw.Narrow(aug, 1, ckk, 1));
            wm = aug;
        }
        else if (bias is not null) Raw.CopyInto(Raw.Reshape(bias, cout, 1), y3);
        int depth = biasInGemm ? ckk + 1 : ckk;
        foreach (var (n0, nb) in Chunks(n, (long)(ckk + 1) * g.OH * g.OW))
            for (int gi = 0; gi < groups; gi++)
            {
                var xg = Raw.Narrow(Raw.Narrow(x, 0, n0, nb), 1, gi * g.C, g.C);
                Tensor col;
                if (biasInGemm)
                {
                    col = Raw.Empty([nb, ckk + 1, g.OH * g.OW], x.DType, x.Device);
                    Raw.Fill(Raw.Narrow(col, 1, ckk, 1), 1);
                    backend.Im2Col(xg, Raw.Narrow(col, 1, 0, ckk), g);
                }
                else col = Im2ColOf(backend, xg, g);
                var wg = Raw.Expand(Raw.Unsqueeze(Raw.Narrow(wm, 0, gi * coutG, coutG), 0), nb, coutG, depth);
                backend.Matmul(wg, col, Raw.Narrow(Raw.Narrow(y3, 0, n0, nb), 1, gi * coutG, coutG), accumulate: bias is not null && !biasInGemm);
            }
    }

    // dy: [N, Cout, OH, OW]; weight: [Cout, C, KH, KW]; dx: [N, G·C, H, W] contiguous.
    public static void InputGrad(IBackend backend, Tensor dy, Tensor weight, Tensor dx, ConvGeometry g, int groups)
    {
        int n = dy.Layout.Shape[0], cout = weight.Layout.Shape[0], coutG = cout / groups, kk = g.KH * g.KW;
        backend.Fill(dx, 0);
        var wm = Raw.Reshape(weight, cout, g.C * kk);
        var dy3 = Raw.Reshape(dy, n, cout, g.OH * g.OW);
        foreach (var (n0, nb) in Chunks(n, (long)g.C * kk * g.OH * g.OW))
            for (int gi = 0; gi < groups; gi++)
            {
                var wgT = Raw.Expand(Raw.Unsqueeze(Raw.Transpose(Raw.Narrow(wm, 0, gi * coutG, coutG), 0, 1), 0), nb, g.C * kk, coutG);
                var col = Raw.Empty([nb, g.C * kk, g.OH * g.OW], dy.DType, dy.Device);
                backend.Matmul(wgT, Raw.Narrow(Raw.Narrow(dy3, 0, n0, nb), 1, gi * coutG, coutG), col, accumulate: false);
                backend.Col2Im(col, Raw.Narrow(Raw.Narrow(dx, 0, n0, nb), 1, gi * g.C, g.C), g);
            }
    }

    // dy: [N, Cout, OH, OW]; x: [N, G·C, H, W]; dw: [Cout, C, KH, KW] contiguous.
    public static void WeightGrad(IBackend backend, Tensor dy, Tensor x, Tensor dw, ConvGeometry g, int groups)
    {
        int n = dy.Layout.Shape[0], cout = dy.Layout.Shape[1], coutG = cout / groups, kk = g.KH * g.KW;
        var dwm = dw.WithLayout(Layout.Contiguous([cout, g.C * kk]));
        var dy3 = Raw.Reshape(dy, n, cout, g.OH * g.OW);
        if (n == 0) backend.Fill(dw, 0);
        foreach (var (n0, nb) in Chunks(n, (long)g.C * kk * g.OH * g.OW))
            for (int gi = 0; gi < groups; gi++)
            {
                var col = Im2ColOf(backend, Raw.Narrow(Raw.Narrow(x, 0, n0, nb), 1, gi * g.C, g.C), g);
                var dwg = Raw.Unsqueeze(Raw.Narrow(dwm, 0, gi * coutG, coutG), 0);
                var dyg = Raw.Narrow(Raw.Narrow(dy3, 0, n0, nb), 1, gi * coutG, coutG);
                // The GEMM pads its narrow side up to a full register tile: put the wider of Cout/G and C·KH·KW
                // on the N side (dW_gᵀ = Σ col·dyᵀ) when that is the channel count, as in a first layer (9 vs 128).
                if (coutG > g.C * kk)
                    backend.Matmul(col, Raw.Transpose(dyg, 1, 2), Raw.Expand(Raw.Transpose(dwg, 1, 2), nb, g.C * kk, coutG), accumulate: n0 > 0);
                else
                    backend.Matmul(dyg, Raw.Transpose(col, 1, 2), Raw.Expand(dwg, nb, coutG, g.C * kk), accumulate: n0 > 0);
            }
    }

    /// <summary>A 1×1, stride-1, unpadded kernel needs no unfolding: the image is its own column matrix.</summary>
    public static bool IsPointwise(ConvGeometry g) => g is { KH: 1, KW: 1, SH: 1, SW: 1, PH: 0, PW: 0, OH: var oh, OW: var ow } && oh == g.H && ow == g.W;

    /// <summary>im2col of one group's channels: [nb, C·KH·KW, OH·OW] (a view of the image itself when pointwise and
    /// its strides allow).</summary>
    static Tensor Im2ColOf(IBackend backend, Tensor xg, ConvGeometry g)
    {
        int nb = xg.Layout.Shape[0];
        if (IsPointwise(g)) return Raw.Reshape(xg, nb, g.C, g.H * g.W);
        var col = Raw.Empty([nb, g.C * g.KH * g.KW, g.OH * g.OW], xg.DType, xg.Device);
        backend.Im2Col(xg, col, g);
        return col;
    }

    /// <summary>Batch ranges [n0, n0 + nb) whose im2col buffer stays under <see cref="ColBudget"/> elements.</summary>
    static IEnumerable<(int Start, int Count)> Chunks(int n, long perSample)
    {
        int step = (int)Math.Clamp(ColBudget / Math.Max(perSample, 1), 1, Math.Max(n, 1));
        for (int n0 = 0; n0 < n; n0 += step) yield return (n0, Math.Min(step, n - n0));
    }
}
