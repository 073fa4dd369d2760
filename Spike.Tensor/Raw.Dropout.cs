namespace Spike;

public static partial class Raw
{
    internal static void CheckDropoutP(double p, string op)
    {
        if (!(p >= 0 && p <= 1)) throw new ArgumentOutOfRangeException(nameof(p), $"{op}: probability p = {p} must be in [0, 1]");
    }

    /// <summary>
    /// A dropout mask of the given shape: 1/(1 − p) with probability 1 − p, else 0 (all zeros when p = 1). Draws
    /// numel counters from the generator (the default one when null).
    /// </summary>
    public static Tensor DropoutMask(int[] shape, double p, DType dtype, Device device, Generator? generator)
    {
        CheckDropoutP(p, "dropout");
        if (!dtype.IsFloating())
            throw new ArgumentException($"dropout: the mask must be Float32 or Float64, got {dtype} for shape {Layout.Fmt(shape)}");
        var g = generator ?? Generator.Default;
        var dst = Empty(shape, dtype, device);
        Backend(dst).DropoutMask(dst, g.Seed, g.Take(dst.Numel), p);
        return dst;
    }

    /// <summary>The mask shape of channel-wise dropout: [N, C, 1, ...] for a batched input, [C, 1, ...] for an unbatched one.</summary>
    public static int[] ChannelMaskShape(int[] shape, int spatialDims, string op)
    {
        if (shape.Length != spatialDims + 1 && shape.Length != spatialDims + 2)
            throw new ArgumentException($"{op}: expects a {spatialDims + 1}-D or {spatialDims + 2}-D input ([C, ...] or [N, C, ...]), got shape {Layout.Fmt(shape)}");
        int lead = shape.Length - spatialDims;
        return [.. shape[..lead], .. Enumerable.Repeat(1, spatialDims)];
    }
}
