namespace Spike.Nn;

/// <summary>
/// SpikingJelly's Dropout: in training, one mask (1/(1−p) where kept, 0 where dropped) is drawn and reused for
/// every time step until <see cref="Module.Reset"/> — in multi-step mode across the T axis of one call, in
/// single-step mode across calls — so a neuron is silenced for the whole sequence rather than flickering.
/// Evaluation is the identity.
/// </summary>
public class Dropout : Module, IStepModule
{
    Tensor? _mask;

    public Dropout(double p = 0.5, StepMode stepMode = StepMode.Single, Generator? generator = null)
    {
        if (p is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(p), $"{GetType().Name}: p={p} must lie in [0, 1)");
        P = p; StepMode = stepMode; Generator = generator;
    }

    public double P { get; }

    /// <summary>The mask in use (0 or 1/(1 − p) per element of a step), or null until the first training call and after reset.</summary>
    public Tensor? Mask => _mask;
    public StepMode StepMode { get; set; }
    protected Generator? Generator { get; }

    /// <summary>The shape of one step's mask for one step's input shape.</summary>
    protected virtual int[] MaskShape(int[] stepShape) => stepShape;

    protected override Tensor OnForward(Tensor x)
    {
        if (!Training || P == 0) return x;
        var step = StepMode == StepMode.Multi ? x.Shape.Skip(1).ToArray() : x.Shape.ToArray();
        _mask ??= Tensor.DropoutMask(MaskShape(step), P, Generator, x.DType, x.Device);
        return x * _mask;
    }

    public override void Reset()
    {
        base.Reset();
        _mask = null;
    }

    protected override string ExtraRepr() => $"p={P}, step_mode={StepMode}";
}

/// <summary>Dropout2d with a shared mask: whole channels of [N, C, H, W] are dropped, the same ones at every step.</summary>
public class Dropout2d(double p = 0.2, StepMode stepMode = StepMode.Single, Generator? generator = null) : Dropout(p, stepMode, generator)
{
    protected override int[] MaskShape(int[] stepShape) =>
        stepShape.Length == 4 ? [stepShape[0], stepShape[1], 1, 1]
        : throw new ArgumentException($"Dropout2d: expected a step of shape [N, C, H, W], got {Layout.Fmt(stepShape)}");
}

/// <summary>Seed-era name of <see cref="Dropout"/> in multi-step mode: [T, N, ...], one mask shared by every t and later calls until reset.</summary>
public sealed class MultiStepDropout(double p = 0.5, Generator? generator = null) : Dropout(p, StepMode.Multi, generator);

/// <summary>Seed-era name of <see cref="Dropout2d"/> in multi-step mode: [T, N, C, H, W], whole channels dropped for every t.</summary>
public sealed class MultiStepDropout2d(double p = 0.2, Generator? generator = null) : Dropout2d(p, StepMode.Multi, generator);
