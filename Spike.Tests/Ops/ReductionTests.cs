using FluentAssertions;
using NUnit.Framework;

namespace Spike.Tests.Ops;

using static TestUtil;

public class ReductionTests
{
    static readonly int[][] AxisSets = [[], [0], [1], [2], [-1], [0, 2], [1, 2], [2, 0], [0, 1, 2]];

    static readonly (string Name, Func<Tensor, int[], bool, Tensor> Op, Func<double[], double> Ref)[] Ops =
    [
        ("sum", (x, a, k) => x.Sum(a, k), v => v.Sum()),
        ("prod", (x, a, k) => x.Prod(a, k), v => v.Aggregate(1.0, (p, e) => p * e)),
        ("amax", (x, a, k) => x.Max(a, k), v => v.Max()),
        ("amin", (x, a, k) => x.Min(a, k), v => v.Min()),
        ("var", (x, a, k) => x.Var(a, keepDim: k), v => Reference.Var(v, 1)),
        ("var0", (x, a, k) => x.Var(a, correction: 0, keepDim: k), v => Reference.Var(v, 0)),
        ("std", (x, a, k) => x.Std(a, keepDim: k), v => Math.Sqrt(Reference.Var(v, 1))),
        ("logsumexp", (x, a, k) => x.LogSumExp(a, k), Reference.LogSumExp),
    ];

    [Test]
    public void ValuesOverEveryAxisSetMatchLoops([Range(0, 7)] int which)
    {
        var (name, op, reference) = Ops[which];
        int[] shape = [3, 4, 5];
        var data = Values(60, which + 10);
        var x = Tensor.FromArray(data, shape);
        foreach (var axes in AxisSets)
            foreach (var keep in new[] { false, true })
            {
                var y = op(x, axes, keep);
                var expected = Reference.ReduceSlices(data, shape, axes, reference);
                var norm = axes.Length == 0 ? [0, 1, 2] : axes.Select(a => (a + 3) % 3).ToArray();
                y.Shape.Should().Equal(Raw.ReducedShape(shape, norm, keep), $"{name} axes [{string.Join(",", axes)}]");
                y.ToArray<double>().ShouldBeClose(expected, 1e-12);
                // A permuted (strided) input: its row-major copy is the reference's data.
                var xt = x.Permute(2, 0, 1);
                var yt = op(xt, norm, keep);
                yt.ToArray<double>().ShouldBeClose(Reference.ReduceSlices(xt.ToArray<double>(), [5, 3, 4], norm, reference), 1e-12);
            }
    }

    [Test]
    public void RowKernelsAtAwkwardLengths()
    {
        // Lengths around the SIMD widths (and 257): SIMD body plus scalar tail must agree with plain loops.
        var empty = Tensor.Zeros([0], DType.Float64);
        empty.Sum().Item().Should().Be(0);
        empty.Prod().Item().Should().Be(1);
        empty.LogSumExp().Item().Should().Be(double.NegativeInfinity);
        foreach (var n in Enumerable.Range(1, 257))
        {
            var v = Reference.Row(n);
            var x64 = Tensor.FromArray(v);
            var x32 = x64.To(DType.Float32);
            x64.Sum().Item().Should().BeApproximately(v.Sum(), 1e-12 * n, $"sum n={n}");
            x64.Max().Item().Should().Be(v.Max(), $"max n={n}");
            x64.Min().Item().Should().Be(v.Min(), $"min n={n}");
            x32.Max().Item().Should().Be((float)v.Max(), $"max f32 n={n}");
            x64.ArgMax().Item<long>().Should().Be(Array.IndexOf(v, v.Max()), $"argmax n={n}");
            x32.ArgMin().Item<long>().Should().Be(Array.IndexOf(v, v.Min()), $"argmin f32 n={n}");
            x64.Var(correction: 0).Item().Should().BeApproximately(Reference.Var(v, 0), 1e-12, $"var n={n}");
            x32.Var(correction: 0).Item().Should().BeApproximately(Reference.Var(v, 0), 1e-5, $"var f32 n={n}");
            x64.LogSumExp().Item().Should().BeApproximately(Reference.LogSumExp(v), 1e-12, $"logsumexp n={n}");
            x32.LogSumExp().Item().Should().BeApproximately(Reference.LogSumExp(v), 1e-5, $"logsumexp f32 n={n}");
            var small = Tensor.FromArray(v.Select(e => 1 + e / 100).ToArray());
            small.Prod().Item().Should().BeApproximately(v.Aggregate(1.0, (p, e) => p * (1 + e / 100)), 1e-12, $"prod n={n}");
            var mask = Tensor.FromArray(v.Select(e => e > 2.5).ToArray());
            mask.Any().Item<bool>().Should().Be(v.Any(e => e > 2.5), $"any n={n}");
            mask.All().Item<bool>().Should().Be(v.All(e => e > 2.5), $"all n={n}");
            Tensor.FromArray(v.Select(e => e > -10).ToArray()).All().Item<bool>().Should().BeTrue();
        }
    }

