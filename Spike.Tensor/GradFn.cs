namespace Spike;

/// <summary>
/// A node of the autograd graph: the op that produced a tensor. <see cref="Backward"/> maps the gradient of
/// the output to one gradient per entry of <see cref="Inputs"/> (null where an input needs none).
/// Backward runs with gradient recording off, so it may use the differentiable ops freely.
/// The graph engine lives in Spike.Autograd.
/// </summary>
public abstract class GradFn
{
    protected GradFn(params Tensor[] inputs) => Inputs = inputs;

    public Tensor[] Inputs { get; }

    public virtual string Name => GetType().Name;

    public abstract Tensor?[] Backward(Tensor gradOutput);

    /// <summary>Called after backward when the graph is not retained, so saved tensors can be freed.</summary>
    public virtual void Release() { }
}
