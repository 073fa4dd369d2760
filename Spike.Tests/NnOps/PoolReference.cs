namespace Spike.Tests.NnOps;

/// <summary>Direct Float64 loops written from PyTorch's documented pooling definitions, plane by plane.</summary>
internal static class PoolReference
{
    public static int OutSize(int n, int k, int s, int p, int d, bool ceil)
    {
        double span = n + 2.0 * p - d * (k - 1) - 1;
        int o = (int)(ceil ? Math.Ceiling(span / s) : Math.Floor(span / s)) + 1;
        // torch.nn.MaxPool2d docs: with ceil_mode a window may not start in the right padding.
        if (ceil && (o - 1) * s >= n + p) o--;
        return o;
    }

    /// <summary>Max over window positions i·s − p + j·d that fall inside the input; first argmax; NaN wins.</summary>
    public static (double[] Y, long[] Idx, int OH, int OW) Max(double[] x, int planes, int h, int w,
        int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw, bool ceil)
    {
        int oh = OutSize(h, kh, sh, ph, dh, ceil), ow = OutSize(w, kw, sw, pw, dw, ceil);
        var y = new double[planes * oh * ow];
        var idx = new long[y.Length];
        for (int p = 0; p < planes; p++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++)
                {
                    double best = double.NaN; long arg = -1; bool any = false;
                    for (int a = 0; a < kh; a++)
                        for (int b = 0; b < kw; b++)
                        {
                            int r = i * sh - ph + a * dh, c = j * sw - pw + b * dw;
                            if (r < 0 || r >= h || c < 0 || c >= w) continue;
                            double v = x[p * h * w + r * w + c];
                            if (!any || (!double.IsNaN(best) && (v > best || double.IsNaN(v)))) { best = v; arg = r * w + c; any = true; }
                        }
                    y[(p * oh + i) * ow + j] = best;
                    idx[(p * oh + i) * ow + j] = arg;
                }
        return (y, idx, oh, ow);
    }

    /// <summary>avg_pool2d: the window [i·s − p, i·s − p + k) is first cut at the padded end (L + p) — that length is the
    /// count_include_pad divisor — then at the input, whose length is the other divisor.</summary>
    public static (double[] Y, int OH, int OW) Avg(double[] x, int planes, int h, int w, int kh, int kw, int sh, int sw,
        int ph, int pw, bool ceil, bool includePad, int divisor = 0)
    {
        int oh = OutSize(h, kh, sh, ph, 1, ceil), ow = OutSize(w, kw, sw, pw, 1, ceil);
        var y = new double[planes * oh * ow];
        for (int p = 0; p < planes; p++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++)
                {
                    int r0 = i * sh - ph, c0 = j * sw - pw;
                    int rPad = Math.Min(r0 + kh, h + ph) - r0, cPad = Math.Min(c0 + kw, w + pw) - c0;
                    double sum = 0; int n = 0;
                    for (int r = r0; r < r0 + rPad; r++)
                        for (int c = c0; c < c0 + cPad; c++)
                            if (r >= 0 && r < h && c >= 0 && c < w) { sum += x[p * h * w + r * w + c]; n++; }
                    int div = divisor > 0 ? divisor : includePad ? rPad * cPad : n;
                    y[(p * oh + i) * ow + j] = n == 0 ? 0 : sum / div;
                }
        return (y, oh, ow);
    }

    /// <summary>Adaptive windows [⌊i·L/out⌋, ⌈(i+1)·L/out⌉); mean or max (first argmax).</summary>
    public static (double[] Y, long[] Idx) Adaptive(double[] x, int planes, int h, int w, int oh, int ow, bool max)
    {
        var y = new double[planes * oh * ow];
        var idx = new long[y.Length];
        for (int p = 0; p < planes; p++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++)
                {
                    int r0 = (int)Math.Floor(i * (double)h / oh), r1 = (int)Math.Ceiling((i + 1) * (double)h / oh);
                    int c0 = (int)Math.Floor(j * (double)w / ow), c1 = (int)Math.Ceiling((j + 1) * (double)w / ow);
                    double acc = max ? double.NegativeInfinity : 0; long arg = -1;
                    for (int r = r0; r < r1; r++)
                        for (int c = c0; c < c1; c++)
                        {
                            double v = x[p * h * w + r * w + c];
                            if (!max) acc += v;
                            else if (v > acc) { acc = v; arg = r * w + c; }
                        }
                    y[(p * oh + i) * ow + j] = max ? acc : acc / ((r1 - r0) * (c1 - c0));
                    idx[(p * oh + i) * ow + j] = arg;
                }
        return (y, idx);
    }
}
