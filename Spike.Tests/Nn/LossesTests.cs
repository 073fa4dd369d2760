using FluentAssertions;
using NUnit.Framework;
using Spike.Nn;

namespace Spike.Tests.Nn;

/// <summary>Each loss on inputs whose value and gradient are derived by hand in the comments.</summary>
public sealed class LossesTests
{
    static (double Loss, double[] Grad) Run(Func<Tensor, Tensor> loss, double[] x, params int[] shape)
    {
        var t = Tensor.FromArray(x, shape).RequiresGrad_();
        var l = loss(t);
        l.Backward();
        return (l.Item(), t.Grad!.ToArray<double>());
    }

    [Test]
    public void MseAndL1()
    {
        var y = Tensor.FromArray(new[] { 0.0, 2, 5 });
        // (1² + 0² + 2²)/3 = 5/3; d/dx = 2(x − y)/3.
        var (mse, gm) = Run(x => Losses.Mse(x, y), [1, 2, 3], 3);
        mse.Should().BeApproximately(5.0 / 3, 1e-12);
        gm.ShouldBeClose([2.0 / 3, 0, -4.0 / 3]);
        // (|1| + 0 + |−2|)/3 = 1; d/dx = sign(x − y)/3, 0 where x = y.
        var (l1, gl) = Run(x => Losses.L1(x, y), [1, 2, 3], 3);
        l1.Should().BeApproximately(1, 1e-12);
        gl.ShouldBeClose([1.0 / 3, 0, -1.0 / 3]);
        Run(x => Losses.L1(x, y, Reduction.Sum), [1, 2, 3], 3).Loss.Should().BeApproximately(3, 1e-12);
        Losses.L1(Tensor.FromArray(new[] { 1.0, 2 }), Tensor.FromArray(new[] { 0.0, 4 }), Reduction.None).ToArray<double>().Should().Equal(1, 2);
    }

    [Test]
    public void CrossEntropyWithClassIndicesAndWithProbabilities()
    {
        // z = (0, ln 3): softmax = (1/4, 3/4). Class 1: loss = −ln(3/4), d/dz = softmax − onehot = (1/4, −1/4).
        var (ce, g) = Run(z => Losses.CrossEntropy(z, Tensor.FromArray(new long[] { 1 })), [0, Math.Log(3)], 1, 2);
        ce.Should().BeApproximately(Math.Log(4.0 / 3), 1e-12);
        g.ShouldBeClose([0.25, -0.25]);
        // Probabilities (1/2, 1/2): loss = −½ln(1/4) − ½ln(3/4), d/dz = softmax − y = (−1/4, 1/4).
        var (cp, gp) = Run(z => Losses.CrossEntropy(z, Tensor.FromArray(new[] { 0.5, 0.5 }, 1, 2)), [0, Math.Log(3)], 1, 2);
        cp.Should().BeApproximately(0.5 * Math.Log(4) + 0.5 * Math.Log(4.0 / 3), 1e-12);
        gp.ShouldBeClose([-0.25, 0.25]);
    }

    [Test]
    public void BinaryCrossEntropyOnProbabilitiesAndOnLogits()
    {
        var y = Tensor.FromArray(new[] { 1.0, 0 });
        // p = (1/4, 4/5): loss = (−ln ¼ − ln ⅕)/2 = ln 20 / 2; d/dp = (p − y)/(p(1 − p))/2 = (−2, 2.5).
        var (bce, g) = Run(p => Losses.BinaryCrossEntropy(p, y), [0.25, 0.8], 2);
        bce.Should().BeApproximately(Math.Log(20) / 2, 1e-12);
        g.ShouldBeClose([-2, 2.5], 1e-9);
        // z = (0, ln 3): σ = (1/2, 3/4): loss = (−ln ½ − ln ¼)/2 = 1.5·ln 2; d/dz = (σ − y)/2 = (−1/4, 3/8).
        var (bl, gl) = Run(z => Losses.BinaryCrossEntropyWithLogits(z, y), [0, Math.Log(3)], 2);
        bl.Should().BeApproximately(1.5 * Math.Log(2), 1e-12);
        gl.ShouldBeClose([-0.25, 0.375]);
        FluentActions.Invoking(() => Losses.BinaryCrossEntropy(Tensor.FromArray(new[] { 1.5, 0.5 }), y)).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*binary_cross_entropy*[0, 1]*");
    }
}
