namespace Spike.Bench;

/// <summary>
/// The two convolutions of the EN5 network. l1: batch 64, 1→128 channels, 28×28, 3×3, padding 1, bias (the static
/// first layer); l2: T·batch = 4·64 images, 128→128 channels, 14×14, 3×3, padding 1, no bias (the multi-step layer
/// folded over T). fwd_bwd adds the backward with a dense upstream gradient: weight (and bias) gradients for l1, whose
/// input needs none, and input + weight gradients for l2, so 2× (l1) or 3× (l2) the forward FLOPs.
/// </summary>
public static class ConvWorkloads
{
    public static IEnumerable<Workload> All()
    {
        foreach (var (name, n, cin, hw, bias, inputGrad) in new[] { ("l1", 64, 1, 28, true, false), ("l2", 256, 128, 14, false, true) })
        {
            const int cout = 128, k = 3;
            double flops = 2.0 * n * cout * hw * hw * cin * k * k;
            (Tensor X, Tensor W, Tensor? B) Inputs() => (
                Tensor.Rand([n, cin, hw, hw], new Generator(1)),
                Tensor.Randn([cout, cin, k, k], new Generator(2), std: 1 / Math.Sqrt(cin * k * k)),
                bias ? Tensor.Zeros(cout) : null);
            yield return new Workload($"conv2d_en5_{name}_fwd", "conv", "GFLOP/s", () =>
            {
                var (x, w, b) = Inputs();
                return (() => x.Conv2d(w, b, padding: 1), flops);
            });
            yield return new Workload($"conv2d_en5_{name}_fwd_bwd", "conv", "GFLOP/s", () =>
            {
                var (x, w, b) = Inputs();
                x.RequiresGrad = inputGrad;
                w.RequiresGrad = true;
                if (b is not null) b.RequiresGrad = true;
                var gy = Tensor.Randn([n, cout, hw, hw], new Generator(3));
                return (() =>
                {
                    (x.Grad, w.Grad) = (null, null);
                    if (b is not null) b.Grad = null;
                    x.Conv2d(w, b, padding: 1).Backward(gy);
                }, (inputGrad ? 3 : 2) * flops);
            });
        }
    }
}
