using System.CommandLine;
using Spike.Datasets;
using Spike.Datasets.Formats;

namespace Spike.Cli;

/// <summary>`spike dataset …`: one recording's frames as a NumPy file, and preparing a whole dataset's caches.</summary>
public static class DatasetCommands
{
    static readonly Dictionary<string, EventFormat> Formats = new()
    {
        ["nmnist"] = EventFormat.NMnist, ["ncaltech101"] = EventFormat.NCaltech101, ["dvsgesture"] = EventFormat.DvsGesture,
        ["cifar10dvs"] = EventFormat.Cifar10Dvs, ["asldvs"] = EventFormat.AslDvs,
    };

    public static Command Build() => new("dataset", "dataset tools") { Frames(), Prepare() };

    static Command Frames()
    {
        var format = new Option<string>("--format") { Required = true, Description = string.Join("|", Formats.Keys) };
        var input = new Option<string>("--input") { Required = true, Description = "one recording in that format" };
        var (frames, splitBy, duration) = FrameOptionFlags();
        var output = new Option<string>("--out") { Required = true, Description = "the .npy file to write, float32 [M, 2, H, W]" };
        var cmd = new Command("frames", "integrate one event recording into frames, as SpikingJelly does, and write them as .npy")
            { format, input, frames, splitBy, duration, output };
        cmd.SetAction(r =>
        {
            var f = Formats.TryGetValue(r.GetValue(format)!, out var ef) ? ef
                : throw new ArgumentException($"--format must be one of {string.Join(", ", Formats.Keys)}, got '{r.GetValue(format)}'");
            var (h, w) = EventFormats.SensorSize(f);
            var options = FrameOptionsOf(r, frames, splitBy, duration) ?? throw new ArgumentException("give either --frames M (with --split-by) or --duration D");
            var t = options.Integrate(EventFormats.Read(f, r.GetValue(input)!), h, w);
            Npy.Write(r.GetValue(output)!, t);
            Console.WriteLine($"wrote {r.GetValue(output)}: float32 {Layout.Fmt(t.Layout.Shape)}");
            return 0;
        });
        return cmd;
    }

    static Command Prepare()
    {
        var name = new Argument<string>("dataset") { Description = "nmnist|ncaltech101|dvsgesture|cifar10dvs|asldvs|speechcommands" };
        var root = new Option<string>("--root") { Required = true, Description = "dataset folder (archives in ROOT/download, or ROOT for speechcommands)" };
        var (frames, splitBy, duration) = FrameOptionFlags();
        var download = new Option<bool>("--download") { Description = "fetch missing archives where the dataset allows it (cifar10dvs, speechcommands)" };
        var mirror = new Option<string?>("--mirror") { Description = "base URL holding the archives by file name, instead of their own URLs" };
        var noMd5 = new Option<bool>("--no-md5") { Description = "skip the archives' MD5 check" };
        var version = new Option<string>("--version") { DefaultValueFactory = _ => "v0.02", Description = "speechcommands version: v0.01 or v0.02" };
        var cmd = new Command("prepare", "download/check/extract a dataset and build its event cache (and frame cache with --frames or --duration), drawing a progress bar")
            { name, root, frames, splitBy, duration, download, mirror, noMd5, version };
        cmd.SetAction(r =>
        {
            var bar = new ProgressBar(Console.Error, interactive: !Console.IsErrorRedirected);
            var options = new DatasetOptions { Download = r.GetValue(download), Mirror = r.GetValue(mirror), CheckMd5 = !r.GetValue(noMd5), Progress = bar };
            var dir = r.GetValue(root)!;
            var f = FrameOptionsOf(r, frames, splitBy, duration);
            string summary = r.GetValue(name) switch
            {
                "nmnist" => Split(new NMnist(dir, true, f, options), new NMnist(dir, false, f, options)),
                "dvsgesture" => Split(new DvsGesture(dir, true, f, options), new DvsGesture(dir, false, f, options)),
                "ncaltech101" => Whole(new NCaltech101(dir, f, options)),
                "cifar10dvs" => Whole(new Cifar10Dvs(dir, f, options)),
                "asldvs" => Whole(new AslDvs(dir, f, options)),
                "speechcommands" => $"Speech Commands {r.GetValue(version)}: extracted in {SpeechCommands.Prepare(dir, r.GetValue(version)!, options)}",
                var s => throw new ArgumentException($"unknown dataset '{s}' (known: nmnist, ncaltech101, dvsgesture, cifar10dvs, asldvs, speechcommands)"),
            };
            bar.Finish();
            Console.WriteLine(summary);
            return 0;
        });
        return cmd;
    }

