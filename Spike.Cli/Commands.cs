using System.CommandLine;

namespace Spike.Cli;

/// <summary>The `spike` command line: train, eval, plot, dataset tools.</summary>
public static class Commands
{
    public static int Run(string[] args)
    {
        var root = new RootCommand("Spike: spiking neural networks for .NET");
        root.Subcommands.Add(TrainCommands.Train());
        root.Subcommands.Add(TrainCommands.Eval());
        root.Subcommands.Add(PlotCommands.Build());
        root.Subcommands.Add(DatasetCommands.Build());
        root.Subcommands.Add(BenchCommand.Build());
        root.Subcommands.Add(CudaCommands.KernelsCommand());
        root.Subcommands.Add(CudaCommands.DeviceCommand());
        var parsed = root.Parse(args);
        try
        {
            return parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or InvalidOperationException or UnauthorizedAccessException)
        {
            // Bad input gets one clear line, not a stack trace.
            Console.Error.WriteLine($"spike: error: {e.Message}");
            return 1;
        }
    }
}