    [Test]
    public void LeadingAxisReductionsRunByColumnsAtAwkwardWidths()
    {
        // Reducing axis 0 of a contiguous [5, n] tensor folds rows elementwise (no transposing copy).
        foreach (var n in Enumerable.Range(2, 256).Append(5000))
        {
            var data = Enumerable.Range(0, 5).SelectMany(r => Reference.Row(n, r)).ToArray();
            var x = Tensor.FromArray(data, 5, n);
            x.Sum([0]).ToArray<double>().ShouldBeClose(Reference.ReduceSlices(data, [5, n], [0], v => v.Sum()), 1e-14);
            x.Max([0]).ToArray<double>().Should().Equal(Reference.ReduceSlices(data, [5, n], [0], v => v.Max()));
            x.Min([0]).ToArray<double>().Should().Equal(Reference.ReduceSlices(data, [5, n], [0], v => v.Min()));
            x.Prod([0]).ToArray<double>().ShouldBeClose(Reference.ReduceSlices(data, [5, n], [0], v => v.Aggregate(1.0, (p, e) => p * e)), 1e-14);
        }
        // Middle axes of a 4-d tensor, above the parallel threshold, in Float32 and Int32.
        int[] shape = [3, 40, 30, 25];
        var big = Enumerable.Range(0, 90000).Select(i => (double)((i * 37) % 101 - 50)).ToArray();
        var t = Tensor.FromArray(big, shape);
        t.To(DType.Float32).Sum([1, 2]).ToArray<float>().Select(v => (double)v).Should().Equal(Reference.ReduceSlices(big, shape, [1, 2], v => v.Sum()));
        t.To(DType.Int32).Max([1]).ToArray<int>().Select(v => (double)v).Should().Equal(Reference.ReduceSlices(big, shape, [1], v => v.Max()));
        // NaN propagates in the column fold too; an empty reduced block gives the identity.
        var nan = Tensor.FromArray(new[] { 1.0, double.NaN, 3.0, 0.5 }, 2, 2);
        double.IsNaN(nan.Max([0]).ToArray<double>()[1]).Should().BeTrue();
        nan.Max([0]).ToArray<double>()[0].Should().Be(3);
        Tensor.Zeros(0, 3).Sum([0]).ToArray<float>().Should().Equal(0f, 0f, 0f);
        Tensor.Zeros(2, 0, 3).Prod([1]).ToArray<float>().Should().Equal(1f, 1f, 1f, 1f, 1f, 1f);
    }

    [Test]
    public void LongRowsAreChunkedDeterministically()
    {
        // 3 chunks of 65,536 plus a tail: the full reduction runs chunks in parallel; a 2-row reduction of the same data
        // runs them sequentially per row; both must agree exactly with each other and closely with a double loop.
        int n = 3 * 65536 + 123;
        var v = Enumerable.Range(0, n).Select(i => (double)((i * 7919) % 1000) - 499.5).ToArray();
        v[150_001] = 1e6;
        v[190_000] = 1e6; // a tie in a later chunk: argmax keeps the first
        v[70_000] = -1e6;
        var x = Tensor.FromArray(v);
        x.Sum().Item().Should().Be(v.Sum());
        x.Max().Item().Should().Be(1e6);
        x.ArgMax().Item<long>().Should().Be(150_001);
        x.ArgMin().Item<long>().Should().Be(70_000);
        var two = Tensor.Stack([x, x]);
        two.Sum(1).ToArray<double>().Should().Equal(x.Sum().Item(), x.Sum().Item());
        two.ArgMax(1).ToArray<long>().Should().Equal(150_001, 150_001);
        var f = x.To(DType.Float32);
        f.Sum().Item().Should().Be(Tensor.Stack([f, f]).Sum(1).ToArray<float>()[0]);
        var b = Tensor.FromArray(v.Select(e => e < 1e6).ToArray());
        b.All().Item<bool>().Should().BeFalse();
        b.Any().Item<bool>().Should().BeTrue();
    }

