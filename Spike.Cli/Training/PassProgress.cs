using Spectre.Console;
using Spectre.Console.Rendering;

namespace Spike.Cli.Training;

/// <summary>
/// Shows one pass over a dataset (an epoch's training or test batches). <see cref="Run{T}"/> hands the pass a
/// report callback taking (batches done, samples seen); the display derives samples/s from the samples and the time.
/// </summary>
public interface IPassProgress
{
    T Run<T>(string label, int batches, Func<Action<int, long>, T> pass);

    /// <summary>A live bar on an interactive terminal, plain lines on <paramref name="log"/> otherwise (redirected
    /// output, logs, tests), so files never fill with redraw sequences.</summary>
    static IPassProgress For(TextWriter log) => IsInteractive(log) ? new LiveProgress() : new PlainProgress(log);

    /// <summary>Whether <paramref name="log"/> is the console of an interactive terminal.</summary>
    static bool IsInteractive(TextWriter log) =>
        ReferenceEquals(log, Console.Out) && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
}

/// <summary>A line per tenth of the pass: "epoch 0 train 47/469 batches, 5997 samples, 812 samples/s".</summary>
public sealed class PlainProgress(TextWriter log) : IPassProgress
{
    public T Run<T>(string label, int batches, Func<Action<int, long>, T> pass)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        int lastDecile = 0;
        return pass((done, samples) =>
        {
            int decile = 10 * done / Math.Max(batches, 1);
            if (decile == lastDecile) return;
            lastDecile = decile;
            log.WriteLine($"{label} {done}/{batches} batches, {samples} samples, {samples / clock.Elapsed.TotalSeconds:F0} samples/s");
        });
    }
}

/// <summary>Spectre.Console's progress bar with elapsed and remaining time and a samples/s column.</summary>
public sealed class LiveProgress(IAnsiConsole? console = null) : IPassProgress
{
    readonly IAnsiConsole _console = console ?? AnsiConsole.Console;

    public T Run<T>(string label, int batches, Func<Action<int, long>, T> pass) =>
        _console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                new ElapsedTimeColumn(), new RemainingTimeColumn(), new SamplesPerSecondColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(label, maxValue: Math.Max(batches, 1));
                var clock = System.Diagnostics.Stopwatch.StartNew();
                var result = pass((done, samples) =>
                {
                    task.State.Update<double>(SamplesPerSecondColumn.Key, _ => samples / clock.Elapsed.TotalSeconds);
                    task.Value = done;
                });
                task.Value = task.MaxValue;
                return result;
            });

    sealed class SamplesPerSecondColumn : ProgressColumn
    {
        public const string Key = "samples/s";

        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Text($"{task.State.Get<double>(Key),8:F0} samples/s");
    }
}
