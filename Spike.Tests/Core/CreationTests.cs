using FluentAssertions;
using NUnit.Framework;

namespace Spike.Tests.Core;


public class CreationTests
{
    [Test]
    public void Basics()
    {
        Tensor.Zeros(2, 3).ToArray<float>().Should().AllBeEquivalentTo(0f);
        Tensor.Ones([2], DType.Int64).ToArray<long>().Should().Equal(1, 1);
        Tensor.Full([3], 2.5, DType.Float64).ToArray<double>().Should().Equal(2.5, 2.5, 2.5);
        Tensor.Arange(5).ToArray<long>().Should().Equal(0, 1, 2, 3, 4);
        Tensor.Arange(1, 2, 0.25).ToArray<float>().Should().Equal(1f, 1.25f, 1.5f, 1.75f);
        Tensor.Arange(3, 0, -1, DType.Int32).ToArray<int>().Should().Equal(3, 2, 1);
        Tensor.Linspace(-1, 1, 5).ToArray<float>().Should().Equal(-1f, -0.5f, 0f, 0.5f, 1f);
        Tensor.Eye(2, 3).ToArray<float>().Should().Equal(1, 0, 0, 0, 1, 0);
        Tensor.FromArray(new[] { 1, 2, 3, 4, 5, 6 }, 2, -1).Shape.Should().Equal(2, 3);
        Tensor.Scalar(3).Item().Should().Be(3);
        Tensor.Scalar(3).Rank.Should().Be(0);
    }

    [Test]
    public void ToStringShowsShapeAndLeadingValues()
    {
        var s = Tensor.Arange(0, 10, 1).Reshape(2, 5).ToString();
        s.Should().Be("tensor([2, 5], Float32, cpu, [0, 1, 2, 3, 4, 5, 6, 7, ...])");
        Tensor.FromArray(new[] { true, false }).ToString().Should().Be("tensor([2], Bool, cpu, [1, 0])");
        Tensor.Scalar(-3, DType.Int64).ToString().Should().Be("tensor([], Int64, cpu, [-3])");
        Tensor.Zeros(0, 3).ToString().Should().Be("tensor([0, 3], Float32, cpu, [])");
        Tensor.FromArray(new[] { 0.1, 1e-7 }).RequiresGrad_().ToString().Should().Be("tensor([2], Float64, cpu, [0.1, 1E-07], requires_grad)");
        Tensor.Arange(0, 6, 1).Reshape(2, 3).T.ToString().Should().Contain("[0, 3, 1, 4, 2, 5]");
    }

    [Test]
    public void LikeFunctionsAndItemKeepShapeAndDType()
    {
        var x = Tensor.Arange(0, 6, 1, DType.Int32).Reshape(2, 3);
        foreach (var (like, value) in new[] { (Tensor.ZerosLike(x), 0.0), (Tensor.OnesLike(x), 1.0), (Tensor.FullLike(x, 7), 7.0) })
        {
            like.Shape.Should().Equal(2, 3);
            like.DType.Should().Be(DType.Int32);
            like.ToArray<int>().Should().AllBeEquivalentTo((int)value);
        }
        Tensor.EmptyLike(x).Shape.Should().Equal(2, 3);
        Tensor.Eye(3, dtype: DType.Int64).ToArray<long>().Should().Equal(1, 0, 0, 0, 1, 0, 0, 0, 1);
        Tensor.Eye(3, 2).ToArray<float>().Should().Equal(1, 0, 0, 1, 0, 0);
        Tensor.Linspace(2, 5, 1).ToArray<float>().Should().Equal(2f);
        Tensor.Linspace(0, 1, 0).Numel.Should().Be(0);
        // torch.linspace(0, 1, 7): the first half steps up from start, the second half down from end (last point exactly 1).
        double step = 1.0 / 6;
        Tensor.Linspace(0, 1, 7, DType.Float64).ToArray<double>().Should().Equal(0, step, 2 * step, 1 - 3 * step, 1 - 2 * step, 1 - step, 1);
        Tensor.Full([2], 3.9, DType.Int32).ToArray<int>().Should().Equal(3, 3);
        x.Select(1, 2).Select(0, 1).Item<int>().Should().Be(5);
        x.Select(1, 2).Select(0, 1).Item().Should().Be(5.0);
        Tensor.FromArray(new[] { true }).Item<bool>().Should().BeTrue();
        Tensor.Scalar(2.5).Item<long>().Should().Be(2);
    }

