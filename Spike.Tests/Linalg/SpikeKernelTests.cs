using FluentAssertions;
using NUnit.Framework;
using Spike.Cpu;

namespace Spike.Tests.Linalg;

/// <summary>
/// The spike kernels against their compositions. The gather-add against the dense GEMM: values are multiples of 1/8
/// below 4 in magnitude, so every partial sum is exact in Float32 and the two paths must agree bit for bit whatever
/// order they add in. The one-pass Poisson encoder against uniforms drawn and compared separately.
/// </summary>
public class SpikeKernelTests
{
    static readonly CpuBackend Cpu = CpuBackend.Instance;

    static Tensor Spikes(int seed, double density, params int[] shape) =>
        Raw.ToDType(Raw.Binary(BinaryOp.Lt, Tensor.Rand(shape, new Generator((ulong)seed)), Raw.ScalarFor(density, Tensor.Zeros(1))), DType.Float32);

    static Tensor Eighths(int seed, params int[] shape) =>
        Raw.Unary(UnaryOp.Round, Tensor.Rand(shape, new Generator((ulong)seed), -31, 31), 0, 0) / 8;

    static float[] Dense(Tensor a, Tensor b, Tensor? init = null)
    {
        var d = init is null ? Tensor.Zeros(a.Size(0), b.Size(1)) : Raw.Clone(init);
        Cpu.Matmul(Raw.Unsqueeze(a, 0), Raw.Unsqueeze(b, 0), Raw.Unsqueeze(d, 0), accumulate: init is not null);
        return d.ToArray<float>();
    }

    [Test]
    public void GatherAddEqualsTheDenseProductExactly([Values(1, 7, 64, 67, 130)] int n, [Values(1, 33, 300)] int k)
    {
        foreach (int m in new[] { 1, 5, 70 })
        {
            var s = Spikes(m * 1000 + k, 0.2, m, k);
            var b = Eighths(n + k, k, n);
            var d = Tensor.Zeros(m, n);
            Cpu.SpikeMatmul(s, b, d, accumulate: false);
            d.ToArray<float>().Should().Equal(Dense(s, b), $"m={m}, k={k}, n={n}");
        }
    }

    [Test]
    public void TransposedOperandsStridedDestinationAndAccumulate()
    {
        // s as the transpose of a row-major spike matrix (a weight gradient's xᵀ), b transposed, dst a column slice.
        var x = Spikes(1, 0.1, 90, 40);                       // [rows, in]
        var st = Raw.Transpose(x, 0, 1);                      // [40, 90], column-major
        var b = Raw.Transpose(Eighths(2, 70, 90), 0, 1);      // [90, 70], column-major
        var wide = Eighths(3, 40, 100);
        var dst = Raw.Narrow(wide, 1, 10, 70);
        var expected = Dense(st, b, dst);
        Cpu.SpikeMatmul(st, b, dst, accumulate: true);
        Raw.Contiguous(dst).ToArray<float>().Should().Equal(expected);
        Raw.Narrow(wide, 1, 0, 10).ToArray<float>().Should().Equal(Raw.Narrow(Eighths(3, 40, 100), 1, 0, 10).ToArray<float>(), "columns outside dst stay");
    }

    [Test]
    public void GradedSpikesAndFloat64TakeTheDenseProduct()
    {
        // The gather-add ignores values, so anything but 0 and 1 must go to the GEMM (weighted sums, not counts).
        var graded = Raw.Clone(Spikes(9, 0.3, 20, 50));
        graded.AsSpan<float>()[7] = 2.5f;
        var b = Eighths(10, 50, 30);
        var d = Tensor.Zeros(20, 30);
        Cpu.SpikeMatmul(graded, b, d, accumulate: false);
        d.ToArray<float>().Should().Equal(Dense(graded, b));
        var (s64, b64) = (Raw.ToDType(Spikes(11, 0.3, 20, 50), DType.Float64), Raw.ToDType(b, DType.Float64));
        var d64 = Tensor.Zeros([20, 30], DType.Float64);
        Cpu.SpikeMatmul(s64, b64, d64, accumulate: false);
        d64.ToArray<double>().Should().Equal(Raw.Matmul(s64, b64).ToArray<double>());
    }

