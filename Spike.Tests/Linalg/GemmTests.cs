using FluentAssertions;
using NUnit.Framework;

namespace Spike.Tests.Linalg;

/// <summary>The backend's batched GEMM against a naive Float64 triple loop, at sizes that miss every tile and
/// block boundary, with transposed, strided and broadcast operands.</summary>
public class GemmTests
{
    /// <summary>Reference: c[b, i, j] = Σ_p a[b, i, p]·b[b, p, j] in Float64 through the tensors' own strides.</summary>
    static double[] Naive(Tensor a, Tensor b)
    {
        var (ad, bd) = (Raw.ToDType(Raw.Contiguous(a), DType.Float64).ToArray<double>(), Raw.ToDType(Raw.Contiguous(b), DType.Float64).ToArray<double>());
        int bt = a.Size(0), m = a.Size(1), k = a.Size(2), n = b.Size(2);
        var c = new double[bt * m * n];
        for (int q = 0; q < bt; q++)
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                {
                    double s = 0;
                    for (int p = 0; p < k; p++) s += ad[(q * m + i) * k + p] * bd[(q * k + p) * n + j];
                    c[(q * m + i) * n + j] = s;
                }
        return c;
    }

    static Tensor Rand(int seed, DType dtype, params int[] shape) => Tensor.Randn(shape, new Generator((ulong)seed), dtype: dtype);

    static void Check(Tensor a, Tensor b, Tensor? dst = null, bool accumulate = false)
    {
        int bt = a.Size(0), m = a.Size(1), n = b.Size(2), k = a.Size(2);
        dst ??= Tensor.Full([bt, m, n], 0.5, a.DType);
        var before = Raw.ToDType(Raw.Contiguous(dst), DType.Float64).ToArray<double>();
        Raw.MatmulInto(a, b, dst, accumulate);
        var expected = Naive(a, b);
        if (accumulate) for (int i = 0; i < expected.Length; i++) expected[i] += before[i];
        var actual = Raw.ToDType(Raw.Contiguous(dst), DType.Float64).ToArray<double>();
        // Float32 sums of k products of N(0,1) values: error grows like sqrt(k)·eps.
        double tol = a.DType == DType.Float32 ? 2e-5 * Math.Sqrt(k + 1) : 1e-12;
        for (int i = 0; i < expected.Length; i++)
            actual[i].Should().BeApproximately(expected[i], tol * (1 + Math.Abs(expected[i])), $"element {i} of [{bt}, {m}, {n}] (k = {k})");
    }

    static readonly int[] Sizes = [1, 7, 17, 33, 65, 129];

    [Test]
    public void ContiguousAwkwardSizes([Values(DType.Float32, DType.Float64)] DType dtype)
    {
        int seed = 0;
        foreach (int m in Sizes)
            foreach (int k in new[] { 0, 1, 17, 65, 129 })
                foreach (int n in new[] { 1, 33, 129 })
                    Check(Rand(++seed, dtype, 1, m, k), Rand(++seed, dtype, 1, k, n));
    }

    [Test]
    public void LargerThanOneBlockInEveryDimension()
    {
        // M > MC, K > KC, N > NC: every loop of the blocked driver runs more than once and ends on a partial block.
        Check(Rand(1, DType.Float32, 1, 301, 397), Rand(2, DType.Float32, 1, 397, 515));
    }

    [Test]
    public void TransposedAndStridedOperands([Values(DType.Float32, DType.Float64)] DType dtype)
    {
        // aᵀ and bᵀ views (unit stride along the other axis), and a column-strided view of a wider tensor.
        var at = Raw.Transpose(Rand(3, dtype, 2, 65, 33), 1, 2);   // [2, 33, 65]
        var bt = Raw.Transpose(Rand(4, dtype, 2, 17, 65), 1, 2);   // [2, 65, 17]
        Check(at, bt);
        var wide = Raw.Narrow(Rand(5, dtype, 2, 65, 40), 2, 3, 17); // [2, 65, 17], row stride 40
        Check(Rand(6, dtype, 2, 33, 65), wide);
        var everyOther = new Tensor(Rand(7, dtype, 2, 33, 130).Storage, new Layout([2, 33, 65], [33 * 130, 130, 2], 1));
        Check(everyOther, Rand(8, dtype, 2, 65, 7));
    }