    [Test]
    public void RandomIsSeededAndCounterBased()
    {
        var a = Tensor.Rand([1000], new Generator(42)).ToArray<float>();
        var b = Tensor.Rand([1000], new Generator(42)).ToArray<float>();
        var c = Tensor.Rand([1000], new Generator(43)).ToArray<float>();
        a.Should().Equal(b);
        a.Should().NotEqual(c);
        a.Should().OnlyContain(v => v >= 0 && v < 1);
        a.Average().Should().BeApproximately(0.5f, 0.03f);

        // Two draws from one generator continue the stream: together they equal one draw of both sizes.
        var g = new Generator(5);
        var first = Tensor.Rand([3], g).ToArray<float>();
        var second = Tensor.Rand([4], g).ToArray<float>();
        Tensor.Rand([7], new Generator(5)).ToArray<float>().Should().Equal([.. first, .. second]);

        // Philox4x32-10 known-answer test (Random123 kat_vectors: zero counter and key).
        Philox.Generate(0, 0).Should().Be((0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u));
    }

    [Test]
    public void NormalAndBernoulliStatistics()
    {
        var n = Tensor.Randn([20000], new Generator(1), dtype: DType.Float64).ToArray<double>();
        n.Average().Should().BeApproximately(0, 0.03);
        (n.Select(v => v * v).Average()).Should().BeApproximately(1, 0.04);
        var b = Tensor.Bernoulli([20000], 0.3, new Generator(2)).ToArray<float>();
        b.Should().OnlyContain(v => v == 0 || v == 1);
        b.Average().Should().BeApproximately(0.3f, 0.02f);
    }

    [Test]
    public void DTypeConversionTruncatesTowardZeroAndPromotes()
    {
        var x = Tensor.FromArray(new[] { -1.7f, -0.5f, 0.5f, 2.9f });
        Raw.ToDType(x, DType.Int32).ToArray<int>().Should().Equal(-1, 0, 0, 2);
        Raw.ToDType(x, DType.Bool).ToArray<bool>().Should().Equal(true, true, true, true);
        DTypes.Promote(DType.Int64, DType.Float32).Should().Be(DType.Float32);
        DTypes.Promote(DType.Float32, DType.Float64).Should().Be(DType.Float64);
        DTypes.Promote(DType.Bool, DType.UInt8).Should().Be(DType.UInt8);
        (Tensor.Arange(3) + Tensor.Ones(3)).DType.Should().Be(DType.Float32);
        (Tensor.Arange(3) / 2).ToArray<float>().Should().Equal(0f, 0.5f, 1f);
        (Tensor.Arange(3) * 2).DType.Should().Be(DType.Int64);
    }
}

public class PhiloxBatchTests
{
    [Test]
    public void BatchedDrawsAreBitIdenticalToTheScalarGenerator()
    {
        foreach (var (seed, start) in new (ulong, ulong)[] { (0, 0), (42, 5), (ulong.MaxValue, uint.MaxValue - 3UL), (7, 1UL << 40) })
        {
            var batch = new float[77];
            PhiloxBatch.UniformFloat(seed, start, batch);
            for (int i = 0; i < batch.Length; i++)
                batch[i].Should().Be(Philox.UniformFloat(seed, start + (ulong)i), $"seed {seed} counter {start + (ulong)i}");
        }
        // Tensor draws (batched, threaded above 32,768 elements) use counter offset + i for element i: the same numbers
        // as the scalar definitions, element by element.
        const int n = 40_003;
        var gen = new Generator(9) { Offset = 17 };
        var u = Tensor.Rand([n], gen, -2, 3).ToArray<float>();
        var b = Tensor.Bernoulli([n], 0.3, gen, DType.Float64).ToArray<double>();
        var ud = Tensor.Rand([n], gen, dtype: DType.Float64).ToArray<double>();
        for (int i = 0; i < n; i++)
        {
            ulong c = 17 + (ulong)i;
            if (u[i] != (float)(-2 + 5.0 * Philox.UniformFloat(9, c))) Assert.Fail($"uniform element {i}");
            if (b[i] != (Philox.UniformFloat(9, c + n) < 0.3 ? 1 : 0)) Assert.Fail($"bernoulli element {i}");
            if (ud[i] != Philox.UniformDouble(9, c + 2 * (ulong)n)) Assert.Fail($"double uniform element {i}");
        }
    }
}