    [Test]
    public void DensityOfSpikeTensorsAndRejectionOfOthers()
    {
        var s = Spikes(4, 0.3, 200, 123);
        double ones = s.ToArray<float>().Count(v => v == 1f) / (double)s.Numel;
        Cpu.SpikeDensity(s).Should().Be(ones);
        Cpu.SpikeDensity(Raw.Transpose(s, 0, 1)).Should().Be(ones);
        Cpu.SpikeDensity(Raw.Narrow(s, 1, 3, 50)).Should().BeApproximately(
            Raw.Narrow(s, 1, 3, 50).ToArray<float>().Count(v => v == 1f) / (200.0 * 50), 1e-12);
        var notBinary = Raw.Clone(s);
        notBinary.AsSpan<float>()[12345] = 0.5f;
        Cpu.SpikeDensity(notBinary).Should().Be(-1);
        notBinary.AsSpan<float>()[12345] = -0f;
        Cpu.SpikeDensity(notBinary).Should().Be(-1, "the scans compare bits, and −0f is not a spike");
        Cpu.SpikeDensity(Tensor.Zeros([3, 3], DType.Float64)).Should().Be(-1, "only Float32 has a spike kernel");
    }

    [Test]
    public void LinearForwardAndWeightGradientTakeTheSparsePathWithExactResults()
    {
        // Big enough for the dispatch (≥ 2^22 multiply-adds) and sparse enough (5 % < crossover).
        var x = Spikes(5, 0.05, 64, 512).RequiresGrad_();
        Cpu.SpikeDensity(x).Should().BeInRange(0.02, Raw.SpikeSparseCrossover);
        var w = Eighths(6, 1100, 512).RequiresGrad_();
        var g = Eighths(7, 64, 1100);
        Raw.SpikePath(Cpu, Raw.Unsqueeze(x, 0), Raw.Unsqueeze(Raw.Transpose(w, 0, 1), 0), 1100).Should().Be(Raw.SpikeOperand.Left);
        Raw.SpikePath(Cpu, Raw.Unsqueeze(x, 0), Raw.Unsqueeze(Raw.Narrow(Raw.Transpose(w, 0, 1), 1, 0, 300), 0), 300)
            .Should().Be(Raw.SpikeOperand.None, "300 output columns are too few to pay for listing the spikes");
        Raw.SpikePath(Cpu, Raw.Unsqueeze(Raw.Transpose(g, 0, 1), 0), Raw.Unsqueeze(x, 0), 512).Should().Be(Raw.SpikeOperand.Right);
        Raw.SpikePath(Cpu, Raw.Unsqueeze(g, 0), Raw.Unsqueeze(w, 0), 512).Should().Be(Raw.SpikeOperand.None, "dx = dy·W is dense");
        Raw.SpikePath(Cpu, Raw.Unsqueeze(Spikes(8, 0.5, 64, 512), 0), Raw.Unsqueeze(Raw.Transpose(w, 0, 1), 0), 1100)
            .Should().Be(Raw.SpikeOperand.None, "half the inputs spiking is past the crossover");
        var y = x.Linear(w);
        y.ToArray<float>().Should().Equal(Dense(x, Raw.Transpose(w, 0, 1)));
        y.Backward(g);
        w.Grad!.ToArray<float>().Should().Equal(Dense(Raw.Transpose(g, 0, 1), x), "dW = dyᵀ·x through the transposed gather");
        x.Grad!.ToArray<float>().Should().Equal(Dense(g, w));
    }

    [TestCase(DType.Float32, 7)]
    [TestCase(DType.Float32, 0)]
    [TestCase(DType.Float64, 5)]
    public void PoissonEncodeEqualsUniformsComparedWithTheInput(DType dtype, int steps)
    {
        // 3·5000 pixels: the fused kernel works in chunks of 2^14 that start mid-image.
        var x = Raw.ToDType(Tensor.Rand([3, 5000], new Generator(9)), dtype);
        var (g1, g2) = (new Generator(42) { Offset = 1000 }, new Generator(42) { Offset = 1000 });
        var spikes = Raw.PoissonEncode(x, steps, g1);
        int[] shape = steps == 0 ? [3, 5000] : [steps, 3, 5000];
        var u = Tensor.Rand(shape, g2, dtype: dtype);
        var expected = Raw.ToDType(Raw.Binary(BinaryOp.Le, u, x), dtype);
        spikes.Shape.Should().Equal(shape);
        spikes.DType.Should().Be(dtype);
        Raw.ToDType(spikes, DType.Float64).ToArray<double>().Should().Equal(Raw.ToDType(expected, DType.Float64).ToArray<double>());
        g1.Offset.Should().Be(g2.Offset, "the generator advances by one draw per output element");
        double rate = Raw.ToDType(spikes, DType.Float64).ToArray<double>().Average();
        rate.Should().BeApproximately(0.5, 0.02, "x is uniform on [0, 1)");
    }

    [Test]
    public void PoissonEncodeRejectsIntegerInput() =>
        FluentActions.Invoking(() => Raw.PoissonEncode(Tensor.Zeros([2, 2], DType.Int32), 3)).Should().Throw<ArgumentException>()
            .WithMessage("poisson_encode: needs a floating input*Int32*[2, 2]*");
}
