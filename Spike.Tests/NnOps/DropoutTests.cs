using FluentAssertions;
using NUnit.Framework;

namespace Spike.Tests.NnOps;

using static TestUtil;

public class DropoutTests
{
    /// <summary>Element i keeps when Philox's 24-bit uniform at counter offset + i is below 1 − p.</summary>
    static double[] ExpectedMask(int n, double p, ulong seed, ulong offset) =>
        Enumerable.Range(0, n).Select(i => Philox.UniformFloat(seed, offset + (ulong)i) < 1 - p ? 1 / (1 - p) : 0).ToArray();

    [Test]
    public void MaskComesFromPhiloxCountersAndMatchesBernoulli()
    {
        var gen = new Generator(42);
        gen.Offset = 100;
        var mask = Tensor.DropoutMask([3, 5, 7], 0.3, gen, DType.Float64);
        mask.Shape.Should().Equal(3, 5, 7);
        mask.ToArray<double>().Should().Equal(ExpectedMask(105, 0.3, 42, 100));
        gen.Offset.Should().Be(205);
        // Same counters as Tensor.Bernoulli(1 − p), scaled.
        var bern = Tensor.Bernoulli([3, 5, 7], 0.7, new Generator(42) { Offset = 100 }, DType.Float64);
        mask.ToArray<double>().Should().Equal(bern.ToArray<double>().Select(v => v / 0.7));
        // Over many draws the kept fraction is 1 − p (binomial sd ≈ 0.0015 for 1e5 draws).
        var big = Tensor.DropoutMask([100_000], 0.25, new Generator(1));
        big.ToArray<float>().Count(v => v != 0).Should().BeInRange(74_500, 75_500);
        big.ToArray<float>().Where(v => v != 0).Distinct().Should().Equal(1 / 0.75f);
        // Threads split the large mask; every element still uses its own counter.
        Close.All(big.ToArray<float>(), ExpectedMask(100_000, 0.25, 1, 0).Select(v => (double)(float)v).ToArray(), 0);
    }

    [Test]
    public void DropoutScalesKeptValuesAndBackpropagatesTheMask()
    {
        var x = RandomF64(1, 4, 6).RequiresGrad_();
        var y = x.Dropout(0.4, generator: new Generator(9));
        var mask = ExpectedMask(24, 0.4, 9, 0);
        var xv = x.ToArray<double>();
        y.ToArray<double>().ShouldBeClose(xv.Select((v, i) => v * mask[i]).ToArray());
        y.Backward(Tensor.OnesLike(y));
        x.Grad!.ToArray<double>().ShouldBeClose(mask);
        CheckGrad(t => t[0].Dropout(0.5, generator: new Generator(3)), RandomF64(2, 3, 4));
    }

    [Test]
    public void IdentityWhenNotTrainingOrPZeroAndZerosWhenPOne()
    {
        var x = RandomF64(3, 2, 3);
        x.Dropout(0.5, training: false).Should().BeSameAs(x);
        x.Dropout(0).Should().BeSameAs(x);
        var x4 = RandomF64(3, 1, 2, 3, 3);
        x4.Dropout2d(0.5, training: false).Should().BeSameAs(x4);
        x.Dropout(1).ToArray<double>().Should().OnlyContain(v => v == 0);
    }

    [Test]
    public void Dropout2dZeroesWholeChannelsWithOneDrawEach()
    {
        var x = RandomF64(4, 3, 4, 5, 6) + 10; // no zeros in x
        var gen = new Generator(17);
        var y = x.Dropout2d(0.5, generator: gen);
        gen.Offset.Should().Be(12, "one counter per (n, c)");
        var mask = ExpectedMask(12, 0.5, 17, 0);
        var xv = x.ToArray<double>(); var yv = y.ToArray<double>();
        for (int i = 0; i < yv.Length; i++) yv[i].Should().BeApproximately(xv[i] * mask[i / 30], 1e-12);
        mask.Should().Contain(0).And.Contain(2);
        // Unbatched [C, H, W]: one draw per channel.
        var y3 = RandomF64(5, 4, 2, 2).Dropout2d(0.5, generator: new Generator(2));
        var m3 = ExpectedMask(4, 0.5, 2, 0);
        var x3 = RandomF64(5, 4, 2, 2).ToArray<double>();
        y3.ToArray<double>().ShouldBeClose(x3.Select((v, i) => v * m3[i / 4]).ToArray());
        CheckGrad(t => t[0].Dropout2d(0.5, generator: new Generator(4)), RandomF64(6, 2, 3, 2, 2));
        CheckGrad(t => t[0].Dropout1d(0.5, generator: new Generator(4)), RandomF64(6, 2, 3, 4));
    }

    [Test]
    public void OneMaskSharedOverTimeSteps()
    {
        // SpikingJelly's layer.Dropout draws one mask for the whole sequence [T, N, F] and reuses it at every step.
        var seq = RandomF64(7, 4, 2, 5);
        var mask = Tensor.DropoutMask([2, 5], 0.3, new Generator(8), DType.Float64);
        var xs = seq.RequiresGrad_();
        var outs = Enumerable.Range(0, 4).Select(t => xs.Select(0, t).ApplyDropoutMask(mask)).ToArray();
        var m = mask.ToArray<double>();
        for (int t = 0; t < 4; t++)
            outs[t].ToArray<double>().ShouldBeClose(Raw.Select(seq, 0, t).ToArray<double>().Select((v, i) => v * m[i]).ToArray());
        // Broadcasting the mask over T in one call gives the same gradient.
        var y = xs.ApplyDropoutMask(mask);
        y.Backward(Tensor.OnesLike(y));
        xs.Grad!.ToArray<double>().ShouldBeClose(Enumerable.Range(0, 40).Select(i => m[i % 10]).ToArray());
    }

    [Test]
    public void BadArgumentsNameTheOp()
    {
        FluentActions.Invoking(() => Tensor.Zeros(3).Dropout(1.5)).Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage("dropout: probability p = 1.5 must be in [0, 1]*");
        FluentActions.Invoking(() => Tensor.Zeros(2, 3).Dropout2d(0.5)).Should().Throw<ArgumentException>()
            .WithMessage("dropout2d: expects a 3-D or 4-D input ([C, ...] or [N, C, ...]), got shape [2, 3]");
        FluentActions.Invoking(() => Tensor.Zeros([2, 3], DType.Int64).Dropout(0.5)).Should().Throw<ArgumentException>()
            .WithMessage("dropout: expects a Float32 or Float64 input, got Int64 of shape [2, 3]");
        FluentActions.Invoking(() => Tensor.DropoutMask([2], 0.5, dtype: DType.Int32)).Should().Throw<ArgumentException>()
            .WithMessage("dropout: the mask must be Float32 or Float64, got Int32 for shape [2]");
    }
}
