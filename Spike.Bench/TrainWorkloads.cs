using Spike.Nn;

namespace Spike.Bench;

/// <summary>
/// One training step (forward, MSE of the firing rate against the one-hot label, backward, Adam) of the two tutorial
/// networks, with the same structure as <c>bench/torch_baseline.py</c>. Images are uniform in [0, 0.57), so the
/// mean pixel (0.286) and the Poisson spike density match Fashion-MNIST's.
/// <list type="bullet">
/// <item>EN4: Poisson encoder (T steps) → Flatten → Linear(784, 10, no bias) → LIF(τ = 2, ATan), multi step.</item>
/// <item>EN5: Conv(1, 128, 3) + BN on the static image, then per step IF → MaxPool(2) → Conv(128, 128, 3) + BN → IF →
/// MaxPool(2) → Flatten → Linear(6272, 2048) → IF → Linear(2048, 10) → IF (ATan), T = 4: in SpikingJelly's
/// single-step form (a loop over t) and in multi-step form (layers folded over T·N, fused neurons).</item>
/// </list>
/// The scaling group repeats them at other batch sizes and T.
/// </summary>
public static class TrainWorkloads
{
    public static IEnumerable<Workload> All()
    {
        yield return Step("en4_train_step", "train", () => En4(64, 100));
        yield return Step("en5_single_train_step", "train", () => En5(64, 4, multiStep: false));
        yield return Step("en5_multi_train_step", "train", () => En5(64, 4, multiStep: true));
        foreach (int b in new[] { 32, 128 }) yield return Step($"en4_train_step_b{b}", "scaling", () => En4(b, 100));
        foreach (int t in new[] { 50, 200 }) yield return Step($"en4_train_step_T{t}", "scaling", () => En4(64, t));
        foreach (int b in new[] { 16, 32 }) yield return Step($"en5_multi_train_step_b{b}", "scaling", () => En5(b, 4, multiStep: true));
    }

    static Workload Step(string name, string group, Func<Action> setup) => new(name, group, "s", () => (setup(), 1));

    /// <summary>Synthetic images [b, 1, 28, 28] and one-hot targets [b, 10].</summary>
    static (Tensor Images, Tensor Target) Batch(int b, Generator g)
    {
        var images = Tensor.Rand([b, 1, 28, 28], g, 0, 0.57);
        var labels = Tensor.FromArray(Enumerable.Range(0, b).Select(i => (long)(i * 7 % 10)).ToArray());
        return (images, labels.OneHot(10).To(DType.Float32));
    }

    static Action En4(int batch, int t)
    {
        var g = new Generator(0);
        var net = new Sequential(
            new Flatten(2),
            new Linear(28 * 28, 10, bias: false, generator: g),
            new LifNode(tau: 2.0, surrogate: new ATan(), stepMode: StepMode.Multi));
        var encoder = new PoissonEncoder(g, t) { StepMode = StepMode.Multi };
        var optimizer = new Adam(net.Parameters(), lr: 1e-3);
        var (images, target) = Batch(batch, g);
        return () =>
        {
            optimizer.ZeroGrad();
            var rate = net.Forward(encoder.Forward(images)).Mean(0);
            rate.MseLoss(target).Backward();
            optimizer.Step();
            Functional.ResetNet(net);
        };
    }

    static Action En5(int batch, int t, bool multiStep)
    {
        const int c = 128;
        var g = new Generator(0);
        var mode = multiStep ? StepMode.Multi : StepMode.Single;
        var staticConv = new Sequential(new Conv2d(1, c, 3, padding: 1, bias: false, generator: g), new BatchNorm2d(c));
        var conv = new Sequential(
            new IFNode(surrogate: new ATan(), stepMode: mode),
            new MaxPool2d(2, stepMode: mode),
            new Conv2d(c, c, 3, padding: 1, bias: false, stepMode: mode, generator: g),
            new BatchNorm2d(c, stepMode: mode),
            new IFNode(surrogate: new ATan(), stepMode: mode),
            new MaxPool2d(2, stepMode: mode));
        var fc = new Sequential(
            new Flatten(multiStep ? 2 : 1),
            new Linear(c * 7 * 7, c * 4 * 4, bias: false, generator: g),
            new IFNode(surrogate: new ATan(), stepMode: mode),
            new Linear(c * 4 * 4, 10, bias: false, generator: g),
            new IFNode(surrogate: new ATan(), stepMode: mode));
        var all = new Sequential(staticConv, conv, fc);
        var optimizer = new Adam(all.Parameters(), lr: 1e-3);
        var (images, target) = Batch(batch, g);
        return () =>
        {
            optimizer.ZeroGrad();
            var y0 = staticConv.Forward(images);
            Tensor rate;
            if (multiStep) rate = fc.Forward(conv.Forward(y0.Unsqueeze(0).Expand([t, .. y0.Shape]))).Mean(0);
            else
            {
                var counter = fc.Forward(conv.Forward(y0));
                for (int s = 1; s < t; s++) counter = counter + fc.Forward(conv.Forward(y0));
                rate = counter / t;
            }
            rate.MseLoss(target).Backward();
            optimizer.Step();
            Functional.ResetNet(all);
        };
    }
}
