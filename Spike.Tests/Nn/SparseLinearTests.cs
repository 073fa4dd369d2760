using FluentAssertions;
using NUnit.Framework;
using Spike.Nn;

namespace Spike.Tests.Nn;

/// <summary>
/// SparseLinear and AutoSparseLinear on the CPU. With weights and upstream gradients that are multiples of 1/8 below 4
/// in magnitude every partial sum is exact in Float32, so the sparse path must equal the dense Linear bit for bit on
/// binary input; with ordinary random weights the gradients are checked against a Float64 loop written here. The
/// crossover search runs on an injected timer (no timing in unit tests).
/// </summary>
public class SparseLinearTests
{
    static Tensor Spikes(int seed, double density, params int[] shape) => Tensor.Bernoulli(shape, density, new Generator((ulong)seed));

    static Tensor Eighths(int seed, params int[] shape) =>
        Raw.Unary(UnaryOp.Round, Tensor.Rand(shape, new Generator((ulong)seed), -31, 31), 0, 0) / 8;

    static void SetEighths(Module layer, int seed)
    {
        foreach (var p in layer.Parameters()) Raw.CopyInto(Eighths(seed++, [.. p.Shape]), p);
    }

    [TestCase(new[] { 150, 512 })]
    [TestCase(new[] { 2, 75, 512 })]
    public void SparsePathEqualsLinearExactlyOnBinaryInput(int[] inputShape)
    {
        // 150 rows of 512 inputs into 40 outputs at 5 % density: the gather-add kernel does SparseLinear's products, while
        // Linear's stay dense GEMMs (3·10⁶ multiply-adds are below the automatic spike-sparse dispatch of Raw.Matmul).
        var sparse = new SparseLinear(512, 40, generator: new Generator(1));
        var dense = new Linear(512, 40, generator: new Generator(1));
        SetEighths(sparse, 10);
        SetEighths(dense, 10);
        var xs = Spikes(2, 0.05, inputShape).RequiresGrad_();
        var xd = Raw.Clone(xs).RequiresGrad_();
        var ys = sparse.Forward(xs);
        var yd = dense.Forward(xd);
        ys.Shape.Should().Equal([.. inputShape[..^1], 40]);
        ys.ToArray<float>().Should().Equal(yd.ToArray<float>());
        var g = Eighths(3, [.. ys.Shape]);
        ys.Backward(g);
        yd.Backward(g);
        sparse.Weight.Grad!.ToArray<float>().Should().Equal(dense.Weight.Grad!.ToArray<float>(), "dW = dyᵀ·x");
        sparse.Bias!.Grad!.ToArray<float>().Should().Equal(dense.Bias!.Grad!.ToArray<float>(), "db = Σ dy");
        xs.Grad!.ToArray<float>().Should().Equal(xd.Grad!.ToArray<float>(), "dx = dy·W");
    }

    [Test]
    public void GradientsMatchAFloat64ReferenceLoop()
    {
        const int rows = 70, inF = 90, outF = 13;
        var layer = new SparseLinear(inF, outF, generator: new Generator(4));
        var x = Spikes(5, 0.15, rows, inF).RequiresGrad_();
        var gy = Tensor.Randn([rows, outF], new Generator(6));
        var y = layer.Forward(x);
        y.Backward(gy);
        double[] X = Raw.ToDType(x, DType.Float64).ToArray<double>(), W = Raw.ToDType(layer.Weight, DType.Float64).ToArray<double>();
        double[] B = Raw.ToDType(layer.Bias!, DType.Float64).ToArray<double>(), G = Raw.ToDType(gy, DType.Float64).ToArray<double>();
        var (yRef, dW, db, dx) = (new double[rows * outF], new double[outF * inF], new double[outF], new double[rows * inF]);
        for (int r = 0; r < rows; r++)
            for (int o = 0; o < outF; o++)
            {
                double acc = B[o];
                for (int i = 0; i < inF; i++)
                {
                    acc += X[r * inF + i] * W[o * inF + i];
                    dW[o * inF + i] += G[r * outF + o] * X[r * inF + i];
                    dx[r * inF + i] += G[r * outF + o] * W[o * inF + i];
                }
                yRef[r * outF + o] = acc;
                db[o] += G[r * outF + o];
            }
        Close(y, yRef, "y");
        Close(layer.Weight.Grad!, dW, "dW");
        Close(layer.Bias!.Grad!, db, "db");
        Close(x.Grad!, dx, "dx");
    }

    static void Close(Tensor actual, double[] expected, string what)
    {
        var a = Raw.ToDType(actual, DType.Float64).ToArray<double>();
        a.Length.Should().Be(expected.Length);
        for (int i = 0; i < a.Length; i++) a[i].Should().BeApproximately(expected[i], 1e-5 * (1 + Math.Abs(expected[i])), $"{what}[{i}]");
    }

    [Test]
    public void SparseMmDensePassesTheFloat64GradientCheckWithGradedSpikes()
    {
        var graded = Raw.ToDType(Raw.Binary(BinaryOp.Mul, Spikes(7, 0.3, 5, 8), Tensor.Rand([5, 8], new Generator(8), 0.5, 2)), DType.Float64);
        var w = Tensor.Randn([8, 3], new Generator(9), dtype: DType.Float64);
        var report = GradCheck.Run(t => Functional.SparseMmDense(t[0], t[1]), [graded.RequiresGrad_(), w.RequiresGrad_()]);
        report.Passed.Should().BeTrue(report.ToString());
    }

