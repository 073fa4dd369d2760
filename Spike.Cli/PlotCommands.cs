using System.CommandLine;
using Spike.Cli.Plots;
using Spike.Cli.Training;
using Spike.Datasets.Formats;
using Spike.Nn;

namespace Spike.Cli;

/// <summary>
/// `spike plot …`: SpikingJelly's visualizing functions as SVG, from NumPy arrays (laid out as SpikingJelly's
/// functions take them: time first) or from a training run (curves, the encoder's spikes, the output layer's neurons).
/// </summary>
public static class PlotCommands
{
    public static Command Build() => new("plot", "SVG plots from .npy arrays or from a run folder")
    {
        Curves(), Heatmap(), Spikes(), FeatureMap(), Neuron(), Bars3d(), Encoder(), OutputNeurons(),
    };

    static Option<string> Out() => new("-o", "--out") { Required = true, Description = "the .svg file to write" };
    static Option<string> Title(string fallback) => new("--title") { DefaultValueFactory = _ => fallback };

    static Command Curves()
    {
        var run = new Argument<string>("run-folder");
        var cmd = new Command("curves", "loss and accuracy curves from a run's metrics.csv (loss.svg, accuracy.svg in the run folder)") { run };
        cmd.SetAction(r =>
        {
            var folder = r.GetValue(run)!;
            var (loss, acc) = Plots.Curves.FromMetricsCsv(Path.Combine(folder, "metrics.csv"));
            Save(loss, Path.Combine(folder, "loss.svg"));
            Save(acc, Path.Combine(folder, "accuracy.svg"));
        });
        return cmd;
    }

    static Command Heatmap()
    {
        var input = new Argument<string>("array.npy") { Description = "[T, N], e.g. membrane potentials" };
        var (o, title) = (Out(), Title("Membrane Potentials"));
        var cmd = new Command("heatmap", "plot_2d_heatmap: one coloured cell per value, time along x") { input, o, title };
        cmd.SetAction(r => Save(Visualizing.Heatmap2d(Arrays.Transposed(Read(r.GetValue(input)!, Arrays.Matrix)), r.GetValue(title)!), r.GetValue(o)!));
        return cmd;
    }

    static Command Spikes()
    {
        var input = new Argument<string>("spikes.npy") { Description = "[T, N] of 0/1" };
        var (o, title) = (Out(), Title("Spikes"));
        var cmd = new Command("spikes", "plot_1d_spikes: a spike raster with each neuron's firing rate") { input, o, title };
        cmd.SetAction(r => Save(Visualizing.SpikeRaster1d(Arrays.Transposed(Read(r.GetValue(input)!, Arrays.Matrix)), r.GetValue(title)!), r.GetValue(o)!));
        return cmd;
    }

    static Command FeatureMap()
    {
        var input = new Argument<string>("maps.npy") { Description = "[C, H, W]" };
        var nrows = new Option<int?>("--nrows") { Description = "grid rows (default: the largest divisor of C not above √C)" };
        var space = new Option<int>("--space") { DefaultValueFactory = _ => 2, Description = "gap between maps, in pixels" };
        var (o, title) = (Out(), Title("Spiking Feature Maps"));
        var cmd = new Command("feature-map", "plot_2d_spiking_feature_map: C maps in a grid") { input, nrows, space, o, title };
        cmd.SetAction(r =>
        {
            if (r.GetValue(nrows) is < 1) throw new ArgumentException($"--nrows must be positive, got {r.GetValue(nrows)}");
            Save(Grid(Read(r.GetValue(input)!, Arrays.Cube), r.GetValue(space), r.GetValue(title)!, r.GetValue(nrows)), r.GetValue(o)!);
        });
        return cmd;
    }

    static Command Neuron()
    {
        var v = new Argument<string>("v.npy") { Description = "[T] membrane potential" };
        var s = new Argument<string>("s.npy") { Description = "[T] spikes" };
        var vth = new Option<double>("--v-threshold") { DefaultValueFactory = _ => 1.0 };
        var vr = new Option<double?>("--v-reset") { DefaultValueFactory = _ => 0.0, Description = "reset potential; omit the line with --soft-reset" };
        var soft = new Option<bool>("--soft-reset");
        var (o, title) = (Out(), Title("V and S of the neuron"));
        var cmd = new Command("neuron", "plot_one_neuron_v_s: one neuron's V with threshold and reset lines, and its spikes") { v, s, vth, vr, soft, o, title };
        cmd.SetAction(r => Save(Visualizing.OneNeuronVs(Read(r.GetValue(v)!, Arrays.Vector), Read(r.GetValue(s)!, Arrays.Vector),
            r.GetValue(vth), r.GetValue(soft) ? null : r.GetValue(vr), r.GetValue(title)!), r.GetValue(o)!));
        return cmd;
    }

