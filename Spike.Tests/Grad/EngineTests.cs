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
        var report = GradCheck.Run(t => new WrongSquare().Apply(t[0]), [RandomF64(1, 5).RequiresGrad_()]);
        report.Passed.Should().BeFalse();
        report.ToString().Should().Contain("FAILED").And.Contain("analytic");
    }

    sealed class WrongSquare : Function
    {
        Tensor? _x;
        protected override Tensor Forward(Tensor[] inputs) { _x = inputs[0]; return inputs[0] * inputs[0]; }
        protected override Tensor?[] Backward(Tensor g) => [g * _x!]; // missing factor 2
    }
}
