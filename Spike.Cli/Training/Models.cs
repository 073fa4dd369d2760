using Spike.Nn;

namespace Spike.Cli.Training;

/// <summary>Which dataset a model trains on.</summary>
public enum DataKind { FashionMnist, NMnist, DvsGesture }

/// <summary>
/// A trainable network of the tutorials and the defaults of its script. <see cref="Build"/>(T, channels, generator)
/// returns a module that maps a batch as the loader delivers it (images [N, 1, 28, 28], or event frames
/// [T, N, 2, H, W]) to the output layer's firing rates [N, Classes]; the loss is the MSE to the one-hot label.
/// <see cref="ChannelsInRunName"/>: the script names its run folders with c_&lt;channels&gt; (others do so only when
/// the width differs from the default).
/// </summary>
public sealed record ModelSpec(string Name, string Description, DataKind Data, int Classes, Func<int, int?, Generator, Module> Build,
    int T, int BatchSize, string Opt, double Lr, string Scheduler = "none", int? Channels = null, bool ChannelsInRunName = true);

/// <summary>The networks `spike train` knows (details and deliberate differences: docs/cli.md, docs/compat.md).</summary>
public static class Models
{
    public static readonly IReadOnlyDictionary<string, ModelSpec> All = new Dictionary<string, ModelSpec>
    {
        // lif_fc_mnist.py: Flatten → Linear(784, 10, bias=False) → LIFNode(tau=2) with its default Sigmoid
        // surrogate; a fresh Poisson spike train of the pixels at every step; Adam 1e-3, T = 100, b = 64.
        ["lif-fc"] = new("lif-fc", "Poisson input → Flatten → Linear(784,10) → LIF(τ=2) (lif_fc_mnist.py)", DataKind.FashionMnist, 10,
            (t, _, g) => new Sequential(
                new PoissonEncoder(g, t) { StepMode = StepMode.Multi },
                new Flatten(2),
                new Linear(28 * 28, 10, bias: false, generator: g),
                new LifNode(tau: 2.0, surrogate: new Sigmoid(), stepMode: StepMode.Multi),
                new FiringRate()),
            T: 100, BatchSize: 64, Opt: "adam", Lr: 1e-3),

        // conv_fashion_mnist.py: static Conv(1,128,3)+BN on the image once, then IF(ATan) → MaxPool →
        // Conv(128,128,3)+BN → IF → MaxPool → Flatten → Linear(6272, 2048) → IF → Linear(2048, 10) → IF;
        // T = 4, SGD 0.1 momentum 0.9, cosine schedule. b = 16 instead of 128: eight times the steps per epoch, so a
        // one-epoch CPU run gets further than the script's first four epochs (docs/compat.md).
        ["conv-fashion-mnist"] = new("conv-fashion-mnist", "static Conv-BN, {IF-MaxPool-Conv-BN}, IF-MaxPool-FC-IF-FC-IF (conv_fashion_mnist.py)",
            DataKind.FashionMnist, 10, (t, c, g) => ConvFashionMnist(t, c ?? 128, g),
            T: 4, BatchSize: 16, Opt: "sgd", Lr: 0.1, Scheduler: "cosine", Channels: 128, ChannelsInRunName: false),

        // classify_dvsg.py (tutorial 14): {Conv(c,3)-BN-LIF-MaxPool}×5 → Dropout → FC(c·16, c·4) → LIF → Dropout →
        // FC(c·4, 110) → LIF → voting 110 → 11; LIF τ=2, ATan, detach_reset; frames split by number, T = 16,
        // b = 16, Adam 1e-3, cosine schedule.
        ["dvs-gesture"] = new("dvs-gesture", "{Conv-BN-LIF-MaxPool}×5, Dropout-FC-LIF-Dropout-FC-LIF, voting 110→11 (classify_dvsg.py)",
            DataKind.DvsGesture, 11, (t, c, g) => DvsGesture(c ?? 128, g),
            T: 16, BatchSize: 16, Opt: "adam", Lr: 1e-3, Scheduler: "cosine", Channels: 128),

        // The PLIF paper's N-MNIST network (SpikingJelly's parametric_lif_net.NMNISTNet, multi-step):
        // {Conv(c,3)-BN-PLIF-MaxPool}×2 → Dropout → FC(c·64, 2048) → PLIF → Dropout → FC(2048, 100) → PLIF → voting
        // 100 → 10; PLIF τ₀=2, ATan, detach_reset; T = 10 frames split by number, b = 16, Adam 1e-3, cosine schedule.
        ["nmnist"] = new("nmnist", "{Conv-BN-PLIF-MaxPool}×2, Dropout-FC-PLIF-Dropout-FC-PLIF, voting 100→10 (PLIF paper)",
            DataKind.NMnist, 10, (t, c, g) => NMnist(c ?? 128, g),
            T: 10, BatchSize: 16, Opt: "adam", Lr: 1e-3, Scheduler: "cosine", Channels: 128),
    };

