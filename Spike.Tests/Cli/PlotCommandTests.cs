using System.Xml.Linq;
using FluentAssertions;
using NUnit.Framework;
using Spike.Cli.Plots;
using Spike.Cli.Training;
using Spike.Datasets.Formats;
using static Spike.Tests.Cli.CliModelTests;

namespace Spike.Tests.Cli;

/// <summary>`spike plot …` end to end: every subcommand writes an SVG that parses and holds what its input implies.</summary>
public class PlotCommandTests
{
    static readonly XNamespace Ns = "http://www.w3.org/2000/svg";
    string _dir = "";

    [SetUp] public void SetUp() => Directory.CreateDirectory(_dir = Path.Combine(Path.GetTempPath(), "spike-plot-" + Guid.NewGuid().ToString("N")));
    [TearDown] public void TearDown() => Directory.Delete(_dir, recursive: true);

    string Npy(string name, Tensor t)
    {
        var path = Path.Combine(_dir, name);
        Spike.Datasets.Formats.Npy.Write(path, t);
        return path;
    }

    static XElement[] Elements(string svgPath, string cls)
    {
        var root = XDocument.Load(svgPath).Root!;
        root.Name.Should().Be(Ns + "svg");
        return root.Descendants().Where(e => (string?)e.Attribute("class") == cls).ToArray();
    }

    string Plot(params string[] args)
    {
        var (code, output, err) = RunSpike(["plot", .. args]);
        (code, err).Should().Be((0, ""));
        return output;
    }

    [Test]
    public void ArrayPlotsFromNpy()
    {
        // [T = 6, N = 3], time first as SpikingJelly's functions take it.
        var v = Tensor.FromArray(Enumerable.Range(0, 18).Select(i => (float)i / 17).ToArray(), 6, 3);
        var s = Tensor.FromArray(Enumerable.Range(0, 18).Select(i => i % 4 == 0 ? 1.0 : 0.0).ToArray(), 6, 3); // float64 input
        var o = Path.Combine(_dir, "out.svg");

        Plot("heatmap", Npy("v.npy", v), "-o", o).Should().Contain($"wrote {o}");
        var cells = Elements(o, "cell");
        cells.Should().HaveCount(18);
        // Neurons are rows and time runs along x: the first row holds v[t, 0] for t = 0..5, v[5, 0] = 15/17.
        ((string?)cells[5].Attribute("fill")).Should().Be(ColorMap.Of(15.0 / 17));

        Plot("spikes", Npy("s.npy", s), "-o", o);
        Elements(o, "spike").Should().HaveCount(5);   // flat indices 0, 4, 8, 12, 16
        Elements(o, "rate").Should().HaveCount(3);

        Plot("bars3d", Npy("v.npy", v), "-o", o);
        Elements(o, "bar").Should().HaveCount(18);

        Plot("feature-map", Npy("maps.npy", Tensor.Rand([6, 4, 4], new Generator(1))), "-o", o);
        Elements(o, "map").Should().HaveCount(6);     // a 2 × 3 grid

        var vn = Npy("vn.npy", Tensor.FromArray(new float[] { 0, 0.6f, 0, 0.5f }));
        var sn = Npy("sn.npy", Tensor.FromArray(new float[] { 0, 1, 0, 0 }));
        Plot("neuron", vn, sn, "--v-threshold", "0.8", "-o", o);
        Elements(o, "v_threshold").Should().HaveCount(1);
        Elements(o, "v_reset").Should().HaveCount(1);
        Elements(o, "spike").Should().HaveCount(1);
        Plot("neuron", vn, sn, "--soft-reset", "-o", o);
        Elements(o, "v_reset").Should().BeEmpty();

        var (code, _, err) = RunSpike("plot", "heatmap", vn, "-o", o);
        code.Should().Be(1);
        err.Should().Contain(vn).And.Contain("2-D").And.Contain("[4]");
    }

    [Test]
    public void RunPlotsFromACheckpoint()
    {
        var data = Path.Combine(_dir, "data");
        TinyDatasets.FashionMnist(data);
        var o = new TrainOptions { Model = "conv-fashion-mnist", T = 3, BatchSize = 16, Channels = 6, Epochs = 2, Workers = 0, DataDir = data,
            OutDir = Path.Combine(_dir, "runs"), Opt = "sgd", Lr = 0.1, LrScheduler = "cosine", TMax = 2 };
        var trainer = new Trainer(o, TextWriter.Null);
        trainer.Run(DataSource.FashionMnist(data));
        var run = trainer.RunDir;

        Plot("curves", run);
        Elements(Path.Combine(run, "loss.svg"), "series").Should().HaveCount(2);

        Plot("encoder", run, "--index", "3");
        Elements(Path.Combine(run, "encoder_input.svg"), "map").Should().HaveCount(1);
        Elements(Path.Combine(run, "encoder_t0.svg"), "map").Should().HaveCount(6);
        Elements(Path.Combine(run, "encoder_t2.svg"), "map").Should().HaveCount(6);
        XDocument.Load(Path.Combine(run, "encoder_t2.svg")).Root!.Descendants(Ns + "text").Select(t => t.Value).Should().Contain("∑S at t = 2");

        Plot("output", run, "--index", "3", "--checkpoint", "latest");   // test sample 3 has label 3
        Elements(Path.Combine(run, "output_v.svg"), "cell").Should().HaveCount(3 * 10);
        Elements(Path.Combine(run, "output_spikes.svg"), "rate").Should().HaveCount(10);
        Elements(Path.Combine(run, "output_neuron_3.svg"), "v").Should().HaveCount(1);

        // lif-fc's first spiking layer is its output: there are no feature maps to show.
        var lif = new Trainer(o with { Model = "lif-fc", Channels = null, Epochs = 1 }, TextWriter.Null);
        lif.Run(DataSource.FashionMnist(data));
        RunSpike("plot", "encoder", lif.RunDir).Err.Should().Contain("not feature maps");
    }

    [Test]
    public void EncoderSpikesAccumulateAndNormalisePerChannel()
    {
        // spikes [T = 2, C = 2, 1, 2]: channel 0 sums to {1, 2} → {0, 1}; channel 1 sums to {1, 1}, constant, kept as is.
        var spikes = Tensor.FromArray(new float[] { 1, 1, 1, 0, /* t = 1 */ 0, 1, 0, 1 }, 2, 2, 1, 2);
        var at1 = RunPlots.AccumulatedMaps(spikes, 1);
        new[] { at1[0, 0, 0], at1[0, 0, 1], at1[1, 0, 0], at1[1, 0, 1] }.Should().Equal(0, 1, 1, 1);
        var at0 = RunPlots.AccumulatedMaps(spikes, 0);
        new[] { at0[0, 0, 0], at0[0, 0, 1], at0[1, 0, 0], at0[1, 0, 1] }.Should().Equal(1, 1, 1, 0);
    }
}
