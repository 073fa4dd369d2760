using System.CommandLine;
using Spike.Datasets;
using Spike.Datasets.Formats;

namespace Spike.Cli;

/// <summary>`spike dataset …`: tools over recordings, e.g. one recording's frames as a NumPy file.</summary>
public static class DatasetCommands
{
    static readonly Dictionary<string, EventFormat> Formats = new()
    {
        ["nmnist"] = EventFormat.NMnist, ["ncaltech101"] = EventFormat.NCaltech101, ["dvsgesture"] = EventFormat.DvsGesture,
        ["cifar10dvs"] = EventFormat.Cifar10Dvs, ["asldvs"] = EventFormat.AslDvs,
    };

    public static Command Build()
    {
        var format = new Option<string>("--format") { Required = true, Description = string.Join("|", Formats.Keys) };
        var input = new Option<string>("--input") { Required = true, Description = "one recording in that format" };
        var frames = new Option<int?>("--frames") { Description = "number of frames M (with --split-by)" };
        var splitBy = new Option<string>("--split-by") { DefaultValueFactory = _ => "number", Description = "number|time" };
        var duration = new Option<long?>("--duration") { Description = "fixed frame duration (instead of --frames)" };
        var output = new Option<string>("--out") { Required = true, Description = "the .npy file to write, float32 [M, 2, H, W]" };
        var cmd = new Command("frames", "integrate one event recording into frames, as SpikingJelly does, and write them as .npy")
            { format, input, frames, splitBy, duration, output };
        cmd.SetAction(r =>
        {
            var f = Formats.TryGetValue(r.GetValue(format)!, out var ef) ? ef
                : throw new ArgumentException($"--format must be one of {string.Join(", ", Formats.Keys)}, got '{r.GetValue(format)}'");
            Tensor t = (r.GetValue(frames), r.GetValue(duration)) switch
            {
                (int m, null) => EventFrames.FromFile(f, r.GetValue(input)!, m, r.GetValue(splitBy) switch
                {
                    "number" => SplitBy.Number,
                    "time" => SplitBy.Time,
                    var s => throw new ArgumentException($"--split-by must be number or time, got '{s}'"),
                }),
                (null, long d) => EventFrames.FromFile(f, r.GetValue(input)!, d),
                _ => throw new ArgumentException("give either --frames M (with --split-by) or --duration D"),
            };
            Npy.Write(r.GetValue(output)!, t);
            Console.WriteLine($"wrote {r.GetValue(output)}: float32 {Layout.Fmt(t.Layout.Shape)}");
            return 0;
        });
        return new Command("dataset", "dataset tools") { cmd };
    }
}
