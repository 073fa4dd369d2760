namespace Spike;

/// <summary>What <see cref="GradCheck.Run"/> found: the worst element over all inputs (the one furthest beyond the
/// tolerance atol + rtol·|numeric|), at flat <see cref="Index"/> and multi-index <see cref="Position"/> of input
/// <see cref="Input"/>.</summary>
public sealed record GradCheckReport(bool Passed, int Input, int Index, double Analytic, double Numeric, double AbsError, int Checked)
{
    /// <summary>The multi-index of the worst element in its input.</summary>
    public int[] Position { get; init; } = [];

    /// <summary>The shape of the input holding the worst element.</summary>
    public int[] InputShape { get; init; } = [];

    public override string ToString() =>
        $"{(Passed ? "passed" : "FAILED")}: worst at input {Input} (shape {Layout.Fmt(InputShape)}), index {Layout.Fmt(Position)} " +
        $"(element {Index}): analytic {Analytic:G10}, numeric {Numeric:G10}, |diff| {AbsError:G3} ({Checked} elements checked)";
}

/// <summary>
/// Compares autograd gradients with central finite differences in Float64: for a fixed random weighting w,
/// the analytic d(Σ w·f(x))/dx against (L(x + ε) − L(x − ε)) / 2ε for every element of every input.
/// </summary>
public static class GradCheck
{
    public static GradCheckReport Run(Func<Tensor[], Tensor> f, Tensor[] inputs, double eps = 1e-6, double atol = 1e-6, double rtol = 1e-4, ulong seed = 7)
    {
        foreach (var x in inputs)
            if (x.DType != DType.Float64 && x.RequiresGrad)
                throw new ArgumentException($"GradCheck: inputs that require grad must be Float64, got {x.DType}");
        var leaves = inputs.Select(x => x.RequiresGrad ? Raw.Clone(x).RequiresGrad_() : x).ToArray();
        var output = f(leaves);
        var w = Tensor.Randn(output.Layout.Shape, new Generator(seed), dtype: DType.Float64);
        (output * w).Sum().Backward();

        double Loss()
        {
            using var _ = Autograd.NoGrad();
            return (f(leaves) * w).Sum().Item();
        }

        var report = new GradCheckReport(true, -1, -1, 0, 0, 0, 0);
        double worst = -1;
        int count = 0;
        for (int k = 0; k < leaves.Length; k++)
        {
            var x = leaves[k];
            if (!x.RequiresGrad) continue;
            var analytic = x.Grad is null ? new double[x.Numel] : Raw.ToDType(x.Grad, DType.Float64).ToArray<double>();
            var data = x.AsSpan<double>();
            for (int i = 0; i < x.Numel; i++)
            {
                double orig = data[i];
                x.AsSpan<double>()[i] = orig + eps;
                double up = Loss();
                x.AsSpan<double>()[i] = orig - eps;
                double down = Loss();
                x.AsSpan<double>()[i] = orig;
                double numeric = (up - down) / (2 * eps);
                double err = Math.Abs(analytic[i] - numeric);
                double excess = err - (atol + rtol * Math.Abs(numeric));
                count++;
                if (excess > worst)
                {
                    worst = excess;
                    report = new GradCheckReport(excess <= 0, k, i, analytic[i], numeric, err, 0)
                    {
                        Position = Unravel(i, x.Layout.Shape),
                        InputShape = x.Layout.Shape,
                    };
                }
            }
        }
        return report with { Checked = count };
    }

    static int[] Unravel(int flat, int[] shape)
    {
        var position = new int[shape.Length];
        for (int d = shape.Length - 1; d >= 0; d--) { position[d] = flat % shape[d]; flat /= shape[d]; }
        return position;
    }

    /// <summary>Runs the check and throws with the report when it fails.</summary>
    public static void Assert(Func<Tensor[], Tensor> f, params Tensor[] inputs)
    {
        var r = Run(f, inputs);
        if (!r.Passed) throw new InvalidOperationException("GradCheck " + r);
    }
}
