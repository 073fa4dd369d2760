namespace Spike;

/// <summary>Reverse-mode differentiation over the graph of <see cref="GradFn"/> nodes.</summary>
public static class Engine
{
    extension(Tensor root)
    {
        /// <summary>
        /// Accumulates d(root)/d(leaf) into every leaf's <see cref="Tensor.Grad"/> (and into non-leaves that called
        /// RetainGrad). <paramref name="gradient"/> seeds the backward pass; it may be omitted for a one-element root.
        /// </summary>
        public void Backward(Tensor? gradient = null, bool retainGraph = false) => Run(root, gradient, retainGraph);
    }

    static void Run(Tensor root, Tensor? gradient, bool retainGraph)
    {
        if (!root.RequiresGrad)
            throw new InvalidOperationException("Backward: the tensor does not require grad and has no grad_fn");
        if (gradient is null)
        {
            if (root.Numel != 1)
                throw new InvalidOperationException($"Backward: a gradient must be given for a non-scalar output of shape {Layout.Fmt(root.Layout.Shape)}");
            gradient = Tensor.OnesLike(root);
        }
        else if (!gradient.Shape.SequenceEqual(root.Shape))
            throw new ArgumentException($"Backward: gradient of shape {Layout.Fmt(gradient.Layout.Shape)} does not match output shape {Layout.Fmt(root.Layout.Shape)}");

        var order = TopologicalOrder(root);
        var adopter = new GradAdopter();
        var grads = new Dictionary<Tensor, Tensor>(ReferenceEqualityComparer.Instance) { [root] = Raw.ToDType(gradient, root.DType) };
        using var _ = Autograd.NoGrad();
        for (int i = order.Count - 1; i >= 0; i--)
        {
            var t = order[i];
            if (!grads.Remove(t, out var g)) continue;
            if (t.GradFn is null || t.RetainsGrad)
                t.Grad = t.Grad is null ? adopter.Own(g) : Raw.Binary(BinaryOp.Add, t.Grad, g);
            var fn = t.GradFn;
            if (fn is null) continue;
            var inputGrads = fn.Backward(g);
            if (inputGrads.Length != fn.Inputs.Length)
                throw new InvalidOperationException($"{fn.Name}: backward returned {inputGrads.Length} gradients for {fn.Inputs.Length} inputs");
            if (!retainGraph) fn.Release();
            for (int k = 0; k < inputGrads.Length; k++)
            {
                var input = fn.Inputs[k];
                var gi = inputGrads[k];
                if (gi is null || !input.RequiresGrad) continue;
                if (!gi.Shape.SequenceEqual(input.Shape))
                    throw new InvalidOperationException($"{fn.Name}: gradient of shape {Layout.Fmt(gi.Layout.Shape)} for input {k} of shape {Layout.Fmt(input.Layout.Shape)}");
                if (gi.DType != input.DType) gi = Raw.ToDType(gi, input.DType);
                grads[input] = grads.TryGetValue(input, out var acc) ? Raw.Binary(BinaryOp.Add, acc, gi) : gi;
            }
        }
    }

    /// <summary>
    /// Gives a tensor its first gradient without a copy where that is safe: the gradient was computed during this pass
    /// (so it is neither the caller's seed nor a tensor from the forward pass), spans its whole storage and no other
    /// tensor of the pass has been given the same storage. Anything else is cloned, so every .Grad owns its memory and
    /// in-place edits (clipping, zeroing) touch nothing else. Saves a parameter-sized copy per parameter per step.
    /// </summary>
    sealed class GradAdopter
    {
        readonly long _passStart = Storage.NextSerial;
        readonly HashSet<Storage> _given = new(ReferenceEqualityComparer.Instance);

        public Tensor Own(Tensor g)
        {
            bool fresh = g.Storage.Serial >= _passStart && g.Layout.Offset == 0 && g.IsContiguous && g.Storage.Length == g.Numel;
            return fresh && _given.Add(g.Storage) ? g : Raw.Clone(g);
        }
    }

    /// <summary>Tensors reachable from root through tensors that require grad; inputs before their users.</summary>
    static List<Tensor> TopologicalOrder(Tensor root)
    {
        var order = new List<Tensor>();
        var visited = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<(Tensor, int)>();
        stack.Push((root, 0));
        visited.Add(root);
        while (stack.Count > 0)
        {
            var (t, next) = stack.Pop();
            var inputs = t.GradFn?.Inputs ?? [];
            if (next < inputs.Length)
            {
                stack.Push((t, next + 1));
                var child = inputs[next];
                if (child.RequiresGrad && visited.Add(child)) stack.Push((child, 0));
            }
            else order.Add(t);
        }
        return order;
    }
}
