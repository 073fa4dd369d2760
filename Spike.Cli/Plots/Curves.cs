using System.Globalization;

namespace Spike.Cli.Plots;

/// <summary>Line charts: training curves read from a run's metrics.csv.</summary>
public static class Curves
{
    static readonly string[] Palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd"];

    /// <summary>One chart with a polyline per series, sharing x; axes carry min/max tick labels and a legend.</summary>
    public static Svg Lines(IReadOnlyList<double> x, IReadOnlyList<(string Name, IReadOnlyList<double> Y)> series, string title, string xLabel, string yLabel)
    {
        double w = 600, h = 300, m = 60;
        var svg = new Svg(w + 2 * m + 120, h + 2 * m);
        var ys = series.SelectMany(s => s.Y).Where(double.IsFinite).DefaultIfEmpty(0).ToArray();
        double x0 = x.DefaultIfEmpty(0).Min(), x1 = x.DefaultIfEmpty(1).Max(), y0 = ys.Min(), y1 = ys.Max();
        if (x1 - x0 < 1e-12) x1 = x0 + 1;
        if (y1 - y0 < 1e-12) y1 = y0 + 1;
        double X(double v) => m + (v - x0) / (x1 - x0) * w;
        double Y(double v) => m + h - (v - y0) / (y1 - y0) * h;
        svg.Rect(m, m, w, h, "none", "frame", "#333");
        for (int i = 0; i <= 4; i++)
        {
            double yv = y0 + (y1 - y0) * i / 4, xv = x0 + (x1 - x0) * i / 4;
            svg.Line(m, Y(yv), m + w, Y(yv), "#ddd", 0.5);
            svg.Text(m - 6, Y(yv) + 4, yv.ToString("G3", CultureInfo.InvariantCulture), 10, "end");
            svg.Text(X(xv), m + h + 16, xv.ToString("G3", CultureInfo.InvariantCulture), 10, "middle");
        }
        for (int s = 0; s < series.Count; s++)
        {
            var (name, y) = series[s];
            string color = Palette[s % Palette.Length];
            svg.Polyline(x.Zip(y).Where(p => double.IsFinite(p.Second)).Select(p => (X(p.First), Y(p.Second))), color, cssClass: "series");
            svg.Line(m + w + 15, m + 10 + 18 * s, m + w + 35, m + 10 + 18 * s, color, 2);
            svg.Text(m + w + 40, m + 14 + 18 * s, name, 11, cssClass: "legend");
        }
        svg.Text(m + w / 2, 30, title, 14, "middle", cssClass: "title");
        svg.Text(m + w / 2, m + h + 40, xLabel, 12, "middle");
        svg.Text(18, m + h / 2, yLabel, 12, "middle", -90);
        return svg;
    }

    /// <summary>Loss and accuracy charts from a metrics.csv with a header row (epoch, train_loss, train_acc, test_loss, test_acc, ...).</summary>
    public static (Svg Loss, Svg Accuracy) FromMetricsCsv(string path)
    {
        var lines = File.ReadAllLines(path).Where(l => l.Length > 0).ToArray();
        if (lines.Length < 2) throw new InvalidDataException($"{path}: needs a header and at least one row, has {lines.Length} lines");
        var header = lines[0].Split(',');
        int Col(string name) => Array.IndexOf(header, name) is var i && i >= 0 ? i
            : throw new InvalidDataException($"{path}: column '{name}' is missing from the header '{lines[0]}'");
        var rows = lines.Skip(1).Select((l, k) =>
        {
            var f = l.Split(',');
            if (f.Length != header.Length) throw new InvalidDataException($"{path}: line {k + 2} has {f.Length} fields, the header has {header.Length}");
            return f.Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        }).ToArray();
        IReadOnlyList<double> C(string name) { int i = Col(name); return rows.Select(r => r[i]).ToArray(); }
        var epoch = C("epoch");
        return (Lines(epoch, [("train_loss", C("train_loss")), ("test_loss", C("test_loss"))], "loss", "epoch", "loss"),
                Lines(epoch, [("train_acc", C("train_acc")), ("test_acc", C("test_acc"))], "accuracy", "epoch", "accuracy"));
    }
}
