using System.Globalization;
using System.Text;
using System.Xml.Linq;

namespace Spike.Cli.Plots;

/// <summary>A minimal SVG document builder: shapes in user units, numbers written invariantly.</summary>
public sealed class Svg(double width, double height)
{
    static readonly XNamespace Ns = "http://www.w3.org/2000/svg";
    // A white page under everything, so the picture reads the same in viewers that show transparency.
    readonly XElement _root = new(Ns + "svg",
        new XAttribute("width", F(width)), new XAttribute("height", F(height)),
        new XAttribute("viewBox", $"0 0 {F(width)} {F(height)}"), new XAttribute("font-family", "sans-serif"),
        new XElement(Ns + "rect", new XAttribute("width", "100%"), new XAttribute("height", "100%"), new XAttribute("fill", "#ffffff"), new XAttribute("class", "background")),
        // Image-like cells meet edge to edge; anti-aliasing their edges would draw faint seams between them.
        new XElement(Ns + "style", "rect.cell, rect.map, rect.pixels, rect.colorbar { shape-rendering: crispEdges }"));

    public double Width { get; } = width;
    public double Height { get; } = height;

    public static string F(double v) => Math.Round(v, 3).ToString(CultureInfo.InvariantCulture);

    public Svg Rect(double x, double y, double w, double h, string fill, string? cssClass = null, string? stroke = null)
    {
        var e = new XElement(Ns + "rect", new XAttribute("x", F(x)), new XAttribute("y", F(y)),
            new XAttribute("width", F(w)), new XAttribute("height", F(h)), new XAttribute("fill", fill));
        if (stroke is not null) e.Add(new XAttribute("stroke", stroke));
        if (cssClass is not null) e.Add(new XAttribute("class", cssClass));
        _root.Add(e);
        return this;
    }

    public Svg Line(double x1, double y1, double x2, double y2, string stroke, double width = 1, string? dash = null, string? cssClass = null)
    {
        var e = new XElement(Ns + "line", new XAttribute("x1", F(x1)), new XAttribute("y1", F(y1)),
            new XAttribute("x2", F(x2)), new XAttribute("y2", F(y2)), new XAttribute("stroke", stroke), new XAttribute("stroke-width", F(width)));
        if (dash is not null) e.Add(new XAttribute("stroke-dasharray", dash));
        if (cssClass is not null) e.Add(new XAttribute("class", cssClass));
        _root.Add(e);
        return this;
    }

    public Svg Polyline(IEnumerable<(double X, double Y)> points, string stroke, double width = 1.5, string? cssClass = null)
    {
        var e = new XElement(Ns + "polyline", new XAttribute("fill", "none"), new XAttribute("stroke", stroke),
            new XAttribute("stroke-width", F(width)), new XAttribute("points", string.Join(" ", points.Select(p => $"{F(p.X)},{F(p.Y)}"))));
        if (cssClass is not null) e.Add(new XAttribute("class", cssClass));
        _root.Add(e);
        return this;
    }

    public Svg Polygon(IEnumerable<(double X, double Y)> points, string fill, string stroke = "#333", string? cssClass = null)
    {
        var e = new XElement(Ns + "polygon", new XAttribute("fill", fill), new XAttribute("stroke", stroke), new XAttribute("stroke-width", "0.5"),
            new XAttribute("points", string.Join(" ", points.Select(p => $"{F(p.X)},{F(p.Y)}"))));
        if (cssClass is not null) e.Add(new XAttribute("class", cssClass));
        _root.Add(e);
        return this;
    }

    public Svg Text(double x, double y, string text, double size = 12, string anchor = "start", double rotate = 0, string? cssClass = null)
    {
        var e = new XElement(Ns + "text", new XAttribute("x", F(x)), new XAttribute("y", F(y)),
            new XAttribute("font-size", F(size)), new XAttribute("text-anchor", anchor), text);
        if (rotate != 0) e.Add(new XAttribute("transform", $"rotate({F(rotate)} {F(x)} {F(y)})"));
        if (cssClass is not null) e.Add(new XAttribute("class", cssClass));
        _root.Add(e);
        return this;
    }

    public override string ToString() => new XDocument(new XDeclaration("1.0", "utf-8", null), _root).ToString();

    public void Save(string path) => File.WriteAllText(path, ToString(), new UTF8Encoding(false));
}

/// <summary>Colour maps for heatmaps (viridis by default, as SpikingJelly's matplotlib plots).</summary>
public static class ColorMap
{
    static readonly (double R, double G, double B)[] Viridis =
    [
        (68, 1, 84), (72, 40, 120), (62, 74, 137), (49, 104, 142), (38, 130, 142),
        (31, 158, 137), (53, 183, 121), (109, 205, 89), (180, 222, 44), (253, 231, 37),
    ];

    /// <summary>Colour of t in [0, 1] (clamped), linearly interpolated between viridis anchors.</summary>
    public static string Of(double t)
    {
        if (double.IsNaN(t)) t = 0;
        t = Math.Clamp(t, 0, 1) * (Viridis.Length - 1);
        int i = Math.Min((int)t, Viridis.Length - 2);
        double f = t - i;
        var (a, b) = (Viridis[i], Viridis[i + 1]);
        return $"#{(int)Math.Round(a.R + (b.R - a.R) * f):x2}{(int)Math.Round(a.G + (b.G - a.G) * f):x2}{(int)Math.Round(a.B + (b.B - a.B) * f):x2}";
    }
}
