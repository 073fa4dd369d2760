namespace Spike.Nn;

/// <summary>Runs its children in order: y = mₖ(…m₁(m₀(x))). Children are named "0", "1", ….</summary>
public sealed class Sequential : Module
{
    readonly List<Module> _layers = [];

    public Sequential(params Module[] layers)
    {
        foreach (var l in layers) Add(l);
    }

    public Sequential Add(Module layer)
    {
        RegisterModule(_layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), layer);
        _layers.Add(layer);
        return this;
    }

    public Module this[int index] => _layers[index];

    public int Count => _layers.Count;

    protected override Tensor OnForward(Tensor x)
    {
        foreach (var l in _layers) x = l.Forward(x);
        return x;
    }
}

/// <summary>
/// Applies single-step modules once per time step (SpikingJelly's <c>MultiStepContainer</c>):
/// x_seq [T, N, ...] → y_seq[t] = f(x_seq[t]), stacked to [T, N, ...]. State in f carries over between steps.
/// </summary>
public sealed class MultiStepContainer : Module, IStepModeContainer
{
    readonly Module _inner;

    public MultiStepContainer(params Module[] layers)
    {
        _inner = RegisterModule("module", layers.Length == 1 ? layers[0] : new Sequential(layers));
    }

    protected override Tensor OnForward(Tensor x) => Functional.MultiStepForward(x, _inner);
}

/// <summary>
/// Wraps stateless layers for sequences (SpikingJelly's <c>SeqToANNContainer</c>): x_seq [T, N, ...] is folded
/// to [T·N, ...], passed through the layers once, and unfolded to [T, N, ...out].
/// </summary>
public sealed class SeqToANNContainer : Module, IStepModeContainer
{
    readonly Module _inner;

    public SeqToANNContainer(params Module[] layers)
    {
        _inner = RegisterModule("module", layers.Length == 1 ? layers[0] : new Sequential(layers));
    }

    protected override Tensor OnForward(Tensor x) => Functional.SeqToAnnForward(x, _inner);
}

/// <summary>Merges axes startDim..endDim (default: all but the batch axis), as torch.nn.Flatten.</summary>
public sealed class Flatten(int startDim = 1, int endDim = -1) : Module
{
    public int StartDim { get; } = startDim;
    public int EndDim { get; } = endDim;

    protected override Tensor OnForward(Tensor x) => x.Flatten(StartDim, EndDim);

    protected override string ExtraRepr() => $"startDim={StartDim}, endDim={EndDim}";
}
