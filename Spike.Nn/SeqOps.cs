namespace Spike.Nn;

/// <summary>Sequence helpers the containers and neurons need: stacking steps along a new time axis.</summary>
internal static class SeqOps
{
    /// <summary>y = stack(xs, axis 0): [T, ...] from T tensors of equal shape; backward selects each step's slice.</summary>
    public static Tensor Stack(IReadOnlyList<Tensor> xs, string op)
    {
        if (xs.Count == 0) throw new ArgumentException($"{op}: cannot stack an empty sequence");
        var shape = xs[0].Layout.Shape;
        var dtype = xs[0].DType;
        for (int i = 1; i < xs.Count; i++)
            if (!xs[i].Layout.Shape.AsSpan().SequenceEqual(shape) || xs[i].DType != dtype)
                throw new ArgumentException($"{op}: step {i} has shape {Layout.Fmt(xs[i].Layout.Shape)} ({xs[i].DType}), step 0 has {Layout.Fmt(shape)} ({dtype})");
        var y = Raw.Empty([xs.Count, .. shape], dtype, xs[0].Device);
        for (int t = 0; t < xs.Count; t++) Raw.CopyInto(xs[t], Raw.Select(y, 0, t));
        var inputs = xs.ToArray();
        return Graph.Record(y, "Stack", inputs, g =>
        {
            var grads = new Tensor?[inputs.Length];
            for (int t = 0; t < inputs.Length; t++) grads[t] = inputs[t].RequiresGrad ? Raw.Select(g, 0, t) : null;
            return grads;
        });
    }

    public static void CheckSeq(Tensor x, string op)
    {
        if (x.Rank < 1) throw new ArgumentException($"{op}: multi-step input must be [T, N, ...], got shape {Layout.Fmt(x.Layout.Shape)}");
    }
}
