namespace Spike.Tests.Ops;

/// <summary>Plain Float64 loops the op tests compare against: no tensors, no kernels.</summary>
internal static class Reference
{
    /// <summary>Applies f to the values of each slice reduced over axes, in row-major order of the kept axes.</summary>
    public static double[] ReduceSlices(double[] data, int[] shape, int[] axes, Func<double[], double> f)
    {
        int rank = shape.Length;
        var ax = axes.Length == 0 ? Enumerable.Range(0, rank).ToArray() : axes.Select(a => a < 0 ? a + rank : a).ToArray();
        var kept = Enumerable.Range(0, rank).Where(i => !ax.Contains(i)).ToArray();
        int outN = kept.Aggregate(1, (p, d) => p * shape[d]);
        var slices = Enumerable.Range(0, outN).Select(_ => new List<double>()).ToArray();
        var idx = new int[rank];
        for (int flat = 0; flat < data.Length; flat++)
        {
            int rem = flat;
            for (int d = rank - 1; d >= 0; d--) { idx[d] = rem % shape[d]; rem /= shape[d]; }
            int o = 0;
            foreach (var d in kept) o = o * shape[d] + idx[d];
            slices[o].Add(data[flat]);
        }
        return slices.Select(s => f([.. s])).ToArray();
    }

    /// <summary>Multi-index of a row-major flat position.</summary>
    public static int[] Unravel(int flat, int[] shape)
    {
        var idx = new int[shape.Length];
        for (int d = shape.Length - 1; d >= 0; d--) { idx[d] = flat % shape[d]; flat /= shape[d]; }
        return idx;
    }

    public static int Ravel(int[] idx, int[] shape)
    {
        int flat = 0;
        for (int d = 0; d < shape.Length; d++) flat = flat * shape[d] + idx[d];
        return flat;
    }

    public static double Var(double[] v, double correction)
    {
        double mean = v.Average();
        return v.Sum(x => (x - mean) * (x - mean)) / Math.Max(0, v.Length - correction);
    }

    public static double LogSumExp(double[] v)
    {
        double m = v.Max();
        return m + Math.Log(v.Sum(x => Math.Exp(x - m)));
    }

    /// <summary>A deterministic row of awkward values (mixed signs, repeats avoided) for SIMD length sweeps.</summary>
    public static double[] Row(int n, int salt = 0) =>
        Enumerable.Range(0, n).Select(i => Math.Sin(1.7 * i + salt) * 3 + (i % 7) * 0.01).ToArray();
}
