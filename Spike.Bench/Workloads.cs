namespace Spike.Bench;

/// <summary>The benchmark set: SGEMM (GFLOP/s), elementwise Float32 kernels (GB/s moved), and a convolution layer.</summary>
public static class Workloads
{
    public static IEnumerable<Workload> All()
    {
        foreach (int n in new[] { 256, 512, 1024, 2048 })
            yield return new Workload($"sgemm_{n}", "GFLOP/s", () =>
            {
                var a = Tensor.Randn([n, n], new Generator(1));
                var b = Tensor.Randn([n, n], new Generator(2));
                var c = Tensor.Empty([1, n, n]);
                var (a3, b3) = (Raw.Unsqueeze(a, 0), Raw.Unsqueeze(b, 0));
                return (() => Raw.MatmulInto(a3, b3, c), 2.0 * n * n * n);
            });
        // One cache-resident block (M = 96, N = 480, K = 384), single-threaded: the micro-kernel's own rate.
        yield return new Workload("sgemm_block", "GFLOP/s", () =>
        {
            var a = Raw.Unsqueeze(Tensor.Randn([96, 384], new Generator(1)), 0);
            var b = Raw.Unsqueeze(Tensor.Randn([384, 480], new Generator(2)), 0);
            var c = Tensor.Empty([1, 96, 480]);
            return (() => Raw.MatmulInto(a, b, c), 2.0 * 96 * 480 * 384);
        });
        foreach (int n in new[] { 1_000_000, 10_000_000 })
        {
            string size = n == 1_000_000 ? "1e6" : "1e7";
            yield return Elementwise($"add_{size}", n, 3, (x, y) => Raw.Binary(BinaryOp.Add, x, y));
            yield return Elementwise($"mul_{size}", n, 3, (x, y) => Raw.Binary(BinaryOp.Mul, x, y));
            yield return Elementwise($"exp_{size}", n, 2, (x, _) => Raw.Unary(UnaryOp.Exp, x));
        }
        foreach (var w in ConvWorkloads.All()) yield return w;
        foreach (var w in ConvWorkloads.Parts()) yield return w;
        foreach (var w in PoolWorkloads.All()) yield return w;
        foreach (var w in DatasetWorkloads.All()) yield return w;
    }

    /// <summary>Bytes moved = (operands read + result written)·4; the result is allocated per call, as ops do.</summary>
    static Workload Elementwise(string name, int n, int arrays, Func<Tensor, Tensor, Tensor> op) => new(name, "GB/s", () =>
    {
        var x = Tensor.Rand([n], new Generator(3));
        var y = Tensor.Rand([n], new Generator(4));
        return (() => op(x, y), 4.0 * arrays * n);
    });
}
