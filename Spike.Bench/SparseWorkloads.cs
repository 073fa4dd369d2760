using Spike.Cpu;

namespace Spike.Bench;

/// <summary>
/// The spike-sparse gather-add against the dense GEMM at EN5's first fully connected layer (256 rows = T·batch,
/// 6272 → 2048), forward (s·Wᵀ) and weight gradient (dyᵀ·s), over spike densities: the crossover below which
/// <see cref="Raw.SpikeSparseCrossover"/> sends products to the sparse kernel. Both call the backend directly.
/// </summary>
public static class SparseWorkloads
{
    const int Rows = 256, In = 6272, Out = 2048;

    public static IEnumerable<Workload> All()
    {
        var cpu = CpuBackend.Instance;
        foreach (double d in new[] { 0.02, 0.05, 0.1, 0.2, 0.3, 0.5 })
            foreach (bool sparse in new[] { true, false })
            {
                string tag = $"d{d:0.00}_{(sparse ? "sparse" : "dense")}";
                yield return new Workload($"spike_fc_fwd_{tag}", "sparse", "GFLOP/s", () =>
                {
                    var (s, w, _) = Inputs(d);
                    var wt = Raw.Transpose(w, 0, 1);
                    var y = Tensor.Empty([Rows, Out]);
                    return (sparse ? () => cpu.SpikeMatmul(s, wt, y, false)
                        : () => cpu.Matmul(Raw.Unsqueeze(s, 0), Raw.Unsqueeze(wt, 0), Raw.Unsqueeze(y, 0), false), 2.0 * Rows * In * Out);
                });
                yield return new Workload($"spike_fc_wgrad_{tag}", "sparse", "GFLOP/s", () =>
                {
                    var (s, _, dy) = Inputs(d);
                    var dyT = Raw.Transpose(dy, 0, 1);
                    var dw = Tensor.Empty([Out, In]);
                    // dW = dyᵀ·s as the backend sees it: (sᵀ·dy)ᵀ with sᵀ column-major.
                    return (sparse ? () => cpu.SpikeMatmul(Raw.Transpose(s, 0, 1), dy, Raw.Transpose(dw, 0, 1), false)
                        : () => cpu.Matmul(Raw.Unsqueeze(dyT, 0), Raw.Unsqueeze(s, 0), Raw.Unsqueeze(dw, 0), false), 2.0 * Rows * In * Out);
                });
            }
    }

    static (Tensor S, Tensor W, Tensor Dy) Inputs(double density)
    {
        var u = Tensor.Rand([Rows, In], new Generator(1));
        var s = Raw.ToDType(Raw.Binary(BinaryOp.Lt, u, Raw.ScalarFor(density, u)), DType.Float32);
        return (s, Tensor.Randn([Out, In], new Generator(2), std: 0.01), Tensor.Randn([Rows, Out], new Generator(3)));
    }
}
