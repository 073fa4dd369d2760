using FluentAssertions;
using NUnit.Framework;

namespace Spike.Tests.NnOps;

using static TestUtil;

public class LossTests
{
    static double[] D(Tensor t) => Raw.ToDType(t, DType.Float64).ToArray<double>();

    /// <summary>Per-position cross-entropy straight from the definition: log p_c = z_c − ln Σ e^{z}.</summary>
    static double[] CeReference(double[] z, int n, int c, int s, Func<int, int, double> y)
    {
        var loss = new double[n * s];
        for (int i = 0; i < n; i++)
            for (int k = 0; k < s; k++)
            {
                double sumExp = 0;
                for (int j = 0; j < c; j++) sumExp += Math.Exp(z[(i * c + j) * s + k]);
                for (int j = 0; j < c; j++) loss[i * s + k] -= y(i * s + k, j) * (z[(i * c + j) * s + k] - Math.Log(sumExp));
            }
        return loss;
    }

    static Func<int, int, double> Smoothed(long[] t, int c, double eps, long ignore = -100) =>
        (q, j) => t[q] == ignore ? 0 : (1 - eps) * (t[q] == j ? 1 : 0) + eps / c;

    [Test]
    public void CrossEntropyClassTargetsMatchDirectLoops([Values(0.0, 0.2)] double eps)
    {
        foreach (var shape in new[] { new[] { 5, 4 }, [3, 4, 2, 3] })
        {
            int n = shape[0], c = shape[1], s = Layout.NumelOf(shape) / (n * c);
            var z = RandomF64(c + s, shape);
            var t = Enumerable.Range(0, n * s).Select(i => (long)(i * 7 % c)).ToArray();
            t[1] = -100; // ignored
            var target = Tensor.FromArray(t, [n, .. shape[2..]]);
            var reference = CeReference(D(z), n, c, s, Smoothed(t, c, eps));
            var none = z.CrossEntropy(target, Reduction.None, eps);
            none.Shape.Should().Equal([n, .. shape[2..]]);
            D(none).ShouldBeClose(reference);
            z.CrossEntropy(target, Reduction.Sum, eps).Item().Should().BeApproximately(reference.Sum(), 1e-12);
            z.CrossEntropy(target, labelSmoothing: eps).Item().Should().BeApproximately(reference.Sum() / (n * s - 1), 1e-12);
            // Float32 logits.
            D(Raw.ToDType(z, DType.Float32).CrossEntropy(target, Reduction.None, eps)).ShouldBeClose(reference, 1e-6);
            foreach (var r in new[] { Reduction.Mean, Reduction.Sum, Reduction.None })
                CheckGrad(x => x[0].CrossEntropy(target, r, eps), RandomF64(c * s + 1, shape));
        }
    }

    [Test]
    public void CrossEntropyGradientIsSoftmaxMinusSmoothedOneHot()
    {
        // Independent route: log-softmax composed from differentiable ops, then −Σ y·log p.
        int n = 4, c = 5;
        var zv = RandomF64(3, n, c);
        var t = new long[] { 0, 4, 2, 2 };
        double eps = 0.1;
        var y = Tensor.FromArray(Enumerable.Range(0, n * c).Select(i => Smoothed(t, c, eps)(i / c, i % c)).ToArray(), n, c);
        var z1 = Raw.Clone(zv).RequiresGrad_();
        z1.CrossEntropy(Tensor.FromArray(t), labelSmoothing: eps).Backward();
        var z2 = Raw.Clone(zv).RequiresGrad_();
        var logp = z2 - z2.Exp().Sum(1, keepDim: true).Log();
        (-(logp * y).Sum() / n).Backward();
        D(z1.Grad!).ShouldBeClose(D(z2.Grad!), 1e-12);
        // Hand value: z = [0, 0] → loss ln 2, gradient [½ − 1, ½] for target 0.
        var h = F64([0, 0], 1, 2).RequiresGrad_();
        h.CrossEntropy(Tensor.FromArray(new long[] { 0 })).Item().Should().BeApproximately(Math.Log(2), 1e-15);
        h.CrossEntropy(Tensor.FromArray(new long[] { 0 })).Backward();
        D(h.Grad!).ShouldBeClose([-0.5, 0.5]);
    }

