namespace Spike.Cli.Plots;

/// <summary>
/// SVG versions of SpikingJelly's <c>visualizing</c> functions. Inputs are plain arrays: row-major
/// [rows, cols] matrices as float[,], time runs along the x axis as in the originals.
/// </summary>
public static class Visualizing
{
    const double Margin = 50, Cell = 14;

    /// <summary>plot_2d_heatmap: x is [neurons, T] (e.g. membrane potentials); one coloured cell per value, with a colour bar.</summary>
    public static Svg Heatmap2d(float[,] x, string title = "", string xLabel = "simulating step", string yLabel = "neuron index")
    {
        int rows = x.GetLength(0), cols = x.GetLength(1);
        double cw = Math.Max(2, Math.Min(Cell, 600.0 / Math.Max(cols, 1))), ch = Math.Max(2, Math.Min(Cell, 400.0 / Math.Max(rows, 1)));
        var svg = new Svg(Margin * 2 + cols * cw + 60, Margin * 2 + rows * ch);
        var (lo, hi) = Range(x);
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
                svg.Rect(Margin + c * cw, Margin + r * ch, cw, ch, ColorMap.Of((x[r, c] - lo) / (hi - lo)), "cell");
        ColorBar(svg, Margin * 1.5 + cols * cw, Margin, rows * ch, lo, hi);
        IndexTicks(svg, Margin, Margin, cw, ch, cols, rows);
        return Axes(svg, title, xLabel, yLabel);
    }

    /// <summary>plot_1d_spikes: spikes is [neurons, T] of 0/1; a raster (one mark per spike) and, on the right, each neuron's firing rate.</summary>
    public static Svg SpikeRaster1d(float[,] spikes, string title = "", string xLabel = "simulating step", string yLabel = "neuron index")
    {
        int n = spikes.GetLength(0), t = spikes.GetLength(1);
        double cw = Math.Max(2, Math.Min(Cell, 600.0 / Math.Max(t, 1))), ch = Math.Max(3, Math.Min(Cell, 400.0 / Math.Max(n, 1)));
        var svg = new Svg(Margin * 2 + t * cw + 90, Margin * 2 + n * ch);
        for (int i = 0; i < n; i++)
        {
            double rate = 0;
            for (int k = 0; k < t; k++)
            {
                if (spikes[i, k] == 0) continue;
                rate += 1;
                svg.Line(Margin + (k + 0.5) * cw, Margin + i * ch + 1, Margin + (k + 0.5) * cw, Margin + (i + 1) * ch - 1, "#1f77b4", 1.5, cssClass: "spike");
            }
            rate /= Math.Max(t, 1);
            svg.Rect(Margin + t * cw + 20, Margin + i * ch, 30, ch, ColorMap.Of(rate), "rate");
            svg.Text(Margin + t * cw + 55, Margin + (i + 0.75) * ch, rate.ToString("0.00"), Math.Min(10, ch));
        }
        svg.Text(Margin + t * cw + 35, Margin - 8, "firing rate", 10, "middle");
        IndexTicks(svg, Margin, Margin, cw, ch, t, n);
        return Axes(svg, title, xLabel, yLabel);
    }

    /// <summary>
    /// plot_2d_spiking_feature_map: maps is [C, H, W] (spikes, or accumulated spikes); the channels laid out in a grid
    /// of nrows × ncols, in grey levels from black (the minimum over all maps) to white (the maximum), gaps white.
    /// Equal neighbouring pixels of a row are drawn as one rectangle, so binary maps stay small.
    /// </summary>
    public static Svg SpikingFeatureMap2d(float[,,] maps, int nrows, int ncols, double space = 4, string title = "")
    {
        int c = maps.GetLength(0), h = maps.GetLength(1), w = maps.GetLength(2);
        if (nrows * ncols < c) throw new ArgumentException($"plot_2d_spiking_feature_map: a {nrows}x{ncols} grid cannot hold {c} channels");
        double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
        foreach (var v in maps) { lo = Math.Min(lo, v); hi = Math.Max(hi, v); }
        double range = hi > lo ? hi - lo : 1;
        double px = Math.Max(1, Math.Min(6, 800.0 / (ncols * (w + space))));
        var svg = new Svg(Margin * 2 + ncols * (w * px + space), Margin * 2 + nrows * (h * px + space));
        for (int ch = 0; ch < c; ch++)
        {
            double ox = Margin + ch % ncols * (w * px + space), oy = Margin + ch / ncols * (h * px + space);
            svg.Rect(ox, oy, w * px, h * px, "#000000", "map");
            for (int y = 0; y < h; y++)
                for (int x0 = 0, x1; x0 < w; x0 = x1)
                {
                    float v = maps[ch, y, x0];
                    for (x1 = x0 + 1; x1 < w && maps[ch, y, x1] == v; x1++) { }
                    int grey = (int)Math.Round(255 * (v - lo) / range);
                    if (grey > 0) svg.Rect(ox + x0 * px, oy + y * px, (x1 - x0) * px, px, $"#{grey:x2}{grey:x2}{grey:x2}", "pixels");
                }
        }
        return Axes(svg, title, "", "");
    }

