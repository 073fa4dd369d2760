using FluentAssertions;

namespace Spike.Tests.Layers;

/// <summary>Float64 finite-difference checks of a module's input and parameter gradients (the module converted with To(Float64)).</summary>
internal static class ModuleGradCheck
{
    /// <summary>GradCheck of x ↦ Σ w·m(x), then the same central difference over every element of every parameter of m.</summary>
    public static void Check(Spike.Nn.Module m, Tensor x, Func<Tensor, Tensor>? forward = null)
    {
        m.To(DType.Float64);
        forward ??= m.Forward;
        TestUtil.CheckGrad(a => forward(a[0]), x);
        var w = Tensor.Randn([.. forward(x).Shape], new Generator(3), dtype: DType.Float64);
        double Loss()
        {
            using var _ = Autograd.NoGrad();
            return (forward(x) * w).Sum().Item();
        }
        m.ZeroGrad();
        (forward(x) * w).Sum().Backward();
        foreach (var (name, p) in m.NamedParameters())
        {
            var analytic = p.Grad!.ToArray<double>();
            for (int i = 0; i < p.Numel; i++)
            {
                double orig = p.AsSpan<double>()[i];
                p.AsSpan<double>()[i] = orig + 1e-6;
                double up = Loss();
                p.AsSpan<double>()[i] = orig - 1e-6;
                double down = Loss();
                p.AsSpan<double>()[i] = orig;
                double numeric = (up - down) / 2e-6;
                analytic[i].Should().BeApproximately(numeric, 1e-6 + 1e-4 * Math.Abs(numeric), $"d/d{name}[{i}]");
            }
        }
    }
}
