using System.CommandLine;
using Spike.Bench;

namespace Spike.Cli;

/// <summary>`spike bench [filter …]`: the CPU benchmarks (Spike.Bench) as one JSON document; see docs/performance.md.</summary>
public static class BenchCommand
{
    public static Command Build()
    {
        var filters = new Argument<string[]>("filter")
        {
            Description = "groups (gemm, bandwidth, conv, neuron, train, scaling, sparse) or parts of workload names; all when omitted",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var list = new Option<bool>("--list") { Description = "list the selected workloads and exit" };
        var output = new Option<string?>("--out") { Description = "write the JSON here instead of standard output" };
        var cmd = new Command("bench", "run the CPU benchmarks: medians of at least 5 runs after warm-up, JSON with the machine description")
            { filters, list, output };
        cmd.SetAction(r =>
        {
            var path = r.GetValue(output);
            using var json = path is null ? null : new StreamWriter(path);
            return BenchRunner.Run(r.GetValue(filters) ?? [], r.GetValue(list), json ?? Console.Out, Console.Error);
        });
        return cmd;
    }
}
