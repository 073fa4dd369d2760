namespace Spike.Nn;

/// <summary>
/// Pooling over the channel axis (SpikingJelly's <c>ChannelsPool</c>): x [N, C, ...] is viewed as [N, S, C] (S = the
/// product of the spatial sizes), the pool (a <see cref="MaxPool1d"/> or <see cref="AvgPool1d"/>) pools
/// along C, and the result is viewed back as [N, C', ...]. E.g. MaxPool1d(2): y[n, c, h, w] = max(x[n, 2c, h, w], x[n, 2c + 1, h, w]).
/// Multi step folds [T, N, C, ...] into the batch.
/// </summary>
public sealed class ChannelsPool : StepLayer, IStepModeContainer
{
    readonly Module _pool;

    public ChannelsPool(Module pool, StepMode stepMode = StepMode.Single) : base(stepMode)
    {
        if (pool is not (MaxPool1d or AvgPool1d) || ((IStepModule)pool).StepMode != StepMode.Single)
            throw new ArgumentException($"ChannelsPool: pool must be a single-step MaxPool1d or AvgPool1d, got {pool}");
        _pool = RegisterModule("pool", pool);
    }

    protected override Tensor ForwardBatch(Tensor x)
    {
        if (x.Rank < 3) throw new ArgumentException($"ChannelsPool: input must be [N, C, ...] with at least one spatial axis, got shape {Layout.Fmt(x.Layout.Shape)}");
        var y = _pool.Forward(x.Flatten(2).Permute(0, 2, 1)).Permute(0, 2, 1);
        return y.Reshape([x.Size(0), y.Size(1), .. x.Shape[2..]]);
    }
}
