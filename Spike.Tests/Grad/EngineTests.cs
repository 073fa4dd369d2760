using FluentAssertions;
using NUnit.Framework;

namespace Spike.Tests.Grad;

using static TestUtil;

public class EngineTests
{
    [Test]
    public void GradientsAccumulateWhenATensorIsUsedTwice()
    {
        var x = Tensor.FromArray(new[] { 1.0, 2.0, 3.0 }).RequiresGrad_();
        var y = (x * x + x * 3).Sum(); // dy/dx = 2x + 3
        y.Backward();
        x.Grad!.ToArray<double>().Should().Equal(5, 7, 9);
        // A second backward on a new graph accumulates into Grad.
        (x * 2).Sum().Backward();
        x.Grad!.ToArray<double>().Should().Equal(7, 9, 11);
    }

    [Test]
    public void NoGradDetachAndRetainGrad()
    {
        var x = Tensor.FromArray(new[] { 1.0, 2.0 }).RequiresGrad_();
        using (Spike.Autograd.NoGrad())
        {
            (x * 2).RequiresGrad.Should().BeFalse();
            Spike.Autograd.IsEnabled.Should().BeFalse();
        }
        Spike.Autograd.IsEnabled.Should().BeTrue();
        x.Detach().RequiresGrad.Should().BeFalse();
        var h = x * 3;
        h.RetainGrad();
        (h * h).Sum().Backward();
        h.Grad!.ToArray<double>().Should().Equal(6, 12);
        x.Grad!.ToArray<double>().Should().Equal(18, 36);
        h.IsLeaf.Should().BeFalse();
        h.ToString().Should().Contain("grad_fn=Mul");
    }

    [Test]
    public void EveryGradOwnsItsMemory()
    {
        // Add's backward hands one fresh gradient to both leaves: the first takes it, the second gets a copy.
        var a = Tensor.FromArray(new[] { 1.0, 2.0 }).RequiresGrad_();
        var b = Tensor.FromArray(new[] { 3.0, 4.0 }).RequiresGrad_();
        ((a + b) * 2).Sum().Backward();
        a.Grad!.Storage.Should().NotBeSameAs(b.Grad!.Storage);
        Raw.CopyInto(Tensor.ZerosLike(a), a.Grad!);
        b.Grad!.ToArray<double>().Should().Equal(2, 2);
        // The caller's seed is never taken: editing it afterwards leaves the gradient alone.
        var seed = Tensor.FromArray(new[] { 5.0, 6.0 });
        var x = Tensor.FromArray(new[] { 1.0, 1.0 }).RequiresGrad_();
        x.Backward(seed);
        Raw.CopyInto(Tensor.ZerosLike(seed), seed);
        x.Grad!.ToArray<double>().Should().Equal(5, 6);
        // A retained non-leaf gradient and the leaf gradient it flows into through a view stay apart.
        var y = Tensor.FromArray(new[] { 1.0, 2.0, 3.0, 4.0 }).RequiresGrad_();
        var h = y * 3;
        h.RetainGrad();
        (h.Reshape([2, 2]) * 1).Sum().Backward();
        Raw.CopyInto(Tensor.ZerosLike(h), h.Grad!);
        y.Grad!.ToArray<double>().Should().Equal(3, 3, 3, 3);
    }

    [Test]
    public void BackwardWithSeedAndErrors()
    {
        var x = Tensor.FromArray(new[] { 1.0, 2.0 }).RequiresGrad_();
        var y = x * 2;
        FluentActions.Invoking(() => y.Backward()).Should().Throw<InvalidOperationException>().WithMessage("*non-scalar*[2]*");
        y.Backward(Tensor.FromArray(new[] { 1.0, 10.0 }), retainGraph: true);
        x.Grad!.ToArray<double>().Should().Equal(2, 20);
        y.Backward(Tensor.FromArray(new[] { 1.0, 1.0 }));
        x.Grad!.ToArray<double>().Should().Equal(4, 22);
        FluentActions.Invoking(() => y.Backward(Tensor.FromArray(new[] { 1.0, 1.0 }))).Should().Throw<InvalidOperationException>().WithMessage("*second time*");
        FluentActions.Invoking(() => Tensor.Zeros(2).Backward()).Should().Throw<InvalidOperationException>().WithMessage("*does not require grad*");
        FluentActions.Invoking(() => Tensor.Arange(3).RequiresGrad = true).Should().Throw<InvalidOperationException>().WithMessage("*floating*");
    }

    [Test]
    public void DetachSharesStorageButStopsTheGradient()
    {
        var x = Tensor.FromArray(new[] { 1.0, 2.0, 3.0 }).RequiresGrad_();
        var d = x.Detach();
        d.Storage.Should().BeSameAs(x.Storage);
        d.IsLeaf.Should().BeTrue();
        (x * d).Sum().Backward(); // d/dx (x·c) = c with c = x's values
        x.Grad!.ToArray<double>().Should().Equal(1, 2, 3);
    }

