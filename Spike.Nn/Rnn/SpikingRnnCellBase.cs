namespace Spike.Nn;

/// <summary>
/// The state of a spiking RNN: the hidden state <see cref="H"/> and, for the LSTM, the cell state <see cref="C"/>
/// (null otherwise). For a cell each tensor is [N, hidden]; for the multi-layer modules it is
/// [num_layers · num_directions, N, hidden] (forward layers first, then the reverse layers).
/// </summary>
public sealed record RnnState(Tensor H, Tensor? C = null);

/// <summary>
/// Base of the spiking RNN cells (SpikingJelly's <c>SpikingRNNCellBase</c>): two linear maps
/// <c>linear_ih</c>: [input] → [gates · hidden] and <c>linear_hh</c>: [hidden] → [gates · hidden], whose weights and
/// biases are all initialised U(−1/√hidden, 1/√hidden) from the given (or default) <see cref="Generator"/>.
/// A cell is stateless: <see cref="Forward(Tensor, RnnState?)"/> maps x [N, input] and the previous state (zeros
/// when null) to the next state. The gates go through surrogate spike functions: Θ forward with surrogate gradients
/// when the surrogates are spiking, the smooth primitive g(x) when <see cref="Surrogate.Spiking"/> is false.
/// </summary>
public abstract class SpikingRnnCellBase : Module
{
    protected SpikingRnnCellBase(int inputSize, int hiddenSize, int gates, bool bias, Generator? generator)
    {
        if (inputSize <= 0 || hiddenSize <= 0)
            throw new ArgumentOutOfRangeException(nameof(inputSize), $"{GetType().Name}: input_size={inputSize} and hidden_size={hiddenSize} must be positive");
        InputSize = inputSize;
        HiddenSize = hiddenSize;
        Bias = bias;
        LinearIh = RegisterModule("linear_ih", new Linear(inputSize, gates * hiddenSize, bias, generator));
        LinearHh = RegisterModule("linear_hh", new Linear(hiddenSize, gates * hiddenSize, bias, generator));
        // Linear's own init (bound 1/√fan_in) is replaced, as upstream's reset_parameters replaces nn.Linear's.
        ResetParameters(generator);
    }

    public int InputSize { get; }
    public int HiddenSize { get; }
    public bool Bias { get; }

    /// <summary>1 for cells whose state is h alone, 2 for the LSTM (h, c).</summary>
    public abstract int StatesNum { get; }

    /// <summary>x ↦ W_ih·x + b_ih, W_ih: [gates · hidden, input].</summary>
    public Linear LinearIh { get; }

    /// <summary>h ↦ W_hh·h + b_hh, W_hh: [gates · hidden, hidden].</summary>
    public Linear LinearHh { get; }

    public Tensor WeightIh => LinearIh.Weight;
    public Tensor WeightHh => LinearHh.Weight;
    public Tensor? BiasIh => LinearIh.Bias;
    public Tensor? BiasHh => LinearHh.Bias;

    /// <summary>Refills every parameter, in registration order, with U(−1/√hidden, 1/√hidden).</summary>
    public void ResetParameters(Generator? generator = null)
    {
        double bound = 1 / Math.Sqrt(HiddenSize);
        foreach (var p in Parameters()) Raw.CopyInto(Init.Uniform(p.Layout.Shape, bound, generator), p);
    }

    /// <summary>One step: x [N, input] and the state at t−1 (zeros when null) give the state at t.</summary>
    public abstract RnnState Forward(Tensor x, RnnState? state);

    /// <summary>One step from the zero state; returns h [N, hidden].</summary>
    protected override Tensor OnForward(Tensor x) => Forward(x, null).H;

    /// <summary>Checks x [N, input] and the state's shapes; a null state becomes zeros of x's dtype and device.</summary>
    protected RnnState StateFor(Tensor x, RnnState? state)
    {
        if (x.Rank != 2 || x.Size(1) != InputSize)
            throw new ArgumentException($"{GetType().Name}: input must be [N, input_size={InputSize}], got shape {Layout.Fmt(x.Layout.Shape)}");
        int[] shape = [x.Size(0), HiddenSize];
        if (state is null)
            return new RnnState(Tensor.Zeros(shape, x.DType, x.Device), StatesNum == 2 ? Tensor.Zeros(shape, x.DType, x.Device) : null);
        CheckStateShape("h", state.H, shape);
        if (StatesNum == 2) CheckStateShape("c", state.C ?? throw new ArgumentException($"{GetType().Name}: the state needs c as well as h"), shape);
        else if (state.C is not null) throw new ArgumentException($"{GetType().Name}: has no cell state c, but one was given");
        return state;
    }

    void CheckStateShape(string name, Tensor t, int[] shape)
    {
        if (!t.Layout.Shape.AsSpan().SequenceEqual(shape))
            throw new ArgumentException($"{GetType().Name}: state {name} must be {Layout.Fmt(shape)} for input of batch {shape[0]}, got {Layout.Fmt(t.Layout.Shape)}");
    }

    /// <summary>Two surrogates of one gate family must agree on spiking versus primitive mode (as upstream asserts).</summary>
    internal static void CheckModes(string op, Surrogate sf1, Surrogate? sf2)
    {
        if (sf2 is not null && sf1.Spiking != sf2.Spiking)
            throw new ArgumentException($"{op}: surrogate_function1 (spiking={sf1.Spiking}) and surrogate_function2 (spiking={sf2.Spiking}) must both be spiking or both primitive");
    }

    protected override string ExtraRepr() => $"input_size={InputSize}, hidden_size={HiddenSize}, bias={Bias}";
}
