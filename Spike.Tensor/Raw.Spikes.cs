namespace Spike;

public static partial class Raw
{
    /// <summary>
    /// Poisson encoding: spike = (u ≤ x) with u ~ U[0, 1) from <paramref name="generator"/>, x in a float dtype.
    /// steps = 0: one draw, [..x] → [..x]; steps = T &gt; 0: T draws, [..x] → [T, ..x]. The spikes equal comparing
    /// <c>Tensor.Rand([T, ..x], generator)</c> with x (same counters), computed in one pass by the backend.
    /// </summary>
    public static Tensor PoissonEncode(Tensor x, int steps, Generator? generator = null)
    {
        if (!x.DType.IsFloating()) throw new ArgumentException($"poisson_encode: needs a floating input, got {x.DType} of shape {Layout.Fmt(x.Layout.Shape)}");
        if (steps < 0) throw new ArgumentException($"poisson_encode: steps must be ≥ 0, got {steps}");
        var g = generator ?? Generator.Default;
        var xc = Contiguous(x);
        int t = Math.Max(steps, 1);
        var dst = Empty([t, x.Numel], x.DType, x.Device);
        Backend(x).PoissonEncode(Reshape(xc, x.Numel), dst, g.Seed, g.Take(dst.Numel));
        return Reshape(dst, steps == 0 ? x.Layout.Shape : [steps, .. x.Layout.Shape]);
    }
}
