using NUnit.Framework;

namespace Spike.Tests.Cuda;

/// <summary>Row and column reductions, arg-reductions, variance, log-sum-exp, softmax (rows and columns, forward and
/// backward) and cumulative sums of the CUDA backend against the CPU backend, for every dtype each op accepts.
/// Rows of 37 and 70 elements exceed the host runtime's 32-thread blocks, so slices, the shared-memory tree and the
/// grid-stride over rows all take part.</summary>
[TestFixture("host")]
[TestFixture("gpu")]
public class ReduceParityTests(string runtime) : DeviceFixture(runtime)
{
    static double Tol(DType t) => t == DType.Float32 ? 1e-5 : 1e-12;

    [Test]
    public void SumProdMaxMinOverRowsAndColumnsForEveryNumericDtype()
    {
        foreach (var dtype in Numeric)
            foreach (var op in new[] { ReduceOp.Sum, ReduceOp.Prod, ReduceOp.Max, ReduceOp.Min })
            {
                // Values near 1 keep float products finite; integers wrap identically in any order.
                var x = op == ReduceOp.Prod && dtype.IsFloating() ? Raw.ToDType(Tensor.Rand([3, 37, 5], new Generator(4), 0.8, 1.2), dtype) : Values(dtype, (int)op, 3, 37, 5);
                foreach (var axes in new[] { new[] { 2 }, [1], [0, 1], [0, 2], [0, 1, 2] })
                    Same(Tol(dtype), i => Raw.Reduce(op, i[0], axes, keepDim: false), x);
            }
    }

    [Test]
    public void EmptyRowsGiveTheIdentityAndNanPropagatesThroughMaxAndMin()
    {
        foreach (var dtype in Numeric)
        {
            var empty = Tensor.Zeros([3, 0], dtype);
            Same(0, i => Raw.Reduce(ReduceOp.Sum, i[0], [1], false), empty);
            Same(0, i => Raw.Reduce(ReduceOp.Prod, i[0], [1], false), empty);
        }
        var x = Tensor.FromArray([1f, float.NaN, 3f, -2f, 5f, 0f, float.PositiveInfinity, 4f], 2, 4);
        foreach (var op in new[] { ReduceOp.Max, ReduceOp.Min, ReduceOp.Sum })
        {
            Same(0, i => Raw.Reduce(op, i[0], [1], false), x);
            Same(0, i => Raw.Reduce(op, i[0], [0], false), x);
        }
    }

    [Test]
    public void ArgMaxAndArgMinPickTheFirstExtremeAndNan()
    {
        foreach (var dtype in Numeric)
        {
            var x = Values(dtype, 11, 4, 70); // integers in [-9, 9]: many ties
            Same(0, i => Raw.ArgMax(i[0], 1, false), x);
            Same(0, i => Raw.ArgMin(i[0], 1, false), x);
            Same(0, i => Raw.ArgMax(i[0], 0, false), x);
            Same(0, i => Raw.ArgMax(i[0], null, false), x);
        }
        var nan = Tensor.FromArray([1.0, double.NaN, 7, double.NaN, 7, 2], 1, 6);
        Same(0, i => Raw.ArgMax(i[0], 1, false), nan);
        Same(0, i => Raw.ArgMin(i[0], 1, false), nan);
        Same(0, i => Raw.ArgMax(i[0], 1, false), Tensor.FromArray([3, 9, 9, 1], 1, 4));
    }

    [Test]
    public void AnyAllLogSumExpAndVariance()
    {
        var b = Values(DType.Bool, 3, 5, 40);
        Same(0, i => Raw.Any(i[0], [1], false), b);
        Same(0, i => Raw.All(i[0], [1], false), b);
        Same(0, i => Raw.All(i[0], [1], false), Tensor.Ones([3, 40], DType.Bool));
        foreach (var dtype in Reals)
        {
            var x = Values(dtype, 12, 4, 45);
            Same(Tol(dtype), i => Raw.LogSumExp(i[0], [1], false), x);
            Same(Tol(dtype), i => Raw.LogSumExp(i[0], [0], false), x);
            var special = Raw.ToDType(Tensor.FromArray([double.NegativeInfinity, double.NegativeInfinity, 1, double.PositiveInfinity, 2, double.NaN], 3, 2), dtype);
            Same(Tol(dtype), i => Raw.LogSumExp(i[0], [1], false), special);
            foreach (var correction in new[] { 0.0, 1.0, 45.0, 50.0 })
                Same(Tol(dtype), i => Raw.Var(i[0], [1], correction, false), x);
            Same(Tol(dtype), i => Raw.Var(i[0], [0], 1, false), x);
        }
    }

    [Test]
    public void SoftmaxAndLogSoftmaxAlongRowsAndLeadingAxesForwardAndBackward()
    {
        foreach (var dtype in Reals)
            foreach (var log in new[] { false, true })
            {
                var x = Values(dtype, 21, 3, 40, 2);
                var g = Values(dtype, 22, 3, 40, 2);
                foreach (var axis in new[] { 2, 1, 0 })
                {
                    Same(Tol(dtype), i => Raw.Softmax(i[0], axis, log), x);
                    Same(Tol(dtype), i => Raw.SoftmaxBackward(Raw.Softmax(i[0], axis, log), i[1], axis, log), x, g);
                }
            }
        // A fully masked row (all -inf) gives NaN on both devices; a large logit does not overflow.
        var masked = Tensor.FromArray([float.NegativeInfinity, float.NegativeInfinity, 80f, 1f], 2, 2);
        Same(1e-6, i => Raw.Softmax(i[0], 1), masked);
        Same(1e-6, i => Raw.Softmax(i[0], 1, log: true), masked);
    }

    [Test]
    public void CumsumForwardAndReverseForEveryNumericDtype()
    {
        foreach (var dtype in Numeric)
        {
            var x = Values(dtype, 31, 3, 2, 75);
            foreach (var reverse in new[] { false, true })
                foreach (var axis in new[] { 2, 1, 0 }) // rows (one block each), then columns
                    Same(Tol(dtype), i => Raw.Cumsum(i[0], axis, reverse), x);
        }
    }
}
