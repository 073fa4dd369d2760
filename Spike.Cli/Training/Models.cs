using Spike.Nn;

namespace Spike.Cli.Training;

/// <summary>A trainable network of the tutorials: how to build it, how to turn a batch of images into its input,
/// and the options it defaults to.</summary>
public sealed record ModelSpec(string Name, string Description, Func<Generator, Module> Build, Func<Tensor, int, Generator, Tensor> Encode,
    int T, int BatchSize, string Opt, double Lr, string? Scheduler, int Classes = 10);

/// <summary>The networks `spike train` knows. Each maps x [N, 1, 28, 28] to output spikes [T, N, classes];
/// the prediction is the firing rate over T and the loss the MSE against the one-hot label, as the tutorials.</summary>
public static class Models
{
    public static readonly IReadOnlyDictionary<string, ModelSpec> All = new Dictionary<string, ModelSpec>
    {
        // Tutorial EN4: Flatten → Linear(784, 10, bias=False) → LIF(τ=2, ATan); Poisson-encoded pixels; Adam 1e-3.
        ["lif-fc"] = new("lif-fc", "Flatten → Linear(784,10) → LIF(τ=2), Poisson input (tutorial EN4)",
            g => new Sequential(
                new Flatten(2),
                new Linear(28 * 28, 10, bias: false, generator: g),
                new LifNode(tau: 2.0, surrogate: new ATan(), stepMode: StepMode.Multi)),
            (x, t, g) => new PoissonEncoder(g, t) { StepMode = StepMode.Multi }.Forward(x),
            T: 100, BatchSize: 64, Opt: "adam", Lr: 1e-3, Scheduler: null),

        // Tutorial EN5: Conv(1,128,3)+BN computed once on the static image, then per step IF(ATan) → MaxPool →
        // Conv(128,128,3)+BN → IF → MaxPool → Flatten → Linear(6272, 2048) → IF → Linear(2048, 10) → IF; T = 4.
        ["conv-fashion-mnist"] = new("conv-fashion-mnist", "the tutorial EN5 convolutional SNN, T=4",
            g => ConvFashionMnist(128, g),
            (x, t, g) => x.Unsqueeze(0).Expand([t, .. x.Shape]),
            T: 4, BatchSize: 64, Opt: "sgd", Lr: 0.1, Scheduler: "cosine"),
    };

    public static Module ConvFashionMnist(int channels, Generator g) => new Sequential(
        new StaticLayers(new Conv2d(1, channels, 3, padding: 1, bias: false, generator: g), new BatchNorm2d(channels)),
        new IFNode(surrogate: new ATan(), stepMode: StepMode.Multi),
        new MaxPool2d(2, stepMode: StepMode.Multi),
        new Conv2d(channels, channels, 3, padding: 1, bias: false, stepMode: StepMode.Multi, generator: g),
        new BatchNorm2d(channels, stepMode: StepMode.Multi),
        new IFNode(surrogate: new ATan(), stepMode: StepMode.Multi),
        new MaxPool2d(2, stepMode: StepMode.Multi),
        new Flatten(2),
        new Linear(channels * 7 * 7, channels * 4 * 4, bias: false, generator: g),
        new IFNode(surrogate: new ATan(), stepMode: StepMode.Multi),
        new Linear(channels * 4 * 4, 10, bias: false, generator: g),
        new IFNode(surrogate: new ATan(), stepMode: StepMode.Multi));

    public static ModelSpec Get(string name) => All.TryGetValue(name, out var m) ? m
        : throw new ArgumentException($"unknown model '{name}'; known: {string.Join(", ", All.Keys)}");
}

/// <summary>
/// Layers whose input is the same at every time step (the static image): computed once on step 0 of
/// [T, N, ...] and broadcast over T, as the tutorial's static_conv; gradients from all steps add up.
/// </summary>
public sealed class StaticLayers : Module
{
    readonly Sequential _inner;

    public StaticLayers(params Module[] layers) => _inner = RegisterModule("module", new Sequential(layers));

    protected override Tensor OnForward(Tensor x)
    {
        int t = x.Size(0);
        var y = _inner.Forward(x.Select(0, 0));
        return y.Unsqueeze(0).Expand([t, .. y.Shape]);
    }
}
