namespace Spike.Nn;

/// <summary>Parameter initialisation with PyTorch's defaults, drawn from a seeded <see cref="Generator"/>.</summary>
public static class Init
{
    /// <summary>The generator layers draw their initial weights from when none is given (seed it with
    /// <see cref="Generator.ManualSeed"/> via <see cref="Generator.Default"/> for reproducible models).</summary>
    public static Generator Default => Generator.Default;

    /// <summary>U(−bound, bound) of the given shape.</summary>
    public static Tensor Uniform(int[] shape, double bound, Generator? generator = null) =>
        Tensor.Rand(shape, generator ?? Default, -bound, bound);

    /// <summary>kaiming_uniform_(a = √5) as nn.Linear / nn.Conv use: bound = gain·√(3 / fan_in) with
    /// gain = √(2 / (1 + a²)), which is 1/√fan_in.</summary>
    public static Tensor KaimingUniformA5(int[] shape, int fanIn, Generator? generator = null) =>
        Uniform(shape, fanIn > 0 ? 1 / Math.Sqrt(fanIn) : 0, generator);

    /// <summary>kaiming_normal_(mode = fan_in, nonlinearity = relu): N(0, 2 / fan_in) (SpikingJelly's kaiming_normal_conv_linear_weight).</summary>
    public static Tensor KaimingNormal(int[] shape, int fanIn, Generator? generator = null) =>
        Tensor.Randn(shape, generator ?? Default, 0, Math.Sqrt(2.0 / Math.Max(fanIn, 1)));
}

/// <summary>
/// A stateless layer with a step mode (SpikingJelly's activation_based layers): in <see cref="StepMode.Multi"/>
/// the input [T, N, ...] is folded to [T·N, ...] for one call and unfolded afterwards, so the layer runs once
/// per sequence rather than once per step.
/// </summary>
public abstract class StepLayer(StepMode stepMode) : Module, IStepModule
{
    public StepMode StepMode { get; set; } = stepMode;

    /// <summary>The layer on one batch [N, ...].</summary>
    protected abstract Tensor ForwardBatch(Tensor x);

    protected override Tensor OnForward(Tensor x)
    {
        if (StepMode == StepMode.Single) return ForwardBatch(x);
        if (x.Rank < 2) throw new ArgumentException($"{GetType().Name}: multi-step input must be [T, N, ...], got shape {Layout.Fmt(x.Layout.Shape)}");
        int t = x.Size(0), n = x.Size(1);
        var y = ForwardBatch(x.Flatten(0, 1));
        return y.Reshape([t, n, .. y.Shape.Skip(1)]);
    }
}
