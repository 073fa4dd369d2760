namespace Spike;

/// <summary>
/// A user-defined differentiable op (PyTorch's torch.autograd.Function): subclass it, compute the output in
/// <see cref="Forward"/> (gradient recording is off there; keep what backward needs in fields) and return one
/// gradient per input from <see cref="Backward"/>. Create a new instance per call: <c>new MySpike(a).Apply(x)</c>.
/// </summary>
public abstract class Function
{
    bool _applied;

    protected abstract Tensor Forward(Tensor[] inputs);

    /// <summary>Gradients of the loss w.r.t. each input (null where none), given the output's gradient.</summary>
    protected abstract Tensor?[] Backward(Tensor gradOutput);

    public virtual string Name => GetType().Name;

    public Tensor Apply(params Tensor[] inputs)
    {
        if (_applied) throw new InvalidOperationException($"{Name}: a Function instance is applied once; create a new one per call");
        _applied = true;
        Tensor output;
        using (Autograd.NoGrad()) output = Forward(inputs);
        return Graph.Record(output, Name, inputs, Backward);
    }
}
