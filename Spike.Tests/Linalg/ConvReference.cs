namespace Spike.Tests.Linalg;

/// <summary>
/// Direct Float64 loops for convolution and transposed convolution and their gradients, written from the
/// definitions: every (n, co, oh, ow, ci, i, j) term of the sum is visited once.
/// </summary>
internal static class ConvReference
{
    public sealed record Options(int SH = 1, int SW = 1, int PH = 0, int PW = 0, int DH = 1, int DW = 1, int Groups = 1, int OPH = 0, int OPW = 0);

    /// <summary>Calls term(n, co, oh, ow, ci, i, j, h, w) for every product x[n, ci, h, w]·w[co, ci mod group, i, j]
    /// contributing to y[n, co, oh, ow] of a convolution with in-bounds (h, w).</summary>
    static void Terms(int n, int cin, int h, int wd, int cout, int kh, int kw, int oh, int ow, Options o, Action<int, int, int, int, int, int, int, int, int> term)
    {
        int cinG = cin / o.Groups, coutG = cout / o.Groups;
        for (int b = 0; b < n; b++)
            for (int co = 0; co < cout; co++)
                for (int y = 0; y < oh; y++)
                    for (int x = 0; x < ow; x++)
                        for (int c = 0; c < cinG; c++)
                            for (int i = 0; i < kh; i++)
                                for (int j = 0; j < kw; j++)
                                {
                                    int hh = y * o.SH - o.PH + i * o.DH, ww = x * o.SW - o.PW + j * o.DW;
                                    if (hh < 0 || hh >= h || ww < 0 || ww >= wd) continue;
                                    term(b, co, y, x, (co / coutG) * cinG + c, i, j, hh, ww);
                                }
    }

    /// <summary>Conv2d forward and, for a given output gradient gy, the gradients of x, w and b.
    /// x: [N, Cin, H, W], w: [Cout, Cin/G, KH, KW].</summary>
    public static (double[] Y, int[] YShape, double[] Dx, double[] Dw, double[] Db) Conv2d(
        double[] x, int[] xs, double[] w, int[] ws, double[]? bias, Options o, Func<int[], double[]> gyOf)
    {
        int n = xs[0], cin = xs[1], h = xs[2], wd = xs[3], cout = ws[0], cinG = ws[1], kh = ws[2], kw = ws[3];
        int oh = (h + 2 * o.PH - o.DH * (kh - 1) - 1) / o.SH + 1, ow = (wd + 2 * o.PW - o.DW * (kw - 1) - 1) / o.SW + 1;
        int[] ys = [n, cout, oh, ow];
        var y = new double[n * cout * oh * ow];
        for (int i = 0; i < y.Length; i++) y[i] = bias?[(i / (oh * ow)) % cout] ?? 0;
        var gy = gyOf(ys);
        var (dx, dw, db) = (new double[x.Length], new double[w.Length], new double[cout]);
        for (int i = 0; i < gy.Length; i++) db[(i / (oh * ow)) % cout] += gy[i];
        Terms(n, cin, h, wd, cout, kh, kw, oh, ow, o, (b, co, yy, xx, ci, i, j, hh, ww) =>
        {
            int yi = ((b * cout + co) * oh + yy) * ow + xx, xi = ((b * cin + ci) * h + hh) * wd + ww;
            int wi = ((co * cinG + ci % cinG) * kh + i) * kw + j;
            y[yi] += w[wi] * x[xi];
            dx[xi] += gy[yi] * w[wi];
            dw[wi] += gy[yi] * x[xi];
        });
        return (y, ys, dx, dw, db);
    }

    /// <summary>ConvTranspose2d forward and gradients, as the scatter y[n, co, h, w] += x[n, ci, ih, iw]·w[ci, co mod group, i, j]
    /// with h = ih·s − p + i·d. x: [N, Cin, H, W], w: [Cin, Cout/G, KH, KW].</summary>
    public static (double[] Y, int[] YShape, double[] Dx, double[] Dw, double[] Db) ConvTranspose2d(
        double[] x, int[] xs, double[] w, int[] ws, double[]? bias, Options o, Func<int[], double[]> gyOf)
    {
        int n = xs[0], cin = xs[1], h = xs[2], wd = xs[3], coutG = ws[1], kh = ws[2], kw = ws[3], cout = coutG * o.Groups, cinG = cin / o.Groups;
        int oh = (h - 1) * o.SH - 2 * o.PH + o.DH * (kh - 1) + o.OPH + 1, ow = (wd - 1) * o.SW - 2 * o.PW + o.DW * (kw - 1) + o.OPW + 1;
        int[] ys = [n, cout, oh, ow];
        var y = new double[n * cout * oh * ow];
        for (int i = 0; i < y.Length; i++) y[i] = bias?[(i / (oh * ow)) % cout] ?? 0;
        var gy = gyOf(ys);
        var (dx, dw, db) = (new double[x.Length], new double[w.Length], new double[cout]);
        for (int i = 0; i < gy.Length; i++) db[(i / (oh * ow)) % cout] += gy[i];
        for (int b = 0; b < n; b++)
            for (int ci = 0; ci < cin; ci++)
                for (int ih = 0; ih < h; ih++)
                    for (int iw = 0; iw < wd; iw++)
                        for (int c = 0; c < coutG; c++)
                            for (int i = 0; i < kh; i++)
                                for (int j = 0; j < kw; j++)
                                {
                                    int hh = ih * o.SH - o.PH + i * o.DH, ww = iw * o.SW - o.PW + j * o.DW;
                                    if (hh < 0 || hh >= oh || ww < 0 || ww >= ow) continue;
                                    int co = (ci / cinG) * coutG + c;
                                    int yi = ((b * cout + co) * oh + hh) * ow + ww, xi = ((b * cin + ci) * h + ih) * wd + iw;
                                    int wi = ((ci * coutG + c) * kh + i) * kw + j;
                                    y[yi] += w[wi] * x[xi];
                                    dx[xi] += gy[yi] * w[wi];
                                    dw[wi] += gy[yi] * x[xi];
                                }
        return (y, ys, dx, dw, db);
    }
}
