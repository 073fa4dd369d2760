namespace Spike.Nn;

/// <summary>
/// DropConnect (Wan et al. 2013; SpikingJelly's <c>DropConnectLinear</c>): a linear layer whose connections, rather than
/// inputs, are dropped with probability p. x: [N, in] → [N, out].
/// <para>Training: every sample n draws its own masks M_w[n] ~ Bernoulli(1 − p) over W [out, in] and M_b[n] over b;
/// y[n] = act((M_w[n] ⊙ W)·x[n] + M_b[n] ⊙ b), without rescaling. With <see cref="Invariant"/> the masks are drawn on the
/// first call and kept until <see cref="Module.Reset"/>; otherwise every call draws new ones.</para>
/// <para>Evaluation (the paper's Algorithm 2): the pre-activation is Gaussian with μ = (1 − p)(x·Wᵀ + b) and
/// σ² = p(1 − p)(x²·(W²)ᵀ + b²); y = mean over <see cref="SamplesNum"/> draws u ~ N(μ, σ²) of act(u). The draws carry no
/// gradient (as torch's <c>Normal.sample</c>); <see cref="Moments"/> gives μ and σ² themselves.</para>
/// W and b are initialised as torch.nn.Linear (kaiming-uniform a = √5, seeded). Multi step [T, N, in] runs one step per t,
/// so invariant masks are shared over time.
/// </summary>
public sealed class DropConnectLinear : MemoryModule, IStepModeContainer
{
    readonly Module? _activation;
    readonly Generator? _generator;
    Tensor? _maskW, _maskB;

    /// <summary>A DropConnect layer; <paramref name="activation"/> (null for none, SpikingJelly's default is ReLU) is applied to
    /// the linear output, inside the sampling average in evaluation.</summary>
    public DropConnectLinear(int inFeatures, int outFeatures, bool bias = true, double p = 0.5, int samplesNum = 1024, bool invariant = false,
        Module? activation = null, StepMode stepMode = StepMode.Single, Generator? generator = null) : base(stepMode)
    {
        if (inFeatures <= 0 || outFeatures <= 0) throw new ArgumentOutOfRangeException(nameof(inFeatures), $"DropConnectLinear: sizes ({inFeatures}, {outFeatures}) must be positive");
        if (p is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(p), $"DropConnectLinear: p={p} must lie in [0, 1]");
        if (samplesNum < 1) throw new ArgumentOutOfRangeException(nameof(samplesNum), $"DropConnectLinear: samples_num must be >= 1, got {samplesNum}");
        (InFeatures, OutFeatures, P, SamplesNum, Invariant) = (inFeatures, outFeatures, p, samplesNum, invariant);
        RegisterParameter("weight", Init.KaimingUniformA5([outFeatures, inFeatures], inFeatures, generator));
        if (bias) RegisterParameter("bias", Init.Uniform([outFeatures], 1 / Math.Sqrt(inFeatures), generator));
        HasBias = bias;
        if (activation is not null) _activation = RegisterModule("activation", activation);
        _generator = generator;
    }

    public int InFeatures { get; }
    public int OutFeatures { get; }
    public double P { get; }
    public int SamplesNum { get; }
    public bool Invariant { get; }
    public bool HasBias { get; }
    public Tensor Weight => Parameter("weight");
    public Tensor? Bias => HasBias ? Parameter("bias") : null;

    /// <summary>The weights as dropped for each sample, [N, out, in] (M_w ⊙ W), or null before the first training call.</summary>
    public Tensor? DroppedWeight => _maskW is null ? null : Weight * _maskW;

    /// <summary>The Gaussian moments of the evaluation-time pre-activation: μ = (1 − p)(x·Wᵀ + b), σ² = p(1 − p)(x²·(W²)ᵀ + b²).</summary>
    public (Tensor Mu, Tensor Sigma2) Moments(Tensor x)
    {
        CheckInput(x);
        var mu = x.Linear(Weight, Bias) * (1 - P);
        var sigma2 = (x * x).Linear(Weight * Weight, Bias is { } b ? b * b : null) * (P * (1 - P));
        return (mu, sigma2);
    }

    protected override Tensor SingleStep(Tensor x)
    {
        CheckInput(x);
        if (!Training) return Evaluate(x);
        int n = x.Size(0);
        if (!Invariant || _maskW is null || _maskW.Size(0) != n)
        {
            if (Invariant && _maskW is not null)
                throw new ArgumentException($"DropConnectLinear: batch of {n} after masks drawn for {_maskW.Size(0)} samples; call ResetNet between batches");
            _maskW = Keep([n, OutFeatures, InFeatures], x);
            _maskB = HasBias ? Keep([n, OutFeatures], x) : null;
        }
        // y[n, o] = Σ_i (M_w ⊙ W)[n, o, i]·x[n, i] + (M_b ⊙ b)[n, o]
        var y = (Weight * _maskW).Matmul(x.Unsqueeze(-1)).Squeeze(-1);
        if (HasBias) y = y + Bias! * _maskB!;
        return _activation?.Forward(y) ?? y;
    }

    /// <summary>Mean of act(μ + σ·ε) over SamplesNum standard normal draws ε (no gradient, as upstream).</summary>
    Tensor Evaluate(Tensor x)
    {
        using var _ = Autograd.NoGrad();
        var (mu, sigma2) = Moments(x);
        var eps = Tensor.Randn([SamplesNum, .. mu.Shape], _generator, dtype: mu.DType, device: mu.Device);
        var samples = mu + sigma2.Sqrt() * eps;
        return (_activation?.Forward(samples) ?? samples).Mean(0);
    }

    // A keep-mask (rand > p, as upstream) in x's dtype.
    Tensor Keep(int[] shape, Tensor x) => Tensor.Rand(shape, _generator, dtype: x.DType, device: x.Device).Gt(P).To(x.DType);

    void CheckInput(Tensor x)
    {
        if (x.Rank != 2 || x.Size(1) != InFeatures)
            throw new ArgumentException($"DropConnectLinear: input must be [N, {InFeatures}], got shape {Layout.Fmt(x.Layout.Shape)}");
    }

    public override void Reset()
    {
        base.Reset();
        _maskW = _maskB = null;
    }

    protected override string ExtraRepr() => $"in_features={InFeatures}, out_features={OutFeatures}, bias={HasBias}, p={P}, invariant={Invariant}";
}
