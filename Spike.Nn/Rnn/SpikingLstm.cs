namespace Spike.Nn;

/// <summary>
/// Spiking LSTM cell (Lotfi Rezaabad and Vishwanath 2020; SpikingJelly's <c>SpikingLSTMCell</c>). With σ1 =
/// <see cref="SurrogateFunction1"/> and σ2 = <see cref="SurrogateFunction2"/> (σ1 when null):
/// <code>
/// [i, f, g, o] = split(W_ih·x + b_ih + W_hh·h + b_hh)        chunks of hidden, in this order
/// i = σ1(i), f = σ1(f), g = σ2(g), o = σ1(o)
/// c' = c·f + i·g
/// h' = c'·o
/// </code>
/// Shapes: x [N, input], h and c [N, hidden]; W_ih [4·hidden, input], W_hh [4·hidden, hidden].
/// </summary>
public sealed class SpikingLstmCell : SpikingRnnCellBase
{
    /// <summary>σ1 (for i, f, o) defaults to <see cref="Erf"/>(α = 2); σ2 (for g) null means σ1. Both must have the
    /// same <see cref="Surrogate.Spiking"/>. Parameters are drawn from <paramref name="generator"/> (default: Generator.Default).</summary>
    public SpikingLstmCell(int inputSize, int hiddenSize, bool bias = true, Surrogate? surrogateFunction1 = null,
        Surrogate? surrogateFunction2 = null, Generator? generator = null) : base(inputSize, hiddenSize, 4, bias, generator)
    {
        SurrogateFunction1 = RegisterModule("surrogate_function1", surrogateFunction1 ?? new Erf());
        if (surrogateFunction2 is not null) SurrogateFunction2 = RegisterModule("surrogate_function2", surrogateFunction2);
        CheckModes(nameof(SpikingLstmCell), SurrogateFunction1, SurrogateFunction2);
    }

    public Surrogate SurrogateFunction1 { get; }
    public Surrogate? SurrogateFunction2 { get; }
    public override int StatesNum => 2;

    /// <summary>(h, c) at t from x [N, input] and (h, c) at t−1 (zeros when null).</summary>
    public override RnnState Forward(Tensor x, RnnState? state)
    {
        var s = StateFor(x, state);
        return Gates(LinearIh.Forward(x), LinearHh.Forward(s.H), s.C!, SurrogateFunction1, SurrogateFunction2);
    }

    /// <summary>
    /// The cell's gate arithmetic on precomputed linear terms ih = W_ih·x + b_ih and hh = W_hh·h + b_hh, both
    /// [N, 4·hidden], and c [N, hidden]: returns (h', c') as in the class equations.
    /// </summary>
    public static RnnState Gates(Tensor ih, Tensor hh, Tensor c, Surrogate sf1, Surrogate? sf2 = null)
    {
        CheckModes(nameof(SpikingLstmCell), sf1, sf2);
        int hidden = c.Size(-1);
        var z = (ih + hh).Split(hidden, 1);
        if (z.Length != 4) throw new ArgumentException($"SpikingLstmCell: gate input of shape {Layout.Fmt(ih.Layout.Shape)} is not [N, 4·{hidden}]");
        var i = sf1.Forward(z[0]);
        var f = sf1.Forward(z[1]);
        var g = (sf2 ?? sf1).Forward(z[2]);
        var o = sf1.Forward(z[3]);
        var cNext = c * f + i * g;
        return new RnnState(cNext * o, cNext);
    }
}

/// <summary>
/// Multi-layer spiking LSTM (SpikingJelly's <c>SpikingLSTM</c>) made of <see cref="SpikingLstmCell"/>s; the layer
/// wiring, dropout and state layout are those of <see cref="SpikingRnnBase"/>. States: (h, c), each
/// [num_layers · num_directions, N, hidden].
/// </summary>
public sealed class SpikingLstm(int inputSize, int hiddenSize, int numLayers, bool bias = true, double dropoutP = 0,
    bool invariantDropoutMask = false, bool bidirectional = false, Surrogate? surrogateFunction1 = null,
    Surrogate? surrogateFunction2 = null, Generator? generator = null)
    : SpikingRnnBase(inputSize, hiddenSize, numLayers, bias, dropoutP, invariantDropoutMask, bidirectional, generator,
        CellFactory(hiddenSize, bias, surrogateFunction1 ?? new Erf(), surrogateFunction2, generator))
{
    // One σ1 (and σ2) instance serves every cell of the module.
    static Func<int, SpikingRnnCellBase> CellFactory(int hidden, bool bias, Surrogate sf1, Surrogate? sf2, Generator? generator) =>
        input => new SpikingLstmCell(input, hidden, bias, sf1, sf2, generator);
}