    static Command Bars3d()
    {
        var input = new Argument<string>("array.npy") { Description = "[T, N], e.g. firing rates per epoch" };
        var (o, title) = (Out(), Title(""));
        var cmd = new Command("bars3d", "plot_2d_bar_in_3d: one 3-D bar per value, neurons in depth") { input, o, title };
        cmd.SetAction(r => Save(Visualizing.Bars3d(Arrays.Transposed(Read(r.GetValue(input)!, Arrays.Matrix)), r.GetValue(title)!, "step (along), neuron (in depth)", "value"), r.GetValue(o)!));
        return cmd;
    }

    static (Argument<string>, Option<string>, Option<int>, Option<string?>) RunInputs() => (
        new Argument<string>("run-folder"),
        new Option<string>("--checkpoint") { DefaultValueFactory = _ => "max", Description = "max, latest, or a checkpoint file" },
        new Option<int>("--index") { DefaultValueFactory = _ => 0, Description = "which test sample" },
        new Option<string?>("--data-dir") { Description = "dataset location (default: the one the run used)" });

    static Command Encoder()
    {
        var (run, which, index, dataDir) = RunInputs();
        var cmd = new Command("encoder", "the first convolution and spiking layer (the tutorial's encoder): one test sample and its accumulated spikes ∑S per channel at t = 0 and t = T−1")
            { run, which, index, dataDir };
        cmd.SetAction(r =>
        {
            var folder = r.GetValue(run)!;
            var (sample, net, _) = TestSample(folder, r.GetValue(which)!, r.GetValue(index), r.GetValue(dataDir));
            var spikes = RunPlots.EncoderSpikes(net, sample.X);
            Save(Grid(Arrays.Cube(RunPlots.InputMaps(sample.X)), 2, $"Input (label {sample.Label})"), Path.Combine(folder, "encoder_input.svg"));
            int t = spikes.Size(0);
            foreach (int k in new[] { 0, t - 1 }.Distinct())
                Save(Grid(RunPlots.AccumulatedMaps(spikes, k), 1, $"∑S at t = {k}"), Path.Combine(folder, $"encoder_t{k}.svg"));
        });
        return cmd;
    }

    static Command OutputNeurons()
    {
        var (run, which, index, dataDir) = RunInputs();
        var cmd = new Command("output", "the output layer for one test sample: V heatmap, spike raster with firing rates, and the label neuron's V and S")
            { run, which, index, dataDir };
        cmd.SetAction(r =>
        {
            var folder = r.GetValue(run)!;
            var (sample, net, spec) = TestSample(folder, r.GetValue(which)!, r.GetValue(index), r.GetValue(dataDir));
            var (node, v, s) = RunPlots.OutputLayer(net, sample.X);
            Save(Visualizing.Heatmap2d(Arrays.Transposed(v), $"Output layer V (label {sample.Label})"), Path.Combine(folder, "output_v.svg"));
            Save(Visualizing.SpikeRaster1d(Arrays.Transposed(s), "Output layer spikes"), Path.Combine(folder, "output_spikes.svg"));
            // With voting, the label's neurons are a group of N / classes; its first one is shown.
            int k = (int)sample.Label * (v.GetLength(1) / spec.Classes);
            Save(Visualizing.OneNeuronVs(Arrays.Column(v, k), Arrays.Column(s, k), node.VThreshold, node.VReset, $"V and S of output neuron {k}"),
                Path.Combine(folder, $"output_neuron_{k}.svg"));
        });
        return cmd;
    }

    static (Spike.Datasets.Sample, Module, ModelSpec) TestSample(string folder, string which, int index, string? dataDir)
    {
        var (ckpt, spec, net) = TrainCommands.LoadModel(TrainCommands.CheckpointPath(folder, which));
        var data = DataSource.For(spec.Data, ckpt.Options.T, dataDir ?? ckpt.Options.DataDir, ckpt.Options.SkipMd5);
        if (index < 0 || index >= data.Test.Count) throw new ArgumentException($"--index {index}: the test set has {data.Test.Count} samples");
        net.Eval();
        return (data.Test.Get(index), net, spec);
    }

    static void Save(Svg svg, string path)
    {
        svg.Save(path);
        Console.WriteLine($"wrote {path}");
    }

    /// <summary>C maps in a grid of nrows (default: the largest divisor of C not above √C, e.g. 8 × 16 for 128) rows.</summary>
    static Svg Grid(float[,,] maps, int space, string title, int? nrows = null)
    {
        int c = maps.GetLength(0);
        int rows = nrows ?? Enumerable.Range(1, Math.Max(1, (int)Math.Sqrt(c))).Last(d => c % d == 0);
        return Visualizing.SpikingFeatureMap2d(maps, rows, (c + rows - 1) / rows, space, title);
    }

    /// <summary>Reads a .npy file and converts it, naming the file when its shape does not fit.</summary>
    static T Read<T>(string path, Func<Tensor, T> convert)
    {
        try { return convert(Npy.Read(path)); }
        catch (ArgumentException e) { throw new ArgumentException($"{path}: {e.Message}", e); }
    }
}