    [Test]
    public void CrossEntropyIsStableForHugeLogitsAndHandlesIgnoredAndUnbatched()
    {
        var z = F64([1000, 0, -1000, -1000, 0, 1000], 2, 3);
        var t = Tensor.FromArray(new long[] { 0, 1 });
        D(z.CrossEntropy(t, Reduction.None)).ShouldBeClose([0, 1000]);
        Raw.ToDType(z, DType.Float32).CrossEntropy(t, Reduction.None).ToArray<float>().Should().Equal(0f, 1000f);
        // Every target ignored: the mean is 0/0 = NaN, as PyTorch.
        double.IsNaN(z.CrossEntropy(Tensor.FromArray(new long[] { -100, -100 })).Item()).Should().BeTrue();
        // Row 1 = [−1000, 0, 1000] with target 2 has loss 0 (row 0 ignored); with target 0 it is 2000.
        z.CrossEntropy(Tensor.FromArray(new long[] { 7, 2 }), ignoreIndex: 7).Item().Should().BeApproximately(0, 1e-12);
        z.CrossEntropy(Tensor.FromArray(new long[] { 7, 0 }), ignoreIndex: 7).Item().Should().BeApproximately(2000, 1e-9);
        // Unbatched: logits [C], target 0-d.
        var u = F64([1, 2, 3], 3);
        var loss = u.CrossEntropy(Raw.Reshape(Tensor.FromArray(new long[] { 2 })), Reduction.None);
        loss.Shape.Should().BeEmpty();
        loss.Item().Should().BeApproximately(Math.Log(Math.Exp(1) + Math.Exp(2) + Math.Exp(3)) - 3, 1e-12);
    }

    [Test]
    public void CrossEntropyProbabilityTargets([Values(0.0, 0.3)] double eps)
    {
        foreach (var shape in new[] { new[] { 3, 4 }, [2, 3, 5] })
        {
            int n = shape[0], c = shape[1], s = Layout.NumelOf(shape) / (n * c);
            var z = RandomF64(11, shape);
            var p = Raw.Unary(UnaryOp.Abs, RandomF64(12, shape)); // not normalised on purpose
            var pv = D(p);
            var reference = CeReference(D(z), n, c, s, (q, j) => (1 - eps) * pv[((q / s) * c + j) * s + q % s] + eps / c);
            D(z.CrossEntropy(p, Reduction.None, eps)).ShouldBeClose(reference);
            z.CrossEntropy(p, labelSmoothing: eps).Item().Should().BeApproximately(reference.Average(), 1e-12);
            CheckGrad(x => x[0].CrossEntropy(x[1], Reduction.Mean, eps), RandomF64(13, shape), Raw.Unary(UnaryOp.Abs, RandomF64(14, shape)));
        }
    }

    [Test]
    public void NllLossPicksMinusTheTargetEntry()
    {
        var x = RandomF64(21, 3, 4, 2);
        var t = Tensor.FromArray(new long[] { 0, 3, 1, -100, 2, 2 }, 3, 2);
        var xv = D(x);
        // loss[n, s] = −x[n, t, s]
        var expected = new[] { -xv[0 * 8 + 0 * 2 + 0], -xv[3 * 2 + 1], -xv[8 + 1 * 2], 0, -xv[16 + 2 * 2], -xv[16 + 2 * 2 + 1] };
        D(x.NllLoss(t, Reduction.None)).ShouldBeClose(expected);
        x.NllLoss(t).Item().Should().BeApproximately(expected.Sum() / 5, 1e-12);
        CheckGrad(a => a[0].NllLoss(t), RandomF64(22, 3, 4, 2));
        CheckGrad(a => a[0].NllLoss(Tensor.FromArray(new long[] { 1, 0, 3 }), Reduction.Sum), RandomF64(23, 3, 4));
    }

