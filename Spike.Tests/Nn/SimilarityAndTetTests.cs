using FluentAssertions;
using NUnit.Framework;
using Spike.Nn;

namespace Spike.Tests.Nn;

/// <summary>Kernel dot products, the spike similarity loss and the TET loss against Float64 loops; gradient checks.</summary>
public sealed class SimilarityAndTetTests
{
    static double Dot(double[] a, int i, double[] b, int j, int m) => Enumerable.Range(0, m).Sum(k => a[i * m + k] * b[j * m + k]);

    [TestCase(DotKernel.Linear, null)]
    [TestCase(DotKernel.Polynomial, 3.0)]
    [TestCase(DotKernel.Sigmoid, 0.7)]
    [TestCase(DotKernel.Gaussian, 1.5)]
    public void KernelDotProductMatchesItsFormula(DotKernel kernel, double? arg)
    {
        var x = TestUtil.RandomF64(1, 3, 4);
        var y = TestUtil.RandomF64(2, 2, 4);
        var got = Functional.KernelDotProduct(x, y, kernel, arg).ToArray<double>();
        var (xs, ys) = (x.ToArray<double>(), y.ToArray<double>());
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 2; j++)
            {
                double xy = Dot(xs, i, ys, j, 4);
                double d2 = Enumerable.Range(0, 4).Sum(k => Math.Pow(xs[i * 4 + k] - ys[j * 4 + k], 2));
                double expected = kernel switch
                {
                    DotKernel.Linear => xy,
                    DotKernel.Polynomial => Math.Pow(xy, 3),
                    DotKernel.Sigmoid => 1 / (1 + Math.Exp(-0.7 * xy)),
                    _ => Math.Exp(-d2 / (2 * 1.5 * 1.5)),
                };
                got[i * 2 + j].Should().BeApproximately(expected, 1e-10 * (1 + Math.Abs(expected)));
            }
        TestUtil.CheckGrad(a => Functional.KernelDotProduct(a[0], a[1], kernel, arg), TestUtil.RandomF64(3, 3, 4), TestUtil.RandomF64(4, 2, 4));
    }

    [Test]
    public void KernelDotProductNeedsItsArgumentAndMatchingWidths()
    {
        FluentActions.Invoking(() => Functional.KernelDotProduct(Tensor.Zeros(2, 3), Tensor.Zeros(2, 3), DotKernel.Gaussian))
            .Should().Throw<ArgumentException>().WithMessage("*Gaussian kernel needs*");
        FluentActions.Invoking(() => Functional.KernelDotProduct(Tensor.Zeros(2, 3), Tensor.Zeros(2, 4)))
            .Should().Throw<ArgumentException>().WithMessage("*kernel_dot_product*[2, 3]*[2, 4]*");
    }

    [Test]
    public void SpikeSimilarLossComparesNormalisedSimilarityWithSharedLabels()
    {
        // Three samples, spikes [3, 2, 2]; samples 0 and 2 share class 1.
        var spikes = Tensor.FromArray(new[] { 1.0, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0, 0 }, 3, 2, 2);
        var labels = Tensor.FromArray(new[] { 0.0, 1, 1, 0, 0, 1 }, 3, 2);
        var s = spikes.ToArray<double>();
        double mse = 0, l1 = 0;
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
            {
                double p = Dot(s, i, s, j, 4) / (Math.Sqrt(Dot(s, i, s, i, 4)) * Math.Sqrt(Dot(s, j, s, j, 4)) + 1e-8);
                double y = i == j || i + j == 2 && i != 1 ? 1 : 0;
                mse += (p - y) * (p - y) / 9;
                l1 += Math.Abs(p - y) / 9;
            }
        Functional.SpikeSimilarLoss(spikes, labels).Item().Should().BeApproximately(mse, 1e-10);
        Functional.SpikeSimilarLoss(spikes, labels, loss: SimilarityLoss.L1).Item().Should().BeApproximately(l1, 1e-10);
        // Smooth kernels and the MSE are differentiable everywhere; the normalised linear kernel too for non-zero rows.
        TestUtil.CheckGrad(a => Functional.SpikeSimilarLoss(a[0], labels, DotKernel.Gaussian, SimilarityLoss.Mse, 2.0), TestUtil.RandomF64(5, 3, 4));
        TestUtil.CheckGrad(a => Functional.SpikeSimilarLoss(a[0], labels, DotKernel.Sigmoid, SimilarityLoss.Bce, 0.5), TestUtil.RandomF64(6, 3, 4));
        TestUtil.CheckGrad(a => Functional.SpikeSimilarLoss(a[0], labels), TestUtil.RandomF64(7, 3, 4));
        // An all-zero sample: finite gradients (the norm's subgradient at 0 is 0, as torch's).
        var zero = Tensor.FromArray(new[] { 0.0, 0, 0, 0, 0, 1, 1, 0, 1, 1, 0, 0 }, 3, 2, 2).RequiresGrad_();
        Functional.SpikeSimilarLoss(zero, labels).Backward();
        zero.Grad!.ToArray<double>().Should().OnlyContain(v => double.IsFinite(v));
    }

    [Test]
    public void TetLossIsTheMeanOverTimeOfEachStepsCrossEntropy()
    {
        var x = TestUtil.RandomF64(8, 4, 3, 5, 2);   // [T, N, C, d]
        var target = Tensor.FromArray(new long[] { 0, 4, 2, 1, 3, 3 }, 3, 2);
        var tet = Functional.TemporalEfficientTrainingCrossEntropy(x, target).Item();
        var xs = x.ToArray<double>();
        var ts = target.ToArray<long>();
        double sum = 0;
        for (int t = 0; t < 4; t++)
            for (int n = 0; n < 3; n++)
                for (int d = 0; d < 2; d++)
                {
                    double Z(int c) => xs[((t * 3 + n) * 5 + c) * 2 + d];
                    double lse = Math.Log(Enumerable.Range(0, 5).Sum(c => Math.Exp(Z(c))));
                    sum += lse - Z((int)ts[n * 2 + d]);
                }
        tet.Should().BeApproximately(sum / (4 * 3 * 2), 1e-10);
        TestUtil.CheckGrad(a => Functional.TemporalEfficientTrainingCrossEntropy(a[0], Tensor.FromArray(new long[] { 2, 0 }, 2)), TestUtil.RandomF64(9, 3, 2, 4));
        FluentActions.Invoking(() => Functional.TemporalEfficientTrainingCrossEntropy(Tensor.Zeros(4, 3, 5), Tensor.FromArray(new long[] { 1, 2 }, 2)))
            .Should().Throw<ArgumentException>().WithMessage("*temporal_efficient_training_cross_entropy*[4, 3, 5]*[2]*");
    }

    [Test]
    public void SpikeMseLossEqualsTheMseOnSpikesWithItsOwnSpikeGradient()
    {
        var x = TestUtil.RandomF64(13, 3, 4).RequiresGrad_();
        var s = Tensor.FromArray(new[] { 1.0, 0, 0, 1, 1, 1, 0, 0, 1, 0, 1, 0 }, 3, 4).RequiresGrad_();
        var loss = Functional.SpikeMseLoss(x, s);
        var (xs, ss) = (x.ToArray<double>(), s.ToArray<double>());
        loss.Item().Should().BeApproximately(xs.Zip(ss, (a, b) => (a - b) * (a - b)).Average(), 1e-12);
        loss.Backward();
        var gx = x.Grad!.ToArray<double>();
        var gs = s.Grad!.ToArray<double>();
        for (int i = 0; i < 12; i++)
        {
            gx[i].Should().BeApproximately(2 * (xs[i] - ss[i]) / 12, 1e-12);
            gs[i].Should().BeApproximately((1 - 2 * xs[i]) / 12, 1e-12);   // not the plain MSE's 2(s − x)/n
        }
        TestUtil.CheckGrad(a => Functional.SpikeMseLoss(a[0], s.Detach()), TestUtil.RandomF64(14, 3, 4));
        var bools = Tensor.FromArray(new[] { true, false, true }, 3);
        Functional.SpikeMseLoss(Tensor.FromArray(new[] { 0.5f, 0.25f, 1f }, 3), bools).Item().Should().BeApproximately((0.25 + 0.0625 + 0) / 3, 1e-7);
        FluentActions.Invoking(() => Functional.SpikeMseLoss(Tensor.Zeros(2, 3), Tensor.Zeros(3, 2)))
            .Should().Throw<ArgumentException>().WithMessage("*spike_mse_loss*[2, 3]*[3, 2]*");
    }

    [Test]
    public void KaimingNormalReinitialisesConvAndLinearWeightsOnly()
    {
        var net = new Sequential(new Conv2d(8, 16, 3, generator: new Generator(10)), new Flatten(), new Linear(400, 300, generator: new Generator(11)));
        var biasBefore = ((Linear)net[2]).Bias!.ToArray<float>();
        Functional.KaimingNormalConvLinearWeight(net, new Generator(12));
        foreach (var (w, fanIn) in new[] { (((Conv2d)net[0]).Weight, 72), (((Linear)net[2]).Weight, 400) })
        {
            var v = w.ToArray<float>();
            double mean = v.Average(x => (double)x), std = Math.Sqrt(v.Average(x => (x - mean) * (x - mean)));
            std.Should().BeApproximately(Math.Sqrt(2.0 / fanIn), 0.05 * Math.Sqrt(2.0 / fanIn));
            Math.Abs(mean).Should().BeLessThan(5 * std / Math.Sqrt(v.Length));
        }
        ((Linear)net[2]).Bias!.ToArray<float>().Should().Equal(biasBefore);
        var again = new Sequential(new Conv2d(8, 16, 3), new Flatten(), new Linear(400, 300));
        Functional.KaimingNormalConvLinearWeight(again, new Generator(12));
        again.Parameters().First().ToArray<float>().Should().Equal(net.Parameters().First().ToArray<float>(), "seeded");
    }
}
