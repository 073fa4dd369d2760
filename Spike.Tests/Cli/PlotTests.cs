using System.Xml.Linq;
using FluentAssertions;
using NUnit.Framework;
using Spike.Cli.Plots;

namespace Spike.Tests.Cli;

/// <summary>Each plot parses as SVG and holds the elements its data implies.</summary>
public class PlotTests
{
    static readonly XNamespace Ns = "http://www.w3.org/2000/svg";

    static XElement Parse(Svg svg)
    {
        var doc = XDocument.Parse(svg.ToString());
        doc.Root!.Name.Should().Be(Ns + "svg");
        return doc.Root;
    }

    static int Count(XElement root, string cls) => root.Descendants().Count(e => (string?)e.Attribute("class") == cls);

    [Test]
    public void HeatmapHasOneCellPerValueAndAColourBar()
    {
        var x = new float[3, 5];
        for (int i = 0; i < 3; i++) for (int j = 0; j < 5; j++) x[i, j] = i * 5 + j;
        var root = Parse(Visualizing.Heatmap2d(x, "v"));
        Count(root, "cell").Should().Be(15);
        Count(root, "colorbar").Should().Be(20);
        var cells = root.Descendants(Ns + "rect").Where(e => (string?)e.Attribute("class") == "cell").ToArray();
        ((string)cells[0].Attribute("fill")!).Should().Be(ColorMap.Of(0));    // minimum → first viridis colour
        ((string)cells[^1].Attribute("fill")!).Should().Be(ColorMap.Of(1));   // maximum → last
        ColorMap.Of(0).Should().Be("#440154");
        ColorMap.Of(1).Should().Be("#fde725");
    }

    [Test]
    public void RasterMarksEverySpikeAndRates()
    {
        var s = new float[2, 4] { { 1, 0, 1, 1 }, { 0, 0, 0, 1 } };
        var root = Parse(Visualizing.SpikeRaster1d(s));
        Count(root, "spike").Should().Be(4);
        Count(root, "rate").Should().Be(2);
        root.Descendants(Ns + "text").Select(t => t.Value).Should().Contain(["0.75", "0.25"]);
    }

    [Test]
    public void FeatureMapGridAndOneNeuronPlot()
    {
        var s = new float[3, 2, 2];
        s[0, 0, 0] = 1; s[2, 1, 1] = 1; s[2, 0, 1] = 1;
        var root = Parse(Visualizing.SpikingFeatureMap2d(s, 2, 2));
        Count(root, "map").Should().Be(3);
        Count(root, "pixels").Should().Be(3);
        root.Descendants(Ns + "rect").Where(e => (string?)e.Attribute("class") == "pixels").Should().OnlyContain(e => (string?)e.Attribute("fill") == "#ffffff");
        // Grey levels span min..max over all maps; equal neighbours in a row merge into one rectangle.
        var grey = Parse(Visualizing.SpikingFeatureMap2d(new float[,,] { { { 0, 2, 2, 4 } } }, 1, 1));
        var pixels = grey.Descendants(Ns + "rect").Where(e => (string?)e.Attribute("class") == "pixels").ToArray();
        pixels.Select(e => (string?)e.Attribute("fill")).Should().Equal("#808080", "#ffffff");
        (double.Parse((string)pixels[0].Attribute("width")!) / double.Parse((string)pixels[1].Attribute("width")!)).Should().Be(2);
        FluentActions.Invoking(() => Visualizing.SpikingFeatureMap2d(s, 1, 2)).Should().Throw<ArgumentException>().WithMessage("*1x2*3 channels*");

        var v = new float[] { 0, 0.5f, 1.2f, 0, 0.6f };
        var sp = new float[] { 0, 0, 1, 0, 0 };
        var one = Parse(Visualizing.OneNeuronVs(v, sp, 1.0, 0.0));
        Count(one, "v").Should().Be(1);
        Count(one, "v_threshold").Should().Be(1);
        Count(one, "v_reset").Should().Be(1);
        Count(one, "spike").Should().Be(1);
        ((string)one.Descendants(Ns + "polyline").First().Attribute("points")!).Split(' ').Should().HaveCount(5);
    }

    [Test]
    public void BarsAndTrainingCurves()
    {
        var root = Parse(Visualizing.Bars3d(new float[,] { { 1, 2 }, { 3, -1 } }));
        Count(root, "bar").Should().Be(4);
        Count(root, "bar-top").Should().Be(4);

        var csv = Path.Combine(Path.GetTempPath(), $"metrics-{Guid.NewGuid():N}.csv");
        File.WriteAllLines(csv, ["epoch,train_loss,train_acc,test_loss,test_acc,max_test_acc,total_time", "0,0.5,0.6,0.55,0.58,0.58,10", "1,0.4,0.7,0.45,0.66,0.66,20"]);
        try
        {
            var (loss, acc) = Curves.FromMetricsCsv(csv);
            Count(Parse(loss), "series").Should().Be(2);
            Parse(acc).Descendants(Ns + "text").Select(t => t.Value).Should().Contain(["train_acc", "test_acc"]);
            File.AppendAllLines(csv, ["2,0.3"]);
            FluentActions.Invoking(() => Curves.FromMetricsCsv(csv)).Should().Throw<InvalidDataException>().WithMessage("*line 4*");
        }
        finally { File.Delete(csv); }
    }
}