    [Test]
    public void ClassWeightsScaleEachTermAndTheMeanDivisor([Values(0.0, 0.25)] double eps)
    {
        int n = 5, c = 4;
        var z = RandomF64(61, n, c);
        var t = new long[] { 0, 3, -100, 1, 3 };
        double[] wv = [0.5, 2, 1.5, 3];
        var w = F64(wv, 4);
        var target = Tensor.FromArray(t);
        // PyTorch: −(1 − ε)·w_t·log p_t − ε/C·Σ_j w_j·log p_j; mean ÷ Σ w_t over non-ignored rows.
        var reference = CeReference(D(z), n, c, 1, (q, j) => t[q] == -100 ? 0 : (1 - eps) * wv[j] * (t[q] == j ? 1 : 0) + eps / c * wv[j]);
        double divisor = t.Where(v => v != -100).Sum(v => wv[v]);
        D(z.CrossEntropy(target, Reduction.None, eps, weight: w)).ShouldBeClose(reference);
        z.CrossEntropy(target, labelSmoothing: eps, weight: w).Item().Should().BeApproximately(reference.Sum() / divisor, 1e-12);
        CheckGrad(a => a[0].CrossEntropy(target, Reduction.Mean, eps, weight: w), RandomF64(62, n, c));
        var ts = Tensor.FromArray(new long[] { 0, 3, 1, 2, -100, 0 }, 2, 3);
        CheckGrad(a => a[0].CrossEntropy(ts, Reduction.Sum, eps, weight: w), RandomF64(63, 2, 4, 3));
        // Probability targets: y'_j·w_j, mean over rows.
        var p = Raw.Unary(UnaryOp.Abs, RandomF64(64, n, c));
        var pv = D(p);
        var pref = CeReference(D(z), n, c, 1, (q, j) => ((1 - eps) * pv[q * c + j] + eps / c) * wv[j]);
        z.CrossEntropy(p, labelSmoothing: eps, weight: w).Item().Should().BeApproximately(pref.Average(), 1e-12);
        CheckGrad(a => a[0].CrossEntropy(a[1], Reduction.Mean, eps, weight: w), RandomF64(65, n, c), Raw.Unary(UnaryOp.Abs, RandomF64(66, n, c)));
        // NLL: −w_t·x[t], mean ÷ Σ w_t.
        var x = RandomF64(67, n, c);
        var xv = D(x);
        var nll = t.Select((v, q) => v == -100 ? 0 : -wv[v] * xv[q * c + v]).ToArray();
        D(x.NllLoss(target, Reduction.None, weight: w)).ShouldBeClose(nll);
        x.NllLoss(target, weight: w).Item().Should().BeApproximately(nll.Sum() / divisor, 1e-12);
        CheckGrad(a => a[0].NllLoss(target, weight: w), RandomF64(68, n, c));
        FluentActions.Invoking(() => z.CrossEntropy(target, weight: F64([1, 2], 2))).Should().Throw<ArgumentException>()
            .WithMessage("cross_entropy: weight of shape [2] does not match the 4 classes of input [5, 4]; expected [4]");
    }

    [Test]
    public void MseLossWithReductionsAndBroadcasting()
    {
        var x = RandomF64(31, 3, 4); var y = RandomF64(32, 4);
        var xv = D(x); var yv = D(y);
        var sq = xv.Select((v, i) => (v - yv[i % 4]) * (v - yv[i % 4])).ToArray();
        D(x.MseLoss(y, Reduction.None)).ShouldBeClose(sq);
        x.MseLoss(y).Item().Should().BeApproximately(sq.Average(), 1e-12);
        x.MseLoss(y, Reduction.Sum).Item().Should().BeApproximately(sq.Sum(), 1e-12);
        CheckGrad(a => a[0].MseLoss(a[1]), RandomF64(33, 3, 4), RandomF64(34, 4));
        CheckGrad(a => a[0].MseLoss(a[1], Reduction.None), RandomF64(35, 2, 3), RandomF64(36, 2, 3));
    }

    [Test]
    public void BinaryCrossEntropyOnProbabilities()
    {
        var p = F64([0.2, 0.9, 0.5, 0, 1, 0.7], 2, 3);
        var y = F64([1, 0, 0.5, 1, 1, 0], 2, 3);
        var w = F64([1, 2, 3], 3);
        // −(y ln p + (1 − y) ln(1 − p)); ln 0 is clamped to −100.
        double[] expected = [-Math.Log(0.2), -Math.Log(0.1), Math.Log(2), 100, 0, -Math.Log(0.3)];
        D(p.BinaryCrossEntropy(y, reduction: Reduction.None)).ShouldBeClose(expected);
        p.BinaryCrossEntropy(y, w).Item().Should().BeApproximately(expected.Select((v, i) => v * (i % 3 + 1)).Average(), 1e-12);
        var pin = Raw.Binary(BinaryOp.Add, Raw.Binary(BinaryOp.Mul, Raw.Unary(UnaryOp.Abs, RandomF64(41, 3, 4)), Tensor.Scalar(0.35, DType.Float64)), Tensor.Scalar(0.1, DType.Float64));
        CheckGrad(a => a[0].BinaryCrossEntropy(a[1], w4()), pin, Raw.Unary(UnaryOp.Abs, RandomF64(42, 3, 4)));
        FluentActions.Invoking(() => F64([0.5, 1.5], 2).BinaryCrossEntropy(F64([0, 1], 2))).Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage("binary_cross_entropy: all elements of the input of shape [2] must lie in [0, 1]*");
        static Tensor w4() => F64([0.5, 1, 1.5, 2], 4);
    }

