namespace Spike.Nn;

/// <summary>
/// Base of the multi-layer spiking RNNs (SpikingJelly's <c>SpikingRNNBase</c>): num_layers cells in <c>cells</c>
/// (and, when bidirectional, as many in <c>cells_reverse</c>), run over x [T, N, input].
/// <para>Unidirectional wiring, reproduced from SpikingJelly: at step t layer 0 takes x[t], and layer i &gt; 0 takes
/// the hidden state of layer i − 1 from step t − 1 (its initial state at t = 0), not the one layer i − 1 has just
/// computed at t. So a stack of L layers delays the signal by L − 1 steps. The output y[t] is the last layer's h.</para>
/// <para>Bidirectional: layer by layer over the whole sequence; the forward cell reads t = 0 … T − 1, the reverse
/// cell T − 1 … 0, and y[t] = cat(h_fwd[t], h_rev[t]) [N, 2·hidden] feeds the next layer.</para>
/// <para>Dropout (training only, dropout_p &gt; 0) is applied to the input of every layer after the first. With
/// invariant_dropout_mask one mask (0 or 1/(1 − p)) per layer is drawn per call and used at every step; otherwise a
/// fresh mask is drawn for every step (bidirectional: over the whole sequence at once).</para>
/// <para>States: each [num_layers · num_directions, N, hidden], forward layers at 0 … L − 1, reverse layers at
/// L … 2L − 1; the returned states are those after the last step of each direction and can be passed back in.</para>
/// </summary>
public abstract class SpikingRnnBase : Module
{
    readonly SpikingRnnCellBase[] _cells;
    readonly SpikingRnnCellBase[]? _cellsReverse;
    readonly Generator? _generator;

    /// <summary><paramref name="createCell"/> makes one cell for a given input size (SpikingJelly's <c>base_cell</c> with
    /// its arguments); <paramref name="generator"/> also draws the dropout masks.</summary>
    protected SpikingRnnBase(int inputSize, int hiddenSize, int numLayers, bool bias, double dropoutP, bool invariantDropoutMask,
        bool bidirectional, Generator? generator, Func<int, SpikingRnnCellBase> createCell)
    {
        if (inputSize <= 0 || hiddenSize <= 0 || numLayers <= 0)
            throw new ArgumentOutOfRangeException(nameof(numLayers), $"{GetType().Name}: input_size={inputSize}, hidden_size={hiddenSize} and num_layers={numLayers} must be positive");
        if (dropoutP is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(dropoutP), $"{GetType().Name}: dropout_p={dropoutP} must lie in [0, 1)");
        (InputSize, HiddenSize, NumLayers, Bias) = (inputSize, hiddenSize, numLayers, bias);
        (DropoutP, InvariantDropoutMask, Bidirectional, _generator) = (dropoutP, invariantDropoutMask, bidirectional, generator);
        int directions = bidirectional ? 2 : 1;
        _cells = new SpikingRnnCellBase[numLayers];
        _cellsReverse = bidirectional ? new SpikingRnnCellBase[numLayers] : null;
        // Created in upstream's order (forward, reverse, next layer ...) so seeded initial weights follow it.
        for (int i = 0; i < numLayers; i++)
        {
            int input = i == 0 ? inputSize : hiddenSize * directions;
            _cells[i] = createCell(input);
            if (_cellsReverse is not null) _cellsReverse[i] = createCell(input);
        }
        RegisterModule("cells", new Sequential(_cells));
        if (_cellsReverse is not null) RegisterModule("cells_reverse", new Sequential(_cellsReverse));
    }

    public int InputSize { get; }
    public int HiddenSize { get; }
    public int NumLayers { get; }
    public bool Bias { get; }
    public double DropoutP { get; }
    public bool InvariantDropoutMask { get; }
    public bool Bidirectional { get; }

    /// <summary>1 (h) or 2 (h, c), as the cells.</summary>
    public int StatesNum => _cells[0].StatesNum;

    public IReadOnlyList<SpikingRnnCellBase> Cells => _cells;
    public IReadOnlyList<SpikingRnnCellBase>? CellsReverse => _cellsReverse;

    /// <summary>y [T, N, directions · hidden] from x [T, N, input], starting from zero states.</summary>
    protected override Tensor OnForward(Tensor x) => Forward(x, null).Output;

    /// <summary>
    /// Runs the sequence x [T, N, input] from <paramref name="states"/> (zeros when null; each tensor
    /// [num_layers · num_directions, N, hidden]). Returns y [T, N, directions · hidden] and the final states.
    /// </summary>
    public (Tensor Output, RnnState States) Forward(Tensor x, RnnState? states)
    {
        if (x.Rank != 3 || x.Size(2) != InputSize || x.Size(0) == 0)
            throw new ArgumentException($"{GetType().Name}: input must be [T ≥ 1, N, input_size={InputSize}], got shape {Layout.Fmt(x.Layout.Shape)}");
        var init = LayerStates(states, x.Size(1));
        return Bidirectional ? RunBidirectional(x, init) : RunUnidirectional(x, init);
    }