    static string Split(NeuromorphicDataset train, NeuromorphicDataset test) =>
        $"{Describe(train)}: {train.Count} train + {test.Count} test samples{Where(train)}";

    static string Whole(NeuromorphicDataset d) => $"{Describe(d)}: {d.Count} samples{Where(d)}";

    static string Describe(NeuromorphicDataset d) => $"{d.Spec.Name} ({d.Spec.Height}×{d.Spec.Width}, {d.Spec.ClassCount} classes)";

    static string Where(NeuromorphicDataset d) => d.FramesDir is null ? $", events in {d.EventsDir}" : $", frames in {d.FramesDir}";

    static (Option<int?> Frames, Option<string> SplitBy, Option<long?> Duration) FrameOptionFlags() =>
    (
        new Option<int?>("--frames") { Description = "number of frames M (with --split-by)" },
        new Option<string>("--split-by") { DefaultValueFactory = _ => "number", Description = "number|time" },
        new Option<long?>("--duration") { Description = "fixed frame duration (instead of --frames)" }
    );

    /// <summary>The frame options the flags ask for, or null when neither --frames nor --duration is given.</summary>
    static FrameOptions? FrameOptionsOf(ParseResult r, Option<int?> frames, Option<string> splitBy, Option<long?> duration) =>
        (r.GetValue(frames), r.GetValue(duration)) switch
        {
            (int m, null) => new FrameOptions(FramesNumber: m, SplitBy: r.GetValue(splitBy) switch
            {
                "number" => SplitBy.Number,
                "time" => SplitBy.Time,
                var s => throw new ArgumentException($"--split-by must be number or time, got '{s}'"),
            }),
            (null, long d) => new FrameOptions(Duration: d),
            (null, null) => null,
            _ => throw new ArgumentException("give either --frames M (with --split-by) or --duration D, not both"),
        };
}

/// <summary>
/// Draws <see cref="DatasetProgress"/> as a text bar, one line per stage: redrawn in place with '\r' on a terminal, or
/// written once per 10 % step (64 MiB for a download of unknown length) when the output is a file or pipe.
/// Safe to call from the parallel cache builders.
/// </summary>
public sealed class ProgressBar(TextWriter output, bool interactive, int width = 30) : IProgress<DatasetProgress>
{
    private readonly object _gate = new();
    private string? _stage;
    private long _done;
    private int _shown = -1;

    public void Report(DatasetProgress p)
    {
        lock (_gate)
        {
            if (p.Stage != _stage) { Finish(); _stage = p.Stage; _done = 0; _shown = -1; }
            // Parallel workers report out of order; the bar only moves forward.
            if (p.Done < _done) return;
            _done = p.Done;
            int step = p.Fraction is double f ? (int)(f * (interactive ? 100 : 10)) : (int)((p.Done >> 20) / (interactive ? 1 : 64));
            if (step == _shown) return;
            _shown = step;
            if (interactive) output.Write("\r" + Render(p, width));
            else output.WriteLine(Render(p, width));
            output.Flush();
        }
    }

    /// <summary>Ends the current line (on a terminal); call when the work is over.</summary>
    public void Finish()
    {
        lock (_gate)
        {
            if (interactive && _stage is not null && _shown >= 0) output.WriteLine();
            _stage = null;
        }
    }

    /// <summary>
    /// One line: <c>frames    [#######.......]  50% 123/246</c>; download stages count MiB, and a download of unknown
    /// length shows only the amount.
    /// </summary>
    public static string Render(DatasetProgress p, int width = 30)
    {
        bool bytes = p.Stage.StartsWith("download ", StringComparison.Ordinal);
        string Amount(long v) => bytes ? $"{v / 1048576.0:F1}" : v.ToString();
        var amount = p.Total >= 0 ? $"{Amount(p.Done)}/{Amount(p.Total)}{(bytes ? " MiB" : "")}" : $"{Amount(p.Done)}{(bytes ? " MiB" : "")}";
        if (p.Fraction is not double f) return $"{p.Stage,-24} {amount}";
        int filled = (int)Math.Round(f * width);
        return $"{p.Stage,-24} [{new string('#', filled)}{new string('.', width - filled)}] {(int)(f * 100),3}% {amount}";
    }
}