    /// <summary>plot_one_neuron_v_s: one neuron's membrane potential over time with threshold and reset lines, spikes below.</summary>
    public static Svg OneNeuronVs(float[] v, float[] s, double vThreshold, double? vReset, string title = "")
    {
        if (v.Length != s.Length) throw new ArgumentException($"plot_one_neuron_v_s: v has {v.Length} steps but s has {s.Length}");
        int t = v.Length;
        double plotW = 600, plotH = 220, spikeH = 60;
        var svg = new Svg(Margin * 2 + plotW, Margin * 3 + plotH + spikeH);
        double lo = Math.Min(v.DefaultIfEmpty(0).Min(), Math.Min(vThreshold, vReset ?? 0)), hi = Math.Max(v.DefaultIfEmpty(0).Max(), vThreshold);
        if (hi - lo < 1e-12) hi = lo + 1;
        double X(int k) => Margin + (t <= 1 ? 0 : k * plotW / (t - 1));
        double Y(double val) => Margin + plotH * (1 - (val - lo) / (hi - lo));
        svg.Rect(Margin, Margin, plotW, plotH, "none", "frame", "#333");
        svg.Polyline(v.Select((val, k) => (X(k), Y(val))), "#1f77b4", cssClass: "v");
        svg.Line(Margin, Y(vThreshold), Margin + plotW, Y(vThreshold), "#d62728", 1, "6 3", "v_threshold");
        svg.Text(Margin + plotW - 4, Y(vThreshold) - 4, "V_threshold", 10, "end");
        if (vReset is double r)
        {
            svg.Line(Margin, Y(r), Margin + plotW, Y(r), "#2ca02c", 1, "2 2", "v_reset");
            svg.Text(Margin + plotW - 4, Y(r) - 4, "V_reset", 10, "end");
        }
        double sy = Margin * 2 + plotH;
        svg.Rect(Margin, sy, plotW, spikeH, "none", "frame", "#333");
        for (int k = 0; k < t; k++)
            if (s[k] != 0) svg.Line(X(k), sy + 5, X(k), sy + spikeH - 5, "#1f77b4", 1.5, cssClass: "spike");
        foreach (var tick in new[] { lo, vThreshold, vReset ?? lo, hi }.Distinct())
            svg.Text(Margin - 4, Y(tick) + 4, tick.ToString("G3", System.Globalization.CultureInfo.InvariantCulture), 10, "end", cssClass: "tick");
        for (int k = 0, step = NiceStep(t, 10); k < t; k += step)
            svg.Text(X(k), sy + spikeH + 14, k.ToString(System.Globalization.CultureInfo.InvariantCulture), 10, "middle", cssClass: "tick");
        svg.Text(Margin - 32, Margin + plotH / 2, "V", 12, "end");
        svg.Text(Margin - 32, sy + spikeH / 2, "S", 12, "end");
        svg.Text(Margin + plotW / 2, sy + spikeH + 34, "simulating step", 12, "middle");
        if (title.Length > 0) svg.Text(Margin + plotW / 2, Margin - 20, title, 14, "middle");
        return svg;
    }

