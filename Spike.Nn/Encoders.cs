namespace Spike.Nn;

/// <summary>
/// An encoder that turns an input into a fixed spike sequence once and then replays it (SpikingJelly's
/// <c>StatefulEncoder</c>): the first call encodes x into spike [T, ...]; call k returns spike[k mod T].
/// <see cref="Module.Reset"/> forgets the sequence and the phase. In <see cref="StepMode.Multi"/> a call returns
/// the whole sequence [T, ...] (encoding it first if needed).
/// </summary>
public abstract class StatefulEncoder : Module, IStepModule
{
    protected StatefulEncoder(int t)
    {
        if (t < 1) throw new ArgumentOutOfRangeException(nameof(t), $"{GetType().Name}: T must be >= 1, got {t}");
        T = t;
    }

    /// <summary>Length of the encoded sequence.</summary>
    public int T { get; protected set; }

    /// <summary>The encoded sequence [T, ...], or null before the first call / after reset.</summary>
    public Tensor? Spike { get; protected set; }

    /// <summary>Index of the step the next single-step call returns.</summary>
    public int Phase { get; private set; }

    public StepMode StepMode { get; set; } = StepMode.Single;

    /// <summary>Encodes x into the sequence [T, ...] (no gradient).</summary>
    protected abstract Tensor EncodeSequence(Tensor x);

    /// <summary>Encodes x and stores the sequence (replacing any previous one), resetting the phase.</summary>
    public Tensor Encode(Tensor x)
    {
        Spike = EncodeSequence(x);
        Phase = 0;
        return Spike;
    }

    protected override Tensor OnForward(Tensor x)
    {
        var spike = Spike ?? Encode(x);
        if (StepMode == StepMode.Multi) return spike;
        var y = spike.Select(0, Phase);
        Phase = (Phase + 1) % T;
        return y;
    }

    public override void Reset()
    {
        base.Reset();
        Spike = null;
        Phase = 0;
    }

    protected override string ExtraRepr() => $"T={T}";
}

/// <summary>Replays a given spike pattern [T, ...] periodically: out[k] = spike[k mod T] (the input of the first call is the pattern).</summary>
public sealed class PeriodicEncoder : StatefulEncoder
{
    public PeriodicEncoder(Tensor spike) : base(spike.Rank >= 1 ? spike.Size(0) : throw new ArgumentException($"PeriodicEncoder: pattern must be [T, ...], got shape {Layout.Fmt(spike.Layout.Shape)}"))
    {
        Spike = spike;
    }

    /// <summary>An encoder whose first call supplies the pattern.</summary>
    public PeriodicEncoder(int t) : base(t) { }

    protected override Tensor EncodeSequence(Tensor x)
    {
        if (x.Rank < 1) throw new ArgumentException($"PeriodicEncoder: pattern must be [T, ...], got shape {Layout.Fmt(x.Layout.Shape)}");
        T = x.Size(0);
        return x;
    }
}

/// <summary>The spike time function of <see cref="LatencyEncoder"/>.</summary>
public enum LatencyFunction { Linear, Log }

/// <summary>
/// Latency coding for x in [0, 1]: each element fires once, at t_f, stronger inputs earlier.
/// Linear: t_f = round((T − 1)(1 − x)); Log: t_f = round(T − 1 − ln(αx + 1)) with α = e^(T−1) − 1.
/// Rounding is half to even (torch.round). spike[t] = (t == t_f).
/// </summary>
public sealed class LatencyEncoder(int t, LatencyFunction function = LatencyFunction.Linear) : StatefulEncoder(t)
{
    public LatencyFunction Function { get; } = function;

    /// <summary>α = e^(T−1) − 1 of the log form (maps x = 1 to t_f = 0).</summary>
    public double Alpha => Math.Exp(T - 1.0) - 1.0;

    protected override Tensor EncodeSequence(Tensor x)
    {
        using var _ = Autograd.NoGrad();
        var xf = x.To(x.DType.ToFloating());
        var tf = Function == LatencyFunction.Log
            ? ((T - 1.0) - (xf * Alpha + 1.0).Log()).Round()
            : ((1.0 - xf) * (T - 1.0)).Round();
        var steps = Enumerable.Range(0, T).Select(i => tf.Eq(i).To(xf.DType)).ToList();
        return SeqOps.Stack(steps, "LatencyEncoder");
    }

    protected override string ExtraRepr() => $"T={T}, enc_function={Function}";
}

/// <summary>
/// Weighted phase coding (Kim et al. 2018) with K phases for x in [0, 1 − 2^−K]: with r = x and w = 1/2,
/// for i in 0..K−1: s[i] = (r ≥ w); r −= w·s[i]; w /= 2. The binary expansion of x, most significant bit first.
/// </summary>
public sealed class WeightedPhaseEncoder(int k) : StatefulEncoder(k)
{
    protected override Tensor EncodeSequence(Tensor x)
    {
        using var _ = Autograd.NoGrad();
        var r = Raw.Clone(x.To(x.DType.ToFloating()));
        double w = 0.5;
        var steps = new List<Tensor>(T);
        for (int i = 0; i < T; i++)
        {
            var s = r.Ge(w).To(r.DType);
            steps.Add(s);
            r = r - s * w;
            w *= 0.5;
        }
        return SeqOps.Stack(steps, "WeightedPhaseEncoder");
    }
}

/// <summary>
/// Poisson (rate) coding: spike = (u ≤ x) with u ~ U[0, 1) drawn from a counter-based generator, so a seed gives the same
/// spikes on every machine. Single step: x [N, ...] → [N, ...]. Multi step: x → [T, N, ...] (T draws).
/// </summary>
public sealed class PoissonEncoder(Generator? generator = null, int t = 1) : Module, IStepModule
{
    public Generator Generator { get; } = generator ?? Generator.Default;

    /// <summary>Steps drawn per multi-step call.</summary>
    public int T { get; set; } = t;

    public StepMode StepMode { get; set; } = StepMode.Single;

    protected override Tensor OnForward(Tensor x)
    {
        var xf = Raw.ToDType(x.Detach(), x.DType.ToFloating());
        return Raw.PoissonEncode(xf, StepMode == StepMode.Multi ? T : 0, Generator);
    }
}
