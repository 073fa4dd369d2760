using FluentAssertions;

namespace Spike.Tests;

internal static class TestUtil
{
    public static Tensor F64(double[] data, params int[] shape) => Tensor.FromArray(data, shape);

    /// <summary>Deterministic values in [-2, 2), avoiding exact zeros.</summary>
    public static double[] Values(int n, int seed = 1)
    {
        var r = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => Math.Round(r.NextDouble() * 4 - 2, 3) + 0.0005).ToArray();
    }

    public static Tensor RandomF64(int seed, params int[] shape) => Tensor.FromArray(Values(Layout.NumelOf(shape), seed), shape);

    public static void ShouldBeClose(this double[] actual, double[] expected, double tol = 1e-12)
    {
        actual.Length.Should().Be(expected.Length);
        for (int i = 0; i < actual.Length; i++)
            actual[i].Should().BeApproximately(expected[i], tol + tol * Math.Abs(expected[i]), $"element {i}");
    }

    public static void ShouldBeClose(this float[] actual, float[] expected, float tol = 1e-6f)
    {
        actual.Length.Should().Be(expected.Length);
        for (int i = 0; i < actual.Length; i++)
            actual[i].Should().BeApproximately(expected[i], tol + tol * Math.Abs(expected[i]), $"element {i}");
    }

    /// <summary>Runs GradCheck and fails the test with its report.</summary>
    public static void CheckGrad(Func<Tensor[], Tensor> f, params Tensor[] inputs)
    {
        foreach (var x in inputs) if (x.DType == DType.Float64) x.RequiresGrad = true;
        var report = GradCheck.Run(f, inputs);
        report.Passed.Should().BeTrue(report.ToString());
        report.Checked.Should().BeGreaterThan(0);
    }
}
