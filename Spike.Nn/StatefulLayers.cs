namespace Spike.Nn;

/// <summary>
/// Low-pass synapse filter: I[t] = I[t−1] − (1 − S[t])·I[t−1]·k + S[t], I[−1] = 0, with k = 1/τ, or
/// k = sigmoid(w), w₀ = −ln(τ − 1), when learnable. Single step [N, ...] → [N, ...]; multi step [T, N, ...] → [T, N, ...].
/// </summary>
public sealed class SynapseFilter : MemoryModule
{
    public SynapseFilter(double tau = 100.0, bool learnable = false, StepMode stepMode = StepMode.Single) : base(stepMode)
    {
        if (tau <= 1) throw new ArgumentOutOfRangeException(nameof(tau), $"SynapseFilter: tau must be > 1, got {tau}");
        Learnable = learnable;
        TauInit = tau;
        if (learnable) RegisterParameter("w", Tensor.Scalar(-Math.Log(tau - 1)));
        RegisterMemory("out_i", 0.0);
    }

    public bool Learnable { get; }
    public double TauInit { get; }
    public Tensor? W => Learnable ? Parameter("w") : null;
    public Tensor OutI => GetMemory("out_i");

    protected override Tensor SingleStep(Tensor s)
    {
        var i = GetMemory("out_i");
        var next = Learnable ? i - (1 - s) * i * W!.Sigmoid() + s : i - (1 - s) * i * (1.0 / TauInit) + s;
        SetMemory("out_i", next);
        return next;
    }

    protected override string ExtraRepr() => $"tau={(Learnable ? 1 / Raw.Unary(UnaryOp.Sigmoid, W!).Item() : TauInit):G6}, learnable={Learnable}";
}

/// <summary>
/// NeuNorm (Wu et al. 2019) on spikes [N, C, H, W] per step: state X (init 0, [N, 1, H, W] after the first step),
/// X = k0·X + k1·Σ_c in[:, c] with k0 = k, k1 = (1 − k)/C²; out = in − w·X with w [C, H, W] (or [1, H, W] when shared),
/// initialised U(−1/√(H·W), 1/√(H·W)) (PyTorch's kaiming-uniform, a = √5) from the given generator.
/// Multi step: [T, N, C, H, W], one step per t.
/// </summary>
public sealed class NeuNorm : MemoryModule
{
    public NeuNorm(int inChannels, int height, int width, double k = 0.9, bool sharedAcrossChannels = false, Generator? generator = null,
        StepMode stepMode = StepMode.Single) : base(stepMode)
    {
        K0 = k;
        K1 = (1.0 - k) / ((double)inChannels * inChannels);
        double bound = 1 / Math.Sqrt(height * width);
        RegisterParameter("w", Tensor.Rand([sharedAcrossChannels ? 1 : inChannels, height, width], generator, -bound, bound));
        RegisterMemory("x", 0.0);
    }

    public double K0 { get; }
    public double K1 { get; }
    public Tensor W => Parameter("w");
    public Tensor X => GetMemory("x");

    protected override Tensor SingleStep(Tensor inSpikes)
    {
        if (inSpikes.Rank != 4) throw new ArgumentException($"NeuNorm: input must be [N, C, H, W], got shape {Layout.Fmt(inSpikes.Layout.Shape)}");
        var x = GetMemory("x") * K0 + inSpikes.Sum(1, keepDim: true) * K1;
        SetMemory("x", x);
        return inSpikes - W * x;
    }
}

/// <summary>Voting over the last axis: y[..., j] = mean(x[..., j·v .. (j+1)·v)) for groups of v outputs ([..., M] → [..., M / v],
/// a remainder is dropped, as avg_pool1d). Any leading axes, so [N, M] and [T, N, M] alike need no step mode.</summary>
public sealed class VotingLayer(int votingSize = 10) : Module
{
    public int VotingSize { get; } = votingSize > 0 ? votingSize : throw new ArgumentOutOfRangeException(nameof(votingSize), $"VotingLayer: voting size must be > 0, got {votingSize}");

    protected override Tensor OnForward(Tensor x)
    {
        if (x.Rank < 1 || x.Size(-1) < VotingSize) throw new ArgumentException($"VotingLayer: input must be [..., M] with M >= {VotingSize}, got shape {Layout.Fmt(x.Layout.Shape)}");
        int groups = x.Size(-1) / VotingSize;
        return x.Narrow(-1, 0, groups * VotingSize).Reshape([.. x.Shape[..^1], groups, VotingSize]).Mean(-1);
    }

    protected override string ExtraRepr() => $"voting_size={VotingSize}";
}

/// <summary>Prints the input's shape and passes it through (a debugging aid).</summary>
public sealed class PrintShapeModule(string? label = null) : Module
{
    protected override Tensor OnForward(Tensor x)
    {
        Console.WriteLine($"{label ?? nameof(PrintShapeModule)}: {Layout.Fmt(x.Layout.Shape)}");
        return x;
    }
}
