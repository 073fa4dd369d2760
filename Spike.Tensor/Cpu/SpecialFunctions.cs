using System.Runtime.Intrinsics;

namespace Spike.Cpu;

/// <summary>Special functions .NET lacks, accurate to a few ulps of double: a scalar face and a Vector256 face that
/// runs the same series and continued fraction in every lane.</summary>
public static class SpecialFunctions
{
    const double TwoOverSqrtPi = 1.1283791670955126;
    const double OneOverSqrtPi = 0.5641895835477563;
    /// <summary>Where erf switches from the series to the continued fraction of erfc.</summary>
    const double Split = 3;
    /// <summary>erfc underflows to 0 beyond this.</summary>
    const double Underflow = 27;
    const int FractionTerms = 60;

    /// <summary>erf(x). |x| &lt; 3: erf(x) = 2/√π·e^(−x²)·Σ 2ⁿx^(2n+1)/(1·3·…·(2n+1)), a series of positive
    /// terms (no cancellation); beyond, 1 − erfc(x) from the continued fraction.</summary>
    public static double Erf(double x)
    {
        if (double.IsNaN(x)) return x;
        double ax = Math.Abs(x);
        if (ax >= Split) return Math.CopySign(1 - ErfcLarge(ax), x);
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
        if (x >= Split) return ErfcLarge(x);
        if (x <= -Split) return 2 - ErfcLarge(-x);
        return 1 - Erf(x);
    }

    /// <summary>erfc(x) = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))) for x ≥ 3, evaluated backwards.</summary>
    static double ErfcLarge(double x)
    {
        if (x > Underflow) return 0;
        double k = x;
        for (int n = FractionTerms; n >= 1; n--) k = x + n * 0.5 / k;
        return Math.Exp(-x * x) * OneOverSqrtPi / k;
    }

    // ---- Vector256 faces: lanes take the scalar branches; a branch no lane needs is skipped ----------------------

    /// <summary>erf of each lane (NaN stays NaN).</summary>
    public static Vector256<double> Erf(Vector256<double> x)
    {
        var ax = Vector256.Abs(x);
        var large = Vector256.GreaterThanOrEqual(ax, Vector256.Create(Split));
        var result = Series(Vector256.ConditionalSelect(large, Vector256<double>.Zero, x));
        if (large != Vector256<double>.Zero)
        {
            var tail = Vector256.CopySign(Vector256<double>.One - ErfcLarge(Vector256.Max(ax, Vector256.Create(Split))), x);
            result = Vector256.ConditionalSelect(large, tail, result);
        }
        return result;
    }

    /// <summary>erfc of each lane: the continued fraction for |x| ≥ 3 (2 − it for x ≤ −3), 1 − erf(x) inside.</summary>
    public static Vector256<double> Erfc(Vector256<double> x)
    {
        var ax = Vector256.Abs(x);
        var large = Vector256.GreaterThanOrEqual(ax, Vector256.Create(Split));
        var result = Vector256<double>.One - Series(Vector256.ConditionalSelect(large, Vector256<double>.Zero, x));
        if (large != Vector256<double>.Zero)
        {
            var right = ErfcLarge(Vector256.Max(ax, Vector256.Create(Split)));
            var tail = Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256<double>.Zero), Vector256.Create(2.0) - right, right);
            result = Vector256.ConditionalSelect(large, tail, result);
        }
        return result;
    }

    /// <summary>1/(2n + 1): the vector series multiplies where the scalar one divides (a last-bit difference).</summary>
    static readonly double[] InverseOdd = [.. Enumerable.Range(0, 200).Select(n => 1.0 / (2 * n + 1))];

    /// <summary>The series face of <see cref="Erf(double)"/> for |x| &lt; 3; a lane stops adding terms once its own
    /// term is negligible, as the scalar loop does.</summary>
    static Vector256<double> Series(Vector256<double> x)
    {
        var x2 = x * x;
        var twoX2 = x2 + x2;
        Vector256<double> term = x, sum = x;
        var tiny = Vector256.Create(1e-17);
        for (int n = 1; n < InverseOdd.Length; n++)
        {
            var active = Vector256.GreaterThan(Vector256.Abs(term), tiny * Vector256.Abs(sum));
            if (active == Vector256<double>.Zero) break;
            var next = term * (twoX2 * Vector256.Create(InverseOdd[n]));
            term = Vector256.ConditionalSelect(active, next, term);
            sum = Vector256.ConditionalSelect(active, sum + next, sum);
        }
        return Vector256.Create(TwoOverSqrtPi) * Vector256.Exp(-x2) * sum;
    }

    /// <summary>The continued-fraction face of ErfcLarge for lanes with x ≥ 3.</summary>
    static Vector256<double> ErfcLarge(Vector256<double> x)
    {
        var k = x;
        for (int n = FractionTerms; n >= 1; n--) k = x + Vector256.Create(n * 0.5) / k;
        var value = Vector256.Exp(-(x * x)) * Vector256.Create(OneOverSqrtPi) / k;
        return Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256.Create(Underflow)), Vector256<double>.Zero, value);
    }
}