    [Test]
    public void DTypeRulesAndSpecialValues()
    {
        var i = Tensor.FromArray(new[] { 1, 2, 3, 4 }, 2, 2);
        i.Prod().DType.Should().Be(DType.Int64);
        i.Prod().Item<long>().Should().Be(24);
        i.Prod(0).ToArray<long>().Should().Equal(3, 8);
        i.Max().DType.Should().Be(DType.Int32);
        i.Max(0).Values.ToArray<int>().Should().Equal(3, 4);
        i.Var().DType.Should().Be(DType.Float32);
        i.Var().Item().Should().BeApproximately(5.0 / 3, 1e-6);
        i.Any().DType.Should().Be(DType.Bool);
        Tensor.FromArray(new[] { 0, 0, 1, 0 }, 2, 2).Any(1).ToArray<bool>().Should().Equal(false, true);
        Tensor.FromArray(new[] { 1, 2, 0, 3 }, 2, 2).All(1).ToArray<bool>().Should().Equal(true, false);
        Tensor.FromArray(new[] { true, false }).Max().Item<bool>().Should().BeTrue();
        Tensor.FromArray(new[] { true, false }).Min().Item<bool>().Should().BeFalse();
        // Empty slices: identities for sum/prod/any/all (torch), NaN for var.
        var empty = Tensor.Zeros(2, 0);
        empty.Prod(1).ToArray<float>().Should().Equal(1f, 1f);
        empty.Any(1).ToArray<bool>().Should().Equal(false, false);
        empty.All(1).ToArray<bool>().Should().Equal(true, true);
        float.IsNaN(empty.Var(1).ToArray<float>()[0]).Should().BeTrue();
        // One element with the unbiased estimate: 0/0 = NaN, as torch.
        double.IsNaN(Tensor.FromArray(new[] { 3.0 }).Var().Item()).Should().BeTrue();
        // NaN propagates through max and is the argmax; logsumexp stays finite for huge inputs.
        var nan = Tensor.FromArray(new[] { 1.0, double.NaN, 5.0 });
        double.IsNaN(nan.Max().Item()).Should().BeTrue();
        nan.ArgMax().Item<long>().Should().Be(1);
        Tensor.FromArray(new[] { 1000.0, 1000.0 }).LogSumExp().Item().Should().BeApproximately(1000 + Math.Log(2), 1e-12);
        Tensor.FromArray(new[] { double.NegativeInfinity, double.NegativeInfinity }).LogSumExp().Item().Should().Be(double.NegativeInfinity);
        Tensor.FromArray(new[] { 2f, 4f }).Std(correction: 0).Item().Should().Be(1);
    }

    [Test]
    public void Errors()
    {
        var x = Tensor.Zeros(2, 3);
        FluentActions.Invoking(() => x.Max([5])).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*amax: axis 5 is out of range for a tensor of rank 2*");
        FluentActions.Invoking(() => x.Prod([1, -1])).Should().Throw<ArgumentException>().WithMessage("*prod: axis repeats in [1, -1]*");
        FluentActions.Invoking(() => Tensor.Zeros(2, 0).Max([1])).Should().Throw<ArgumentException>().WithMessage("amax: cannot reduce over axes [1] of shape [2, 0]*");
        FluentActions.Invoking(() => Tensor.Zeros(2, 0).ArgMax(1)).Should().Throw<ArgumentException>().WithMessage("argmax: cannot reduce over axes [1] of shape [2, 0]*");
        FluentActions.Invoking(() => Tensor.Zeros(0).Max(0)).Should().Throw<ArgumentException>().WithMessage("max: cannot reduce*[0]*");
        FluentActions.Invoking(() => x.Var([3])).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*var: axis 3*");
    }

    [Test]
    public void GradChecks()
    {
        var x = RandomF64(3, 3, 4, 5);
        foreach (var axes in new int[][] { [], [1], [0, 2], [-1] })
        {
            CheckGrad(t => t[0].Var(axes), x);
            CheckGrad(t => t[0].Var(axes, correction: 0, keepDim: true), x);
            CheckGrad(t => t[0].Std(axes), x);
            CheckGrad(t => t[0].LogSumExp(axes), x);
            CheckGrad(t => t[0].Prod(axes), x);
        }
        // Strided (permuted) inputs and a broadcast consumer.
        CheckGrad(t => t[0].Permute(2, 0, 1).Var([0, 1], keepDim: true) * t[0].Permute(2, 0, 1), x);
        CheckGrad(t => t[0].Transpose(0, 2).LogSumExp(1), x);
        CheckGrad(t => t[0].Transpose(0, 1).Prod(0), x);
    }

    [Test]
    public void ProdGradientWithZeros()
    {
        // Slices with no zero, one zero and two zeros (hand-derived: d/dxᵢ = Π_{j≠i} xⱼ).
        var x = Tensor.FromArray(new[] { 2.0, 3.0, 4.0, 2.0, 0.0, 5.0, 0.0, 3.0, 0.0 }, 3, 3).RequiresGrad_();
        x.Prod(1).Sum().Backward();
        x.Grad!.ToArray<double>().Should().Equal(12, 8, 6, 0, 10, 0, 0, 0, 0);
        // A polynomial: finite differences are exact at zeros too.
        CheckGrad(t => t[0].Prod(1), Tensor.FromArray(new[] { 1.5, 0.0, -2.0, 0.0, 0.0, 3.0, 0.5, 1.0, 2.0 }, 3, 3));
        CheckGrad(t => t[0].Prod(), Tensor.FromArray(new[] { 1.5, 0.0, -2.0, 0.7 }, 2, 2));
    }
}
