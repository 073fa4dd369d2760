using FluentAssertions;

namespace Spike.Tests.NnOps;

/// <summary>One assertion for a large array (per-element FluentAssertions calls dominate the run time otherwise).</summary>
internal static class Close
{
    public static void All(double[] actual, double[] expected, double tol)
    {
        actual.Length.Should().Be(expected.Length);
        int worst = -1;
        double worstExcess = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            double a = actual[i], e = expected[i];
            if (double.IsNaN(a) || double.IsNaN(e))
            {
                if (double.IsNaN(a) != double.IsNaN(e)) { worst = i; break; }
                continue;
            }
            double excess = Math.Abs(a - e) - tol * (1 + Math.Abs(e));
            if (excess > worstExcess) { worstExcess = excess; worst = i; }
        }
        worst.Should().Be(-1, worst < 0 ? "" : $"element {worst} is {actual[worst]:R}, expected {expected[worst]:R} (tolerance {tol})");
    }

    public static void All(float[] actual, double[] expected, double tol) => All(actual.Select(v => (double)v).ToArray(), expected, tol);
}