    [Test]
    public void GradedInputTakesTheDenseProductWithTheSameResult()
    {
        var layer = new SparseLinear(64, 7, generator: new Generator(11));
        var x = Raw.Binary(BinaryOp.Mul, Spikes(12, 0.2, 30, 64), Tensor.Rand([30, 64], new Generator(13)));
        var expected = x.Linear(layer.Weight, layer.Bias).ToArray<float>();
        var actual = layer.Forward(x).ToArray<float>();
        for (int i = 0; i < expected.Length; i++) actual[i].Should().BeApproximately(expected[i], 1e-5f);
    }

    [Test]
    public void BadShapesNameTheLayerAndTheShape()
    {
        var act = () => new SparseLinear(10, 3).Forward(Tensor.Zeros(4, 9));
        act.Should().Throw<ArgumentException>().WithMessage("SparseLinear: input of shape [4, 9] does not end in in_features=10");
        var sizes = () => new AutoSparseLinear(0, 3);
        sizes.Should().Throw<ArgumentOutOfRangeException>().WithMessage("AutoSparseLinear: sizes (0, 3)*");
    }

    /// <summary>A model machine: the sparse path costs (1 − sparsity)·rows, the dense one 0.3·rows, so the sparse
    /// path wins above sparsity 0.7.</summary>
    static double ModelTimer(int rows, double sparsity, bool sparse) => sparse ? (1 - sparsity) * rows : 0.3 * rows;

    [Test]
    public void BenchmarkFindsTheCrossoverOfTheTimerPerRowCount()
    {
        var calls = new List<(int Rows, double Sparsity, bool Sparse)>();
        var layer = new AutoSparseLinear(40, 6, inSpikes: true) { Precision = 1e-3 };
        layer.Timer = (r, s, sp) => { calls.Add((r, s, sp)); return ModelTimer(r, s, sp); };
        double critical = layer.Benchmark(16)!.Value;
        critical.Should().BeInRange(0.7, 0.7 + 1e-3, "the upper bound of the bisection: the sparsest probe where the sparse path won");
        calls.Should().OnlyContain(c => c.Rows == 16 && c.Sparsity >= 0.1 && c.Sparsity <= 1);
        calls.Count(c => c.Sparse).Should().Be(calls.Count(c => !c.Sparse)).And.BeLessThan(12, "bisection over [0.1, 1] to 1e-3");
        layer.CriticalSparsity.Should().ContainKey(16).WhoseValue.Should().Be(critical);
    }

    [Test]
    public void ForwardPicksThePathByMeasuredSparsityAndBenchmarksEachRowCountOnce()
    {
        var layer = new AutoSparseLinear(200, 6, bias: false, inSpikes: true, generator: new Generator(14));
        int probes = 0;
        layer.Timer = (r, s, sp) => { probes++; return ModelTimer(r, s, sp); };
        var sparseInput = Spikes(15, 0.1, 32, 200);   // sparsity 0.9 ≥ 0.7
        var denseInput = Spikes(16, 0.5, 32, 200);    // sparsity 0.5 < 0.7
        var y = layer.Forward(sparseInput);
        layer.LastPathSparse.Should().BeTrue();
        y.GradFn!.Name.Should().Be("SparseMmDense");
        int afterFirst = probes;
        afterFirst.Should().BePositive();
        var yDense = layer.Forward(denseInput);
        layer.LastPathSparse.Should().BeFalse();
        yDense.GradFn!.Name.Should().Be("Linear");
        probes.Should().Be(afterFirst, "32 rows were benchmarked already");
        layer.Forward(Spikes(17, 0.1, 2, 8, 200));   // 16 rows: a new benchmark
        probes.Should().BeGreaterThan(afterFirst);
        layer.CriticalSparsity.Keys.Should().BeEquivalentTo([32, 16]);
        var expected = sparseInput.Linear(layer.Weight).ToArray<float>();
        var actual = y.ToArray<float>();
        for (int i = 0; i < expected.Length; i++) actual[i].Should().BeApproximately(expected[i], 1e-5f);
    }

    [Test]
    public void NoWinForTheSparsePathMeansAlwaysDense()
    {
        var layer = new AutoSparseLinear(50, 4) { Timer = (r, s, sp) => sp ? 2.0 : 1.0 };
        layer.Benchmark(8).Should().BeNull();
        layer.Forward(Tensor.Zeros(8, 50));
        layer.LastPathSparse.Should().BeFalse("even an all-zero input stays dense");
    }

    [Test]
    public void SparsityOfGradedInputIsTheFractionOfZeros()
    {
        // Timer: sparse wins from sparsity 0.7; the input has 75 % zeros and non-binary values, so inSpikes = false.
        var layer = new AutoSparseLinear(100, 5, bias: false) { Timer = ModelTimer };
        var mask = Tensor.FromArray(Enumerable.Range(0, 400).Select(i => i % 4 == 0 ? 1f : 0f).ToArray()).Reshape(4, 100);
        layer.Forward(Raw.Binary(BinaryOp.Mul, mask, Tensor.Rand([4, 100], new Generator(18), 0.5, 3)));
        layer.LastPathSparse.Should().BeTrue();
    }

    [Test]
    public void DefaultTimerMeasuresBothPaths()
    {
        // The real timer on a tiny layer: only that it measures positive times and records a result.
        var layer = new AutoSparseLinear(32, 4, inSpikes: true) { BenchmarkRuns = 1, Precision = 0.3 };
        layer.Timer(8, 0.9, true).Should().BePositive();
        layer.Timer(8, 0.9, false).Should().BePositive();
        layer.Benchmark(8);
        layer.CriticalSparsity.Should().ContainKey(8);
        layer.Weight.Grad.Should().BeNull("the benchmark works on copies of the parameters");
    }
}
