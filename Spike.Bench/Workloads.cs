using Spike.Cpu;

namespace Spike.Bench;

/// <summary>
/// Every benchmark, by group: gemm (SGEMM GFLOP/s), bandwidth (memory copy and elementwise/reduction kernels, GB/s),
/// conv (convolution layers), neuron (fused multi-step neurons), train (tutorial training steps), scaling (the
/// training steps at other batch sizes), sparse (the spike-sparse Linear against the dense one), pool (2×2 pooling,
/// vector pair kernels against the scalar loops) and dataset (event decoding, frame integration and loading).
/// </summary>
public static class Workloads
{
    public static IEnumerable<Workload> All() =>
        Gemm().Concat(Bandwidth()).Concat(ConvWorkloads.All()).Concat(NeuronWorkloads.All())
            .Concat(TrainWorkloads.All()).Concat(SparseWorkloads.All())
            .Concat(PoolWorkloads.All()).Concat(DatasetWorkloads.All());

    static IEnumerable<Workload> Gemm()
    {
        foreach (int n in new[] { 256, 512, 1024, 2048 })
            yield return new Workload($"sgemm_{n}", "gemm", "GFLOP/s", () =>
            {
                var a = Raw.Unsqueeze(Tensor.Randn([n, n], new Generator(1)), 0);
                var b = Raw.Unsqueeze(Tensor.Randn([n, n], new Generator(2)), 0);
                var c = Tensor.Empty([1, n, n]);
                return (() => Raw.MatmulInto(a, b, c), 2.0 * n * n * n);
            });
        // One cache-resident block (M = 96, N = 480, K = 384) on one thread: the micro-kernel's own rate plus packing.
        yield return new Workload("sgemm_block", "gemm", "GFLOP/s", () =>
        {
            var a = Raw.Unsqueeze(Tensor.Randn([96, 384], new Generator(1)), 0);
            var b = Raw.Unsqueeze(Tensor.Randn([384, 480], new Generator(2)), 0);
            var c = Tensor.Empty([1, 96, 480]);
            return (() => Raw.MatmulInto(a, b, c), 2.0 * 96 * 480 * 384);
        });
    }

    /// <summary>Bytes per second. <c>copy_256MiB</c> is the machine's copy bandwidth (bytes read + bytes written, all
    /// threads): the DRAM bound the memory-bound kernels are measured against.</summary>
    static IEnumerable<Workload> Bandwidth()
    {
        yield return new Workload("copy_256MiB", "bandwidth", "GB/s", () =>
        {
            const int n = 1 << 26;
            var src = new float[n];
            var dst = new float[n];
            src.AsSpan().Fill(1f);
            int parts = WorkerTeam.Size;
            // The fastest copy this machine does: non-temporal stores, on the kernels' own worker team (Parallel.For's
            // pool thread can start the second half milliseconds late; memmove measured 23–26 GB/s against 36–41).
            return (() => WorkerTeam.For(0, parts, p =>
            {
                int lo = (int)((long)n * p / parts), hi = (int)((long)n * (p + 1) / parts);
                StreamingCopy.Copy<float>(src.AsSpan(lo, hi - lo), dst.AsSpan(lo, hi - lo));
            }), 2.0 * 4 * n);
        });
        foreach (int n in new[] { 1_000_000, 10_000_000 })
        {
            string size = n == 1_000_000 ? "1e6" : "1e7";
            yield return Elementwise($"add_{size}", n, 3, (x, y) => Raw.Binary(BinaryOp.Add, x, y));
            yield return Elementwise($"mul_{size}", n, 3, (x, y) => Raw.Binary(BinaryOp.Mul, x, y));
            yield return Elementwise($"exp_{size}", n, 2, (x, _) => Raw.Unary(UnaryOp.Exp, x));
            yield return Elementwise($"sum_{size}", n, 1, (x, _) => Raw.Reduce(ReduceOp.Sum, x, [0], keepDim: false));
        }
    }

    /// <summary>Bytes moved = (operands read + result written)·4; the result is allocated per call, as ops do.</summary>
    static Workload Elementwise(string name, int n, int arrays, Func<Tensor, Tensor, Tensor> op) => new(name, "bandwidth", "GB/s", () =>
    {
        var x = Tensor.Rand([n], new Generator(3));
        var y = Tensor.Rand([n], new Generator(4));
        return (() => op(x, y), 4.0 * arrays * n);
    });
}
