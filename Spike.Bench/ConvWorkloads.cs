namespace Spike.Bench;

/// <summary>Convolution workloads, sized like the first layer of the EN5 network: batch 64, 1→128 channels,
/// 28×28 images, 3×3 kernel, padding 1.</summary>
public static class ConvWorkloads
{
    const int N = 64, Cin = 1, Cout = 128, H = 28, K = 3;

    /// <summary>Multiply-adds of one forward pass, ×2 for FLOPs.</summary>
    const double ForwardFlops = 2.0 * N * Cout * H * H * Cin * K * K;

    public static IEnumerable<Workload> All()
    {
        yield return new Workload("conv2d_en5_fwd", "GFLOP/s", () =>
        {
            var (x, w, b) = Inputs();
            return (() => x.Conv2d(w, b, padding: 1), ForwardFlops);
        });
        // Forward + backward for weight and bias (the input of a first layer needs no gradient) with a dense
        // upstream gradient: 2× the forward FLOPs.
        yield return new Workload("conv2d_en5_fwd_bwd", "GFLOP/s", () =>
        {
            var (x, w, b) = Inputs();
            w.RequiresGrad = true;
            b.RequiresGrad = true;
            var gy = Tensor.Randn([N, Cout, H, H], new Generator(3));
            return (() =>
            {
                w.Grad = null;
                b.Grad = null;
                x.Conv2d(w, b, padding: 1).Backward(gy);
            }, 2 * ForwardFlops);
        });
    }

    /// <summary>The weight-gradient product alone (im2col + batch-reduced GEMM).</summary>
    public static IEnumerable<Workload> Parts()
    {
        yield return new Workload("conv2d_en5_wgrad", "GFLOP/s", () =>
        {
            var (x, w, b) = Inputs();
            var gy = Tensor.Randn([N, Cout, H, H], new Generator(3));
            var g = ConvGeometry.For(1, 28, 28, 3, 3, 1, 1, 1, 1, 1, 1);
            return (() => Raw.Conv2dWeightGrad(gy, x, g, 1), ForwardFlops);
        });
    }

    static (Tensor X, Tensor W, Tensor B) Inputs() =>
        (Tensor.Rand([N, Cin, H, H], new Generator(1)), Tensor.Randn([Cout, Cin, K, K], new Generator(2), std: 0.3), Tensor.Zeros(Cout));
}
