namespace Spike.Nn;

/// <summary>
/// Spiking GRU cell (SpikingJelly's <c>SpikingGRUCell</c>). With σ1 = <see cref="SurrogateFunction1"/> and
/// σ2 = <see cref="SurrogateFunction2"/> (σ1 when null), and the linear terms split in chunks of hidden in the
/// order r, z, n:
/// <code>
/// r  = σ1(ih_r + hh_r)
/// z  = σ1(ih_z + hh_z)
/// n  = σ2(ih_n + r·hh_n)
/// h' = (1 − z)·n + z·h
/// </code>
/// where ih = W_ih·x + b_ih and hh = W_hh·h + b_hh. Shapes: x [N, input], h [N, hidden]; W_ih [3·hidden, input],
/// W_hh [3·hidden, hidden].
/// </summary>
public sealed class SpikingGruCell : SpikingRnnCellBase
{
    /// <summary>σ1 (for r, z) defaults to <see cref="Erf"/>(α = 2); σ2 (for n) null means σ1. Both must have the
    /// same <see cref="Surrogate.Spiking"/>. Parameters are drawn from <paramref name="generator"/> (default: Generator.Default).</summary>
    public SpikingGruCell(int inputSize, int hiddenSize, bool bias = true, Surrogate? surrogateFunction1 = null,
        Surrogate? surrogateFunction2 = null, Generator? generator = null) : base(inputSize, hiddenSize, 3, bias, generator)
    {
        SurrogateFunction1 = RegisterModule("surrogate_function1", surrogateFunction1 ?? new Erf());
        if (surrogateFunction2 is not null) SurrogateFunction2 = RegisterModule("surrogate_function2", surrogateFunction2);
        CheckModes(nameof(SpikingGruCell), SurrogateFunction1, SurrogateFunction2);
    }

    public Surrogate SurrogateFunction1 { get; }
    public Surrogate? SurrogateFunction2 { get; }
    public override int StatesNum => 1;

    /// <summary>h at t from x [N, input] and h at t−1 (zeros when null).</summary>
    public override RnnState Forward(Tensor x, RnnState? state)
    {
        var s = StateFor(x, state);
        return new RnnState(Gates(LinearIh.Forward(x), LinearHh.Forward(s.H), s.H, SurrogateFunction1, SurrogateFunction2));
    }

    /// <summary>The cell's gate arithmetic on precomputed ih, hh [N, 3·hidden] and h [N, hidden]: returns h'.</summary>
    public static Tensor Gates(Tensor ih, Tensor hh, Tensor h, Surrogate sf1, Surrogate? sf2 = null)
    {
        CheckModes(nameof(SpikingGruCell), sf1, sf2);
        int hidden = h.Size(-1);
        var a = ih.Split(hidden, 1);
        var b = hh.Split(hidden, 1);
        if (a.Length != 3 || b.Length != 3)
            throw new ArgumentException($"SpikingGruCell: linear terms of shapes {Layout.Fmt(ih.Layout.Shape)} and {Layout.Fmt(hh.Layout.Shape)} are not [N, 3·{hidden}]");
        var r = sf1.Forward(a[0] + b[0]);
        var z = sf1.Forward(a[1] + b[1]);
        var n = (sf2 ?? sf1).Forward(a[2] + r * b[2]);
        return (1.0 - z) * n + z * h;
    }
}

/// <summary>
/// Multi-layer spiking GRU (SpikingJelly's <c>SpikingGRU</c>) made of <see cref="SpikingGruCell"/>s; wiring, dropout
/// and state layout as <see cref="SpikingRnnBase"/>. State: h [num_layers · num_directions, N, hidden].
/// </summary>
public sealed class SpikingGru(int inputSize, int hiddenSize, int numLayers, bool bias = true, double dropoutP = 0,
    bool invariantDropoutMask = false, bool bidirectional = false, Surrogate? surrogateFunction1 = null,
    Surrogate? surrogateFunction2 = null, Generator? generator = null)
    : SpikingRnnBase(inputSize, hiddenSize, numLayers, bias, dropoutP, invariantDropoutMask, bidirectional, generator,
        CellFactory(hiddenSize, bias, surrogateFunction1 ?? new Erf(), surrogateFunction2, generator))
{
    // One σ1 (and σ2) instance serves every cell of the module.
    static Func<int, SpikingRnnCellBase> CellFactory(int hidden, bool bias, Surrogate sf1, Surrogate? sf2, Generator? generator) =>
        input => new SpikingGruCell(input, hidden, bias, sf1, sf2, generator);
}