    /// <summary>plot_2d_bar_in_3d: x is [rows, cols]; one oblique-projected 3-D bar per value (rows go back in depth).</summary>
    public static Svg Bars3d(float[,] x, string title = "", string xLabel = "", string yLabel = "")
    {
        int rows = x.GetLength(0), cols = x.GetLength(1);
        double bw = 24, depth = 14, maxH = 200;
        var (lo, hi) = Range(x);
        double top = Math.Max(hi, 0), bottom = Math.Min(lo, 0), scale = maxH / Math.Max(top - bottom, 1e-12);
        var svg = new Svg(Margin * 2 + cols * bw + rows * depth + 20, Margin * 2 + maxH + rows * depth);
        double baseY = Margin + maxH + rows * depth;
        // Back rows first so nearer bars are drawn over them.
        for (int r = rows - 1; r >= 0; r--)
            for (int c = 0; c < cols; c++)
            {
                double ox = Margin + c * bw + r * depth, oy = baseY - r * depth + bottom * scale;
                double h = x[r, c] * scale;
                string color = ColorMap.Of(r / Math.Max(rows - 1.0, 1));
                double yTop = oy - Math.Max(h, 0), yBottom = oy - Math.Min(h, 0);
                svg.Polygon([(ox, yTop), (ox + bw * 0.8, yTop), (ox + bw * 0.8, yBottom), (ox, yBottom)], color, cssClass: "bar");
                svg.Polygon([(ox, yTop), (ox + depth * 0.6, yTop - depth * 0.6), (ox + bw * 0.8 + depth * 0.6, yTop - depth * 0.6), (ox + bw * 0.8, yTop)], color, cssClass: "bar-top");
            }
        // Value scale at the front row's left edge, column indices under it, row indices at the end of each row.
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        double zero = baseY + bottom * scale;
        svg.Line(Margin - 6, zero - top * scale, Margin - 6, zero - bottom * scale, "#333");
        foreach (var v in new[] { bottom, 0, top }.Distinct())
            svg.Text(Margin - 9, zero - v * scale + 3, v.ToString("G3", inv), 9, "end", cssClass: "tick");
        for (int c = 0, step = NiceStep(cols, 10); c < cols; c += step)
            svg.Text(Margin + (c + 0.4) * bw, zero - bottom * scale + 12, c.ToString(inv), 9, "middle", cssClass: "tick");
        for (int r = 0, step = NiceStep(rows, 10); r < rows; r += step)
            svg.Text(Margin + cols * bw + r * depth + 2, zero - r * depth, r.ToString(inv), 9, cssClass: "tick");
        return Axes(svg, title, xLabel, yLabel);
    }

    static (double Lo, double Hi) Range(float[,] x)
    {
        double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
        foreach (var v in x) { lo = Math.Min(lo, v); hi = Math.Max(hi, v); }
        if (double.IsInfinity(lo)) (lo, hi) = (0, 1);
        if (hi - lo < 1e-12) hi = lo + 1;
        return (lo, hi);
    }

    static void ColorBar(Svg svg, double x, double y, double h, double lo, double hi)
    {
        const int steps = 20;
        for (int i = 0; i < steps; i++)
            svg.Rect(x, y + h * i / steps, 12, h / steps + 0.5, ColorMap.Of(1 - (i + 0.5) / steps), "colorbar");
        svg.Text(x + 16, y + 8, hi.ToString("G3"), 10);
        svg.Text(x + 16, y + h, lo.ToString("G3"), 10);
    }

    /// <summary>Integer tick labels under the columns and left of the rows of a grid of cw × ch cells at (x0, y0).</summary>
    static void IndexTicks(Svg svg, double x0, double y0, double cw, double ch, int cols, int rows)
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        for (int k = 0, step = NiceStep(cols, 10); k < cols; k += step)
            svg.Text(x0 + (k + 0.5) * cw, y0 + rows * ch + 12, k.ToString(inv), 9, "middle", cssClass: "tick");
        for (int k = 0, step = NiceStep(rows, 20); k < rows; k += step)
            svg.Text(x0 - 4, y0 + (k + 0.5) * ch + 3, k.ToString(inv), 9, "end", cssClass: "tick");
    }

    /// <summary>The smallest of 1, 2, 5, 10, 20, 50, … that labels n positions with at most max labels.</summary>
    static int NiceStep(int n, int max)
    {
        for (int scale = 1; ; scale *= 10)
            foreach (int m in new[] { 1, 2, 5 })
                if (n <= (long)max * m * scale) return m * scale;
    }

    static Svg Axes(Svg svg, string title, string xLabel, string yLabel)
    {
        if (title.Length > 0) svg.Text(svg.Width / 2, 24, title, 14, "middle", cssClass: "title");
        if (xLabel.Length > 0) svg.Text(svg.Width / 2, svg.Height - 12, xLabel, 12, "middle");
        if (yLabel.Length > 0) svg.Text(16, svg.Height / 2, yLabel, 12, "middle", -90);
        return svg;
    }
}
