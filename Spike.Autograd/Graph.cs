namespace Spike;

/// <summary>Records built-in ops: the forward result plus a backward closure written beside it.</summary>
internal static class Graph
{
    /// <summary>Whether an op on these inputs must record a node.</summary>
    public static bool Needed(params Tensor[] inputs)
    {
        if (!Autograd.IsEnabled) return false;
        foreach (var t in inputs) if (t.RequiresGrad) return true;
        return false;
    }

    /// <summary>
    /// Attaches a node to <paramref name="output"/> when any input requires grad. The backward maps the output
    /// gradient to one gradient per input (null for inputs that need none), each of the input's shape.
    /// </summary>
    public static Tensor Record(Tensor output, string name, Tensor[] inputs, Func<Tensor, Tensor?[]> backward)
    {
        if (!Needed(inputs)) return output;
        // A raw op may hand back its input unchanged (a no-op cast or reshape); never hang a node on the input itself.
        foreach (var t in inputs) if (ReferenceEquals(t, output)) { output = output.Detach(); break; }
        return output.WithGradFn(new LambdaFn(name, inputs, backward));
    }

    sealed class LambdaFn(string name, Tensor[] inputs, Func<Tensor, Tensor?[]> backward) : GradFn(inputs)
    {
        Func<Tensor, Tensor?[]>? _backward = backward;

        public override string Name => name;

        public override Tensor?[] Backward(Tensor gradOutput) =>
            (_backward ?? throw new InvalidOperationException(
                $"{name}: backward through the graph a second time; pass retainGraph: true to the first Backward"))(gradOutput);

        public override void Release() => _backward = null;
    }
}
