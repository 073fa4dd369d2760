namespace Spike.Nn;

/// <summary>
/// Element-wise recurrence around a (usually stateful) module: y[t] = f(op(y[t−1], x[t])), y[−1] = 0, where op is an
/// element-wise function such as addition. The inner module's input and output shapes must agree. Single step
/// [N, ...] → [N, ...]; multi step [T, N, ...] → [T, N, ...] one step per t (the inner module stays single step).
/// </summary>
public sealed class ElementWiseRecurrentContainer : MemoryModule, IStepModeContainer
{
    readonly Module _inner;
    readonly Func<Tensor, Tensor, Tensor> _op;

    public ElementWiseRecurrentContainer(Module subModule, Func<Tensor, Tensor, Tensor> elementWiseFunction, StepMode stepMode = StepMode.Single)
        : base(stepMode)
    {
        _inner = RegisterModule("sub_module", subModule);
        _op = elementWiseFunction;
        RegisterMemory("y", 0.0);
    }

    protected override Tensor SingleStep(Tensor x)
    {
        var y = _inner.Forward(_op(GetMemory("y"), x));
        SetMemory("y", y);
        return y;
    }
}

/// <summary>
/// Linear recurrence around a module (SpikingJelly's <c>LinearRecurrentContainer</c>):
/// i[t] = [x[t], y[t−1]]·Wᵀ + b, y[t] = f(i[t]), y[−1] = 0, with W: [in, in + out] and b: [in] in <c>rc</c>
/// (a Linear(in + out, in), torch's initialisation). x[t]: [N, ..., in]; f maps [N, ..., in] to y[t]: [N, ..., out].
/// Multi step [T, N, ..., in] → [T, N, ..., out], one step per t.
/// </summary>
public sealed class LinearRecurrentContainer : MemoryModule, IStepModeContainer
{
    readonly Module _inner;

    public LinearRecurrentContainer(Module subModule, int inFeatures, int outFeatures, bool bias = true, StepMode stepMode = StepMode.Single,
        Generator? generator = null) : base(stepMode)
    {
        if (inFeatures <= 0 || outFeatures <= 0)
            throw new ArgumentOutOfRangeException(nameof(inFeatures), $"LinearRecurrentContainer: sizes ({inFeatures}, {outFeatures}) must be positive");
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        Rc = RegisterModule("rc", new Linear(inFeatures + outFeatures, inFeatures, bias, generator));
        _inner = RegisterModule("sub_module", subModule);
        RegisterMemory("y", 0.0);
    }

    public int InFeatures { get; }
    public int OutFeatures { get; }

    /// <summary>The recurrent connection Linear(in + out, in).</summary>
    public Linear Rc { get; }

    protected override Tensor SingleStep(Tensor x)
    {
        if (x.Rank < 2 || x.Size(-1) != InFeatures)
            throw new ArgumentException($"LinearRecurrentContainer: input must be [N, ..., {InFeatures}], got shape {Layout.Fmt(x.Layout.Shape)}");
        var yPrev = GetMemory("y");
        if (yPrev.Rank == 0) yPrev = Tensor.Zeros([.. x.Shape[..^1], OutFeatures], x.DType, x.Device);
        var y = _inner.Forward(Rc.Forward(Tensor.Cat([x, yPrev], -1)));
        if (!y.Shape.SequenceEqual(yPrev.Shape))
            throw new InvalidOperationException($"LinearRecurrentContainer: the inner module returned shape {Layout.Fmt(y.Layout.Shape)}, expected {Layout.Fmt(yPrev.Layout.Shape)}");
        SetMemory("y", y);
        return y;
    }

    protected override string ExtraRepr() => $"in_features={InFeatures}, out_features={OutFeatures}, step_mode={StepMode}";
}

/// <summary>
/// Delays its input by d steps: y[t] = x[t − d], and 0 for t &lt; d (SpikingJelly's <c>Delay</c>). The last d inputs are
/// state, carried across calls until <see cref="Reset"/>. Single step [N, ...]; multi step [T, N, ...]. d = 0 is the identity.
/// </summary>
public sealed class Delay : MemoryModule
{
    readonly Queue<Tensor> _queue = new();

    public Delay(int delaySteps, StepMode stepMode = StepMode.Single) : base(stepMode)
    {
        DelaySteps = delaySteps >= 0 ? delaySteps : throw new ArgumentOutOfRangeException(nameof(delaySteps), $"Delay: delay_steps must be >= 0, got {delaySteps}");
    }

    public int DelaySteps { get; }

    protected override Tensor SingleStep(Tensor x)
    {
        if (DelaySteps == 0) return x;
        if (_queue.Count > 0 && !_queue.Peek().Shape.SequenceEqual(x.Shape))
            throw new ArgumentException($"Delay: step of shape {Layout.Fmt(x.Layout.Shape)} after steps of shape {Layout.Fmt(_queue.Peek().Layout.Shape)}; call ResetNet between sequences");
        _queue.Enqueue(x);
        return _queue.Count > DelaySteps ? _queue.Dequeue() : Tensor.ZerosLike(x);
    }

    public override void Reset()
    {
        base.Reset();
        _queue.Clear();
    }

    public override void DetachState()
    {
        base.DetachState();
        var kept = _queue.Select(t => t.Detach()).ToArray();
        _queue.Clear();
        foreach (var t in kept) _queue.Enqueue(t);
    }

    protected override string ExtraRepr() => $"delay_steps={DelaySteps}, step_mode={StepMode}";
}
