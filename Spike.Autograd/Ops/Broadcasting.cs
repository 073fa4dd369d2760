namespace Spike;

internal static class Broadcasting
{
    /// <summary>
    /// Sums a broadcast gradient back to the shape of the input it came from: leading axes the input lacked,
    /// and axes where the input had size 1, are summed away.
    /// </summary>
    public static Tensor SumTo(Tensor grad, int[] shape)
    {
        if (grad.Layout.Shape.AsSpan().SequenceEqual(shape)) return grad;
        int lead = grad.Rank - shape.Length;
        var axes = new List<int>();
        for (int i = 0; i < grad.Rank; i++)
            if (i < lead || (shape[i - lead] == 1 && grad.Layout.Shape[i] != 1)) axes.Add(i);
        var summed = axes.Count == 0 ? grad : Raw.Reduce(ReduceOp.Sum, grad, [.. axes], keepDim: true);
        return Raw.Reshape(summed, shape);
    }
}