    [Test]
    public void BinaryCrossEntropyWithLogitsIsStableAndMatchesTheDefinition()
    {
        var z = RandomF64(51, 3, 4); var y = Raw.Unary(UnaryOp.Abs, RandomF64(52, 3, 4));
        var pw = F64([1, 2, 0.5, 3], 4); var w = F64([0.5, 1, 2], 3, 1);
        var zv = D(z); var yv = D(y);
        static double Sig(double v) => 1 / (1 + Math.Exp(-v));
        var expected = zv.Select((v, i) => -(new[] { 1, 2, 0.5, 3 }[i % 4] * yv[i] * Math.Log(Sig(v)) + (1 - yv[i]) * Math.Log(1 - Sig(v))) * new[] { 0.5, 1, 2 }[i / 4]).ToArray();
        D(z.BinaryCrossEntropyWithLogits(y, w, pw, Reduction.None)).ShouldBeClose(expected, 1e-12);
        CheckGrad(a => a[0].BinaryCrossEntropyWithLogits(a[1], w, pw), RandomF64(53, 3, 4), Raw.Unary(UnaryOp.Abs, RandomF64(54, 3, 4)));
        CheckGrad(a => a[0].BinaryCrossEntropyWithLogits(a[1], reduction: Reduction.Sum), RandomF64(55, 2, 3), RandomF64(56, 2, 3));
        // z = ±1000: softplus(−z) is computed as ln(1 + e^{−|z|}) + max(−z, 0), never e^{1000}.
        D(F64([1000, -1000, 1000], 3).BinaryCrossEntropyWithLogits(F64([1, 0, 0], 3), reduction: Reduction.None)).ShouldBeClose([0, 0, 1000]);
        var big = F64([1000, -1000], 2).RequiresGrad_();
        big.BinaryCrossEntropyWithLogits(F64([0, 1], 2), reduction: Reduction.Sum).Backward();
        D(big.Grad!).ShouldBeClose([1, -1]);
    }

    [Test]
    public void BadArgumentsNameTheOpAndShapes()
    {
        var z = Tensor.Zeros(2, 3);
        FluentActions.Invoking(() => z.CrossEntropy(Tensor.FromArray(new long[] { 0, 5 }))).Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage("cross_entropy: target 5 at position 1 is out of bounds for 3 classes*");
        FluentActions.Invoking(() => z.CrossEntropy(Tensor.FromArray(new long[] { 0, 1, 2 }))).Should().Throw<ArgumentException>()
            .WithMessage("cross_entropy: target of shape [3] does not match input of shape [2, 3]; expected [2]");
        FluentActions.Invoking(() => z.CrossEntropy(Tensor.Zeros(2, 4))).Should().Throw<ArgumentException>()
            .WithMessage("cross_entropy: probability target of shape [2, 4] must match input of shape [2, 3]");
        FluentActions.Invoking(() => z.NllLoss(Tensor.FromArray(new long[] { -1, 0 }))).Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage("nll_loss: target -1 at position 0 is out of bounds for 3 classes*");
        FluentActions.Invoking(() => z.BinaryCrossEntropyWithLogits(Tensor.Zeros(3, 2))).Should().Throw<ArgumentException>()
            .WithMessage("binary_cross_entropy_with_logits: target of shape [3, 2] must match input of shape [2, 3]");
        FluentActions.Invoking(() => z.BinaryCrossEntropy(Tensor.Zeros(2, 3), Tensor.Ones(4))).Should().Throw<ArgumentException>()
            .WithMessage("binary_cross_entropy*[4]*");
        FluentActions.Invoking(() => z.CrossEntropy(Tensor.FromArray(new long[] { 0, 1 }), labelSmoothing: 2)).Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage("cross_entropy: label smoothing 2 must be in [0, 1]*");
    }
}