    [Test]
    public void IntegerCastsLeaveTheGraphAndNoGradScopesNest()
    {
        var x = Tensor.FromArray(new[] { 1.5, -2.5 }).RequiresGrad_();
        x.To(DType.Int32).RequiresGrad.Should().BeFalse();
        x.Gt(0).RequiresGrad.Should().BeFalse();
        x.To(DType.Float32).RequiresGrad.Should().BeTrue();
        using (Spike.Autograd.NoGrad())
        {
            using (Spike.Autograd.EnableGrad()) (x * 2).RequiresGrad.Should().BeTrue();
            (x * 2).RequiresGrad.Should().BeFalse();
        }
        (x * 2).GradFn!.Name.Should().Be("Mul");
    }

    sealed class WeightedSum : Function
    {
        Tensor? _a, _b;
        protected override Tensor Forward(Tensor[] inputs) { (_a, _b) = (inputs[0], inputs[1]); return (_a * _b).Sum(); }
        // No gradient for b: a Function may return null for an input.
        protected override Tensor?[] Backward(Tensor g) => [g * _b!, null];
    }

    [Test]
    public void CustomFunctionsMayLeaveAnInputWithoutGradient()
    {
        var a = Tensor.FromArray(new[] { 1.0, 2.0 }).RequiresGrad_();
        var b = Tensor.FromArray(new[] { 3.0, 4.0 }).RequiresGrad_();
        new WeightedSum().Apply(a, b).Backward();
        a.Grad!.ToArray<double>().Should().Equal(3, 4);
        b.Grad.Should().BeNull();
        var f = new WeightedSum();
        f.Apply(a, b);
        FluentActions.Invoking(() => f.Apply(a, b)).Should().Throw<InvalidOperationException>().WithMessage("WeightedSum: a Function instance is applied once*");
    }

    sealed class Cube : Function
    {
        Tensor? _x;
        protected override Tensor Forward(Tensor[] inputs) { _x = inputs[0]; return inputs[0] * inputs[0] * inputs[0]; }
        protected override Tensor?[] Backward(Tensor g) => [g * _x! * _x! * 3];
    }

    [Test]
    public void CustomFunctionsJoinTheGraph()
    {
        var x = Tensor.FromArray(new[] { 1.0, -2.0 }).RequiresGrad_();
        var y = new Cube().Apply(x);
        y.GradFn!.Name.Should().Be("Cube");
        (y.Sum() * 2).Backward();
        x.Grad!.ToArray<double>().Should().Equal(6, 24);
        CheckGrad(t => new Cube().Apply(t[0]), RandomF64(3, 4, 3));
    }

    [Test]
    public void GradCheckReportsAWrongBackward()
    {
        // x² with a missing factor 2. GradCheck differentiates L = Σ w·f(x) for its seeded weights w (Randn, seed 7):
        // analytic w·x against numeric 2w·x, so the worst element is the one with the largest |w·x|.
        var xv = new[] { 0.5, -1.0, 0.25, 3.0, -2.0, 1.5 };
        var x = Tensor.FromArray(xv, 2, 3);
        var w = Tensor.Randn([2, 3], new Generator(7), dtype: DType.Float64).ToArray<double>();
        int worst = Enumerable.Range(0, 6).MaxBy(i => Math.Abs(w[i] * xv[i]) - 1e-4 * Math.Abs(2 * w[i] * xv[i]));
        var report = GradCheck.Run(t => new WrongSquare().Apply(t[0]), [x.RequiresGrad_()]);
        report.Passed.Should().BeFalse();
        (report.Input, report.Index, report.Checked).Should().Be((0, worst, 6));
        report.Position.Should().Equal(worst / 3, worst % 3);
        report.Analytic.Should().BeApproximately(w[worst] * xv[worst], 1e-12);
        report.Numeric.Should().BeApproximately(2 * w[worst] * xv[worst], 1e-6);
        report.ToString().Should().Contain("FAILED").And.Contain("shape [2, 3]").And.Contain($"index [{worst / 3}, {worst % 3}]");
        GradCheck.Run(t => t[0] * t[0], [x]).Passed.Should().BeTrue();
        FluentActions.Invoking(() => GradCheck.Assert(t => new WrongSquare().Apply(t[0]), x)).Should().Throw<InvalidOperationException>()
            .WithMessage($"GradCheck FAILED*index [{worst / 3}, {worst % 3}]*");
    }

    sealed class WrongSquare : Function
    {
        Tensor? _x;
        protected override Tensor Forward(Tensor[] inputs) { _x = inputs[0]; return inputs[0] * inputs[0]; }
        protected override Tensor?[] Backward(Tensor g) => [g * _x!]; // missing factor 2
    }
}
