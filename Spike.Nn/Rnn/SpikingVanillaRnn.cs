namespace Spike.Nn;

/// <summary>
/// Spiking vanilla RNN cell (SpikingJelly's <c>SpikingVanillaRNNCell</c>): h' = σ(W_ih·x + b_ih + W_hh·h + b_hh)
/// with σ = <see cref="SurrogateFunction"/>. Shapes: x [N, input], h [N, hidden]; W_ih [hidden, input],
/// W_hh [hidden, hidden].
/// </summary>
public sealed class SpikingVanillaRnnCell : SpikingRnnCellBase
{
    /// <summary>σ defaults to <see cref="Erf"/>(α = 2). Parameters are drawn from <paramref name="generator"/> (default: Generator.Default).</summary>
    public SpikingVanillaRnnCell(int inputSize, int hiddenSize, bool bias = true, Surrogate? surrogateFunction = null,
        Generator? generator = null) : base(inputSize, hiddenSize, 1, bias, generator)
    {
        SurrogateFunction = RegisterModule("surrogate_function", surrogateFunction ?? new Erf());
    }

    public Surrogate SurrogateFunction { get; }
    public override int StatesNum => 1;

    /// <summary>h at t from x [N, input] and h at t−1 (zeros when null).</summary>
    public override RnnState Forward(Tensor x, RnnState? state)
    {
        var s = StateFor(x, state);
        return new RnnState(Gates(LinearIh.Forward(x), LinearHh.Forward(s.H), SurrogateFunction));
    }

    /// <summary>The cell on precomputed ih = W_ih·x + b_ih and hh = W_hh·h + b_hh, both [N, hidden]: h' = σ(ih + hh).</summary>
    public static Tensor Gates(Tensor ih, Tensor hh, Surrogate sf) => sf.Forward(ih + hh);
}

/// <summary>
/// Multi-layer spiking vanilla RNN (SpikingJelly's <c>SpikingVanillaRNN</c>) made of
/// <see cref="SpikingVanillaRnnCell"/>s; wiring, dropout and state layout as <see cref="SpikingRnnBase"/>.
/// State: h [num_layers · num_directions, N, hidden].
/// </summary>
public sealed class SpikingVanillaRnn(int inputSize, int hiddenSize, int numLayers, bool bias = true, double dropoutP = 0,
    bool invariantDropoutMask = false, bool bidirectional = false, Surrogate? surrogateFunction = null, Generator? generator = null)
    : SpikingRnnBase(inputSize, hiddenSize, numLayers, bias, dropoutP, invariantDropoutMask, bidirectional, generator,
        CellFactory(hiddenSize, bias, surrogateFunction ?? new Erf(), generator))
{
    // One σ instance serves every cell of the module.
    static Func<int, SpikingRnnCellBase> CellFactory(int hidden, bool bias, Surrogate sf, Generator? generator) =>
        input => new SpikingVanillaRnnCell(input, hidden, bias, sf, generator);
}
