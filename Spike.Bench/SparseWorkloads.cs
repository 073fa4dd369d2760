using Spike.Cpu;

namespace Spike.Bench;

/// <summary>
/// The spike-sparse gather-add against the dense GEMM at EN5's first fully connected layer (256 rows = T·batch,
/// 6272 → 2048), forward (s·Wᵀ) and weight gradient (dyᵀ·s), over spike densities: the crossover below which
/// <see cref="Raw.SpikeSparseCrossover"/> sends products to the sparse kernel. Likewise the spike-sparse convolution
/// against the per-image GEMM at EN5's second convolution (batch 64, 128 → 128 channels, 14×14, 3×3, padding 1),
/// forward and weight gradient: the crossover of <see cref="CpuBackend.ConvSpikeCrossover"/>. All call the backend
/// directly.
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
                yield return Conv($"spike_conv_fwd_{tag}", d, sparse, (x, w, y, dy, g) => cpu.Conv2d(x, w, null, y, g, 1));
                yield return Conv($"spike_conv_wgrad_{tag}", d, sparse, (x, w, y, dy, g) => cpu.Conv2dWeightGrad(dy, x, w, g, 1));
            }
    }

    const int Batch = 64, Channels = 128, Side = 14;

    static Workload Conv(string name, double density, bool sparse, Action<Tensor, Tensor, Tensor, Tensor, ConvGeometry> op) =>
        new(name, "sparse", "GFLOP/s", () =>
        {
            var u = Tensor.Rand([Batch, Channels, Side, Side], new Generator(1));
            var x = Raw.ToDType(Raw.Binary(BinaryOp.Lt, u, Raw.ScalarFor(density, u)), DType.Float32);
            var w = Tensor.Randn([Channels, Channels, 3, 3], new Generator(2), std: 0.01);
            var y = Tensor.Empty([Batch, Channels, Side, Side]);
            var dy = Tensor.Randn([Batch, Channels, Side, Side], new Generator(3));
            var g = new ConvGeometry(Channels, Side, Side, 3, 3, 1, 1, 1, 1, 1, 1, Side, Side);
            return (() =>
            {
                CpuBackend.SpikeConvolution = sparse;
                try { op(x, w, y, dy, g); }
                finally { CpuBackend.SpikeConvolution = true; }
            }, 2.0 * Batch * Channels * Channels * 9 * Side * Side);
        });

    static (Tensor S, Tensor W, Tensor Dy) Inputs(double density)
    {
        var u = Tensor.Rand([Rows, In], new Generator(1));
        var s = Raw.ToDType(Raw.Binary(BinaryOp.Lt, u, Raw.ScalarFor(density, u)), DType.Float32);
        return (s, Tensor.Randn([Out, In], new Generator(2), std: 0.01), Tensor.Randn([Rows, Out], new Generator(3)));
    }
}
