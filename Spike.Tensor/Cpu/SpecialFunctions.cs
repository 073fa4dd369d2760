namespace Spike.Cpu;

/// <summary>Scalar special functions .NET lacks, accurate to a few ulps of double.</summary>
public static class SpecialFunctions
{
    const double TwoOverSqrtPi = 1.1283791670955126;
    const double OneOverSqrtPi = 0.5641895835477563;

    /// <summary>erf(x). |x| &lt; 3: erf(x) = 2/√π·e^(−x²)·Σ 2ⁿx^(2n+1)/(1·3·…·(2n+1)), a series of positive
    /// terms (no cancellation); beyond, 1 − erfc(x) from the continued fraction.</summary>
    public static double Erf(double x)
    {
        if (double.IsNaN(x)) return x;
        double ax = Math.Abs(x);
        if (ax >= 3) return Math.CopySign(1 - ErfcLarge(ax), x);
        double x2 = x * x, term = x, sum = x;
        for (int n = 1; n < 200 && Math.Abs(term) > 1e-17 * Math.Abs(sum); n++)
        {
            term *= 2 * x2 / (2 * n + 1);
            sum += term;
        }
        return TwoOverSqrtPi * Math.Exp(-x2) * sum;
    }

    /// <summary>erfc(x) = 1 − erf(x), keeping relative accuracy in the right tail.</summary>
    public static double Erfc(double x)
    {
        if (double.IsNaN(x)) return x;
        if (x >= 3) return ErfcLarge(x);
        if (x <= -3) return 2 - ErfcLarge(-x);
        return 1 - Erf(x);
    }

    /// <summary>erfc(x) = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))) for x ≥ 3, evaluated backwards.</summary>
    static double ErfcLarge(double x)
    {
        if (x > 27) return 0;
        double k = x;
        for (int n = 60; n >= 1; n--) k = x + n * 0.5 / k;
        return Math.Exp(-x * x) * OneOverSqrtPi / k;
    }
}