    (Tensor, RnnState) RunUnidirectional(Tensor x, RnnState?[] current)
    {
        int steps = x.Size(0), layers = NumLayers;
        var mask = InvariantMask(x, HiddenSize);
        var outputs = new Tensor[steps];
        for (int t = 0; t < steps; t++)
        {
            var next = new RnnState?[layers];
            next[0] = _cells[0].Forward(x.Select(0, t), current[0]);
            for (int i = 1; i < layers; i++)
            {
                // Upstream wiring: the previous step's h of layer i − 1 (zeros, or the given state, at t = 0).
                var below = current[i - 1]?.H ?? Tensor.Zeros([x.Size(1), HiddenSize], x.DType, x.Device);
                next[i] = _cells[i].Forward(Drop(below, mask, i - 1), current[i]);
            }
            outputs[t] = next[layers - 1]!.H;
            current = next;
        }
        return (Tensor.Stack(outputs), Pack(current));
    }

    (Tensor, RnnState) RunBidirectional(Tensor x, RnnState?[] init)
    {
        int steps = x.Size(0), layers = NumLayers;
        var mask = InvariantMask(x, 2 * HiddenSize);
        var final = new RnnState?[2 * layers];
        var y = x;
        for (int i = 0; i < layers; i++)
        {
            if (i > 0) y = Drop(y, mask, i - 1);
            RnnState? fwd = init[i], rev = init[i + layers];
            var hFwd = new Tensor[steps];
            var hRev = new Tensor[steps];
            for (int t = 0; t < steps; t++)
            {
                fwd = _cells[i].Forward(y.Select(0, t), fwd);
                hFwd[t] = fwd.H;
                rev = _cellsReverse![i].Forward(y.Select(0, steps - 1 - t), rev);
                hRev[steps - 1 - t] = rev.H;
            }
            y = Tensor.Cat([Tensor.Stack(hFwd), Tensor.Stack(hRev)], 2);
            (final[i], final[i + layers]) = (fwd, rev);
        }
        return (y, Pack(final));
    }

    /// <summary>The invariant masks [num_layers − 1, N, width] for this call, or null when unused.</summary>
    Tensor? InvariantMask(Tensor x, int width) =>
        Training && DropoutP > 0 && InvariantDropoutMask && NumLayers > 1
            ? Tensor.DropoutMask([NumLayers - 1, x.Size(1), width], DropoutP, _generator, x.DType, x.Device)
            : null;

    Tensor Drop(Tensor y, Tensor? mask, int layer) =>
        !Training || DropoutP == 0 ? y
        : mask is not null ? y * mask.Select(0, layer)
        : y.Dropout(DropoutP, training: true, _generator);

    /// <summary>Per cell slot (forward layers, then reverse), the given initial state, or null for zeros.</summary>
    RnnState?[] LayerStates(RnnState? states, int batch)
    {
        int slots = NumLayers * (Bidirectional ? 2 : 1);
        var result = new RnnState?[slots];
        if (states is null) return result;
        int[] shape = [slots, batch, HiddenSize];
        Check("h", states.H);
        if (StatesNum == 2) Check("c", states.C ?? throw new ArgumentException($"{GetType().Name}: the states need c as well as h"));
        else if (states.C is not null) throw new ArgumentException($"{GetType().Name}: has no cell state c, but one was given");
        for (int k = 0; k < slots; k++) result[k] = new RnnState(states.H.Select(0, k), states.C?.Select(0, k));
        return result;

        void Check(string name, Tensor s)
        {
            if (!s.Layout.Shape.AsSpan().SequenceEqual(shape))
                throw new ArgumentException($"{GetType().Name}: state {name} must be [num_layers·num_directions, N, hidden] = {Layout.Fmt(shape)}, got {Layout.Fmt(s.Layout.Shape)}");
        }
    }

    static RnnState Pack(RnnState?[] slots) =>
        new(Tensor.Stack(slots.Select(s => s!.H).ToArray()), slots[0]!.C is null ? null : Tensor.Stack(slots.Select(s => s!.C!).ToArray()));

    protected override string ExtraRepr() =>
        $"input_size={InputSize}, hidden_size={HiddenSize}, num_layers={NumLayers}, bias={Bias}, dropout_p={DropoutP}, " +
        $"invariant_dropout_mask={InvariantDropoutMask}, bidirectional={Bidirectional}";
}
