namespace Spike.Nn;

/// <summary>What <see cref="SurrogateCheck.CheckManualGrad"/> found: the worst point of the grid.</summary>
public sealed record SurrogateCheckReport(bool Passed, double X, double Manual, double Autograd, double AbsError, int Checked);

/// <summary>Compares a surrogate's hand-written derivative g'(x) with autograd of its primitive g(x), in Float64
/// (SpikingJelly's <c>check_manual_grad</c>).</summary>
public static class SurrogateCheck
{
    /// <summary>Evaluates both on linspace(lo, hi, count) and reports the largest |g'_manual − g'_autograd|.</summary>
    public static SurrogateCheckReport CheckManualGrad(Surrogate s, double lo = -3, double hi = 3, int count = 601, double atol = 1e-6)
    {
        var x = Tensor.Linspace(lo, hi, count, DType.Float64).RequiresGrad_();
        s.Primitive(x).Sum().Backward();
        var auto = x.Grad!.ToArray<double>();
        var xs = x.ToArray<double>();
        var report = new SurrogateCheckReport(true, double.NaN, 0, 0, 0, count);
        double worst = -1;
        for (int i = 0; i < count; i++)
        {
            double manual = s.Derivative(xs[i]), err = Math.Abs(manual - auto[i]);
            if (err > worst) { worst = err; report = report with { X = xs[i], Manual = manual, Autograd = auto[i], AbsError = err }; }
        }
        return report with { Passed = worst <= atol };
    }
}
