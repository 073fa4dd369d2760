using Spike.Bench;

// Usage: dotnet run --project Spike.Bench -c Release -- [--list] [filter ...]
// A filter is a workload name, a group name (gemm, bandwidth, conv, neuron, train, scaling, sparse, pool, dataset) or
// part of a name.
// JSON on stdout, one line per workload on stderr. `spike bench` runs the same.
bool list = args.Contains("--list");
return BenchRunner.Run(args.Where(a => a != "--list").ToList(), list, Console.Out, Console.Error);
