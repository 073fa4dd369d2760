using FluentAssertions;
using NUnit.Framework;

namespace Spike.Tests.Linalg;

using static TestUtil;

/// <summary>torch.matmul semantics (shapes, promotion of 1-D operands, batch broadcasting), its gradients, and Linear.</summary>
public class MatmulTests
{
    /// <summary>Reference for a [*, M, K]·[*, K, N] product with equal (already broadcast) batch dims, in Float64.</summary>
    static double[] Batched(double[] a, double[] b, int batch, int m, int k, int n, Func<int, int> aBatch, Func<int, int> bBatch)
    {
        var c = new double[batch * m * n];
        for (int q = 0; q < batch; q++)
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                    for (int p = 0; p < k; p++)
                        c[(q * m + i) * n + j] += a[(aBatch(q) * m + i) * k + p] * b[(bBatch(q) * k + p) * n + j];
        return c;
    }

    [Test]
    public void DotMatrixVectorAndVectorMatrix()
    {
        var v = F64([1, 2, 3], 3);
        var m = F64([1, 2, 3, 4, 5, 6], 2, 3);
        var dot = v.Matmul(F64([4, 5, 6], 3));
        dot.Rank.Should().Be(0);
        dot.Item().Should().Be(32); // 4 + 10 + 18
        var mv = m.Matmul(v);
        mv.Shape.Should().Equal(2);
        mv.ToArray<double>().Should().Equal(14, 32); // [1+4+9, 4+10+18]
        var vm = F64([1, -1], 2).Matmul(m);
        vm.Shape.Should().Equal(3);
        vm.ToArray<double>().Should().Equal(-3, -3, -3);
        // A 1-D operand against a batch: [3]·[2, 3, 2] → [2, 2].
        var bt = F64([1, 0, 0, 1, 1, 1, 2, 0, 0, 2, 1, 1], 2, 3, 2);
        var r = v.Matmul(bt);
        r.Shape.Should().Equal(2, 2);
        r.ToArray<double>().Should().Equal(4, 5, 5, 7); // [1+0+3, 0+2+3], [2+0+3, 0+4+3]
    }

    [Test]
    public void BatchDimsBroadcast()
    {
        // [2, 1, 3, 4]·[5, 4, 2] → [2, 5, 3, 2]
        var a = Values(2 * 3 * 4, 1); var b = Values(5 * 4 * 2, 2);
        var y = F64(a, 2, 1, 3, 4).Matmul(F64(b, 5, 4, 2));
        y.Shape.Should().Equal(2, 5, 3, 2);
        y.ToArray<double>().ShouldBeClose(Batched(a, b, 10, 3, 4, 2, q => q / 5, q => q % 5));
        // A matrix against a batch (b broadcast along the batch is folded into one product).
        var x = Values(4 * 7 * 3, 3); var w = Values(3 * 5, 4);
        F64(x, 4, 7, 3).Matmul(F64(w, 3, 5)).ToArray<double>().ShouldBeClose(Batched(x, w, 4, 7, 3, 5, q => q, _ => 0));
        F64(w, 5, 3).Matmul(F64(x, 4, 3, 7)).ToArray<double>().ShouldBeClose(Batched(w, x, 4, 5, 3, 7, _ => 0, q => q));
    }

    [Test]
    public void Float32AgreesAndIntegersAreExact()
    {
        var a = Tensor.Randn([3, 37, 41], new Generator(1), dtype: DType.Float64);
        var b = Tensor.Randn([41, 29], new Generator(2), dtype: DType.Float64);
        var expected = a.Matmul(b).ToArray<double>();
        var got = a.To(DType.Float32).Matmul(b.To(DType.Float32)).To(DType.Float64).ToArray<double>();
        for (int i = 0; i < got.Length; i++) got[i].Should().BeApproximately(expected[i], 1e-4 * (1 + Math.Abs(expected[i])));
        var ia = Tensor.FromArray(new long[] { 1, 2, 3, 4 }, 2, 2);
        var p = ia.Matmul(ia);
        p.DType.Should().Be(DType.Int64);
        p.ToArray<long>().Should().Equal(7, 10, 15, 22);
        // Mixed dtypes promote: Int64·Float64 → Float64.
        ia.Matmul(F64([1, 1], 2)).ToArray<double>().Should().Equal(3, 7);
    }

    [Test]
    public void EmptyInnerDimensionGivesZeros()
    {
        var y = Tensor.Zeros(3, 0).Matmul(Tensor.Zeros(0, 2));
        y.Shape.Should().Equal(3, 2);
        y.ToArray<float>().Should().AllBeEquivalentTo(0f);
    }