    public static ModelSpec Get(string name) => All.TryGetValue(name, out var m) ? m
        : throw new ArgumentException($"unknown model '{name}'; known: {string.Join(", ", All.Keys)}");

    static IFNode If() => new(surrogate: new ATan(), stepMode: StepMode.Multi);
    static LifNode Lif() => new(tau: 2.0, surrogate: new ATan(), detachReset: true, stepMode: StepMode.Multi);
    static ParametricLifNode Plif() => new(initTau: 2.0, surrogate: new ATan(), detachReset: true, stepMode: StepMode.Multi);

    /// <summary>x [N, 1, 28, 28] → rates [N, 10]. Layer 0 + layer 1 are the tutorial's "encoder" (static conv and first IF).</summary>
    public static Sequential ConvFashionMnist(int t, int c, Generator g) => new(
        new StaticLayers(t, new Conv2d(1, c, 3, padding: 1, bias: false, generator: g), new BatchNorm2d(c)),
        If(),
        new MaxPool2d(2, stepMode: StepMode.Multi),
        new Conv2d(c, c, 3, padding: 1, bias: false, stepMode: StepMode.Multi, generator: g),
        new BatchNorm2d(c, stepMode: StepMode.Multi),
        If(),
        new MaxPool2d(2, stepMode: StepMode.Multi),
        new Flatten(2),
        new Linear(c * 7 * 7, c * 4 * 4, bias: false, generator: g),
        If(),
        new Linear(c * 4 * 4, 10, bias: false, generator: g),
        If(),
        new FiringRate());

    /// <summary>Frames [T, N, 2, 128, 128] → rates [N, 11].</summary>
    public static Sequential DvsGesture(int c, Generator g)
    {
        var net = new Sequential();
        for (int i = 0; i < 5; i++) ConvBlock(net, i == 0 ? 2 : c, c, g, Lif);
        return net.Add(new Flatten(2))
            .Add(new Dropout(0.5, StepMode.Multi, g))
            .Add(new Linear(c * 4 * 4, c * 2 * 2, bias: false, generator: g))
            .Add(Lif())
            .Add(new Dropout(0.5, StepMode.Multi, g))
            .Add(new Linear(c * 2 * 2, 110, bias: false, generator: g))
            .Add(Lif())
            .Add(new FiringRate())
            .Add(new VotingLayer(10));
    }

    /// <summary>Frames [T, N, 2, 34, 34] → rates [N, 10].</summary>
    public static Sequential NMnist(int c, Generator g)
    {
        var net = new Sequential();
        for (int i = 0; i < 2; i++) ConvBlock(net, i == 0 ? 2 : c, c, g, Plif);
        return net.Add(new Flatten(2))
            .Add(new Dropout(0.5, StepMode.Multi, g))
            .Add(new Linear(c * 8 * 8, 2048, generator: g))
            .Add(Plif())
            .Add(new Dropout(0.5, StepMode.Multi, g))
            .Add(new Linear(2048, 100, generator: g))
            .Add(Plif())
            .Add(new FiringRate())
            .Add(new VotingLayer(10));
    }

    /// <summary>Conv(3×3, padding 1, no bias) → BN → neuron → MaxPool(2), all multi-step.</summary>
    static void ConvBlock(Sequential net, int cin, int cout, Generator g, Func<Module> neuron) => net
        .Add(new Conv2d(cin, cout, 3, padding: 1, bias: false, stepMode: StepMode.Multi, generator: g))
        .Add(new BatchNorm2d(cout, stepMode: StepMode.Multi))
        .Add(neuron())
        .Add(new MaxPool2d(2, stepMode: StepMode.Multi));
}

/// <summary>
/// Layers whose input is the same at every time step (the static image): computed once on x [N, ...] and
/// repeated over T steps as [T, N, ...], as the tutorial's static_conv; gradients from all steps add up.
/// </summary>
public sealed class StaticLayers : Module
{
    readonly Sequential _inner;

    public StaticLayers(int t, params Module[] layers)
    {
        T = t > 0 ? t : throw new ArgumentOutOfRangeException(nameof(t), $"StaticLayers: T must be > 0, got {t}");
        _inner = RegisterModule("module", new Sequential(layers));
    }

    public int T { get; }

    protected override Tensor OnForward(Tensor x)
    {
        var y = _inner.Forward(x);
        return y.Unsqueeze(0).Expand([T, .. y.Shape]);
    }
}

/// <summary>Firing rate over time: spikes [T, N, ...] → their mean over T, [N, ...].</summary>
public sealed class FiringRate : Module
{
    protected override Tensor OnForward(Tensor x) =>
        x.Rank >= 2 ? x.Mean(0) : throw new ArgumentException($"FiringRate: expected [T, N, ...], got shape {Layout.Fmt(x.Layout.Shape)}");
}
