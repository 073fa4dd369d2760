using System.CommandLine;
using Spike.Bench;
using Spike.Cuda;

namespace Spike.Cli;

/// <summary>
/// `spike bench [filter …]`: the CPU benchmarks (Spike.Bench) as one JSON document, see docs/performance.md; with
/// <c>--device cuda</c> the GPU kernel timings of <see cref="CudaBench"/> as a table, see docs/cuda.md.
/// </summary>
public static class BenchCommand
{
    public static Command Build()
    {
        var filters = new Argument<string[]>("filter")
        {
            Description = "groups (gemm, bandwidth, conv, neuron, train, scaling, sparse, pool, dataset) or parts of workload names; all when omitted",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var list = new Option<bool>("--list") { Description = "list the selected workloads and exit" };
        var output = new Option<string?>("--out") { Description = "write the JSON here instead of standard output" };
        var device = new Option<string>("--device") { DefaultValueFactory = _ => "cpu", Description = "cpu (Spike.Bench's workloads) or cuda / cuda:N (kernel timings)" };
        var steps = new Option<int>("-T") { DefaultValueFactory = _ => 32, Description = "CUDA: time steps of the fused neuron workloads" };
        var neurons = new Option<int>("-N") { DefaultValueFactory = _ => 1 << 22, Description = "CUDA: neurons of the fused neuron workloads" };
        var cmd = new Command("bench", "run the benchmarks: medians of at least 5 runs after warm-up; on the CPU JSON with the machine description")
            { filters, list, output, device, steps, neurons };
        cmd.SetAction(r =>
        {
            var d = CudaCommands.Resolve(r.GetValue(device)!);
            var selected = r.GetValue(filters) ?? [];
            if (d.Kind == DeviceKind.Cuda)
            {
                CudaBench.Run(CudaBackend.For(d.Index), r.GetValue(steps), r.GetValue(neurons), string.Join("", selected), Console.Out);
                return 0;
            }
            var path = r.GetValue(output);
            using var json = path is null ? null : new StreamWriter(path);
            return BenchRunner.Run(selected, r.GetValue(list), json ?? Console.Out, Console.Error);
        });
        return cmd;
    }
}