    [Test]
    public void GradCheckEveryRankCombination()
    {
        CheckGrad(t => t[0].Matmul(t[1]), RandomF64(1, 4), RandomF64(2, 4));
        CheckGrad(t => t[0].Matmul(t[1]), RandomF64(3, 3, 4), RandomF64(4, 4));
        CheckGrad(t => t[0].Matmul(t[1]), RandomF64(5, 4), RandomF64(6, 2, 4, 3));
        CheckGrad(t => t[0].Matmul(t[1]), RandomF64(7, 3, 4), RandomF64(8, 4, 5));
        CheckGrad(t => t[0].Matmul(t[1]), RandomF64(9, 2, 3, 4), RandomF64(10, 4, 2));   // b shared by the batch
        CheckGrad(t => t[0].Matmul(t[1]), RandomF64(11, 3, 4), RandomF64(12, 2, 4, 2));  // a shared by the batch
        CheckGrad(t => t[0].Matmul(t[1]), RandomF64(13, 2, 1, 3, 4), RandomF64(14, 3, 4, 2));
        // Transposed and strided views as operands.
        CheckGrad(t => t[0].Transpose(0, 1).Matmul(t[1].Narrow(1, 1, 3)), RandomF64(15, 4, 3), RandomF64(16, 4, 5));
    }

    [Test]
    public void LinearIsXTimesWeightTransposedPlusBias()
    {
        var x = Values(2 * 3 * 4, 1); var w = Values(5 * 4, 2); var b = Values(5, 3);
        var y = F64(x, 2, 3, 4).Linear(F64(w, 5, 4), F64(b, 5));
        y.Shape.Should().Equal(2, 3, 5);
        var expected = new double[6 * 5];
        for (int r = 0; r < 6; r++)
            for (int o = 0; o < 5; o++)
            {
                expected[r * 5 + o] = b[o];
                for (int i = 0; i < 4; i++) expected[r * 5 + o] += x[r * 4 + i] * w[o * 4 + i];
            }
        y.ToArray<double>().ShouldBeClose(expected);
        F64(x[..4], 4).Linear(F64(w, 5, 4)).ToArray<double>().ShouldBeClose(expected[..5].Select((v, o) => v - b[o]).ToArray());
        CheckGrad(t => t[0].Linear(t[1], t[2]), RandomF64(4, 2, 3, 4), RandomF64(5, 5, 4), RandomF64(6, 5));
        CheckGrad(t => t[0].Transpose(0, 1).Linear(t[1]), RandomF64(7, 4, 3), RandomF64(8, 2, 4));
    }

    [Test]
    public void LinearWeightGradientIsContiguous()
    {
        var w = Tensor.Randn([5, 4]).RequiresGrad_();
        Tensor.Randn([3, 4]).Linear(w).Sum().Backward();
        w.Grad!.Shape.Should().Equal(5, 4);
        w.Grad.IsContiguous.Should().BeTrue();
    }

    [Test]
    public void BadShapesNameTheOpAndShapes()
    {
        FluentActions.Invoking(() => Tensor.Zeros(2, 3).Matmul(Tensor.Zeros(4, 5))).Should().Throw<ArgumentException>()
            .WithMessage("matmul: shapes [2, 3] and [4, 5] do not match: inner dimensions 3 and 4 differ");
        FluentActions.Invoking(() => Tensor.Zeros(2, 2, 3).Matmul(Tensor.Zeros(3, 3, 5))).Should().Throw<ArgumentException>()
            .WithMessage("matmul: batch dimensions of shapes [2, 2, 3] and [3, 3, 5] cannot be broadcast together");
        FluentActions.Invoking(() => Tensor.Scalar(1).Matmul(Tensor.Zeros(3))).Should().Throw<ArgumentException>()
            .WithMessage("matmul: both operands need at least one dimension*[]*[3]*");
        FluentActions.Invoking(() => Tensor.Zeros(2, 3).Linear(Tensor.Zeros(4, 2))).Should().Throw<ArgumentException>()
            .WithMessage("linear: expects input [*, in] and weight [out, in], got input [2, 3], weight [4, 2]");
        FluentActions.Invoking(() => Tensor.Zeros(2, 3).Linear(Tensor.Zeros(4, 3), Tensor.Zeros(3))).Should().Throw<ArgumentException>()
            .WithMessage("linear: bias must be [4]*bias [3]*");
    }
}