    [Test]
    public void StridedAndTransposedDestination([Values(DType.Float32, DType.Float64)] DType dtype)
    {
        var big = Tensor.Zeros([3, 40, 50], dtype);
        Check(Rand(1, dtype, 3, 33, 9), Rand(2, dtype, 3, 9, 17), Raw.Narrow(Raw.Narrow(big, 1, 2, 33), 2, 5, 17));
        var t = Raw.Transpose(Tensor.Zeros([3, 17, 33], dtype), 1, 2); // column stride 33
        Check(Rand(3, dtype, 3, 33, 9), Rand(4, dtype, 3, 9, 17), t, accumulate: true);
    }

    [Test]
    public void TransposedProductsAndEdgeTiles([Values(false, true)] bool accumulate)
    {
        // Shapes whose transpose fills the micro-tile better (a convolution's [128, 196] output, ten outputs of a
        // linear layer), so C is written column by column; depths past one block; edge tiles in both directions.
        Check(Rand(1, DType.Float32, 1, 128, 400), Rand(2, DType.Float32, 1, 400, 196), accumulate: accumulate);
        Check(Rand(3, DType.Float32, 1, 70, 100), Rand(4, DType.Float32, 1, 100, 10), accumulate: accumulate);
        Check(Rand(5, DType.Float32, 1, 29, 90), Rand(6, DType.Float32, 1, 90, 47), accumulate: accumulate);
        var t = Raw.Transpose(Tensor.Full([1, 196, 128], 0.25), 1, 2);   // a column-major destination
        Check(Rand(7, DType.Float32, 1, 128, 70), Rand(8, DType.Float32, 1, 70, 196), t, accumulate);
    }

    [Test]
    public void BroadcastBatchAndManyBatches([Values(DType.Float32, DType.Float64)] DType dtype)
    {
        // A weight shared by 9 batches through stride 0, large enough to take the parallel paths.
        var w = Raw.Expand(Rand(1, dtype, 1, 65, 33), 9, 65, 33);
        Check(Rand(2, dtype, 9, 129, 65), w);
        Check(w.WithLayout(new Layout([9, 33, 65], [0, 1, 33], 0)), Rand(3, dtype, 9, 65, 129));
    }

    [Test]
    public void AccumulateAndBatchReduction([Values(DType.Float32, DType.Float64)] DType dtype)
    {
        Check(Rand(1, dtype, 2, 17, 33), Rand(2, dtype, 2, 33, 65), accumulate: true);
        // dst with batch stride 0: the batch products are summed into one matrix.
        var a = Rand(3, dtype, 5, 129, 70);
        var b = Rand(4, dtype, 5, 70, 65);
        foreach (bool acc in new[] { false, true })
        {
            var d = Tensor.Full([1, 129, 65], 2.0, dtype);
            Raw.MatmulInto(a, b, Raw.Expand(d, 5, 129, 65), acc);
            var each = Naive(a, b);
            var expected = new double[129 * 65];
            for (int i = 0; i < expected.Length; i++)
            {
                expected[i] = acc ? 2.0 : 0.0;
                for (int q = 0; q < 5; q++) expected[i] += each[q * expected.Length + i];
            }
            var actual = Raw.ToDType(d, DType.Float64).ToArray<double>();
            double tol = dtype == DType.Float32 ? 1e-3 : 1e-11;
            for (int i = 0; i < expected.Length; i++) actual[i].Should().BeApproximately(expected[i], tol * (1 + Math.Abs(expected[i])));
        }
    }

    [Test]
    public void IntegerProductIsExact()
    {
        var a = Tensor.FromArray(new[] { 1, 2, 3, 4, 5, 6 }, 1, 2, 3);
        var b = Tensor.FromArray(new[] { 7, 8, 9, 10, 11, 12 }, 1, 3, 2);
        var c = Tensor.Empty([1, 2, 2], DType.Int32);
        Raw.MatmulInto(a, b, c);
        // [1 2 3; 4 5 6]·[7 8; 9 10; 11 12] = [58 64; 139 154]
        c.ToArray<int>().Should().Equal(58, 64, 139, 154);
    }

    [Test]
    public void BadShapesNameTheOpAndShapes()
    {
        var act = () => Raw.MatmulInto(Tensor.Zeros(1, 2, 3), Tensor.Zeros(1, 4, 5), Tensor.Zeros(1, 2, 5));
        act.Should().Throw<ArgumentException>().WithMessage("*matmul*[1, 2, 3]*[1, 4, 5]*");
        var dt = () => Raw.MatmulInto(Tensor.Zeros(1, 2, 3), Tensor.Zeros([1, 3, 5], DType.Float64), Tensor.Zeros(1, 2, 5));
        dt.Should().Throw<ArgumentException>().WithMessage("*matmul*Float32*Float64*");
    }
}
