using FluentAssertions;
using NUnit.Framework;

namespace Spike.Tests.Cuda;

/// <summary>Copy, casts, fill, unary, binary, where and the random fills of <see cref="Spike.Cuda.CudaBackend"/> against the CPU
/// backend: every op and every dtype, on strided and broadcast (stride 0) operands.</summary>
[TestFixture("host")]
[TestFixture("gpu")]
public class ElementwiseParityTests(string runtime) : DeviceFixture(runtime)
{
    /// <summary>Reals that probe rounding and saturation of every conversion.</summary>
    static readonly double[] Special = [double.NaN, double.PositiveInfinity, double.NegativeInfinity, -0.0, 0.7, -0.7, 1.5, 2.5, -2.5,
        1e10, -1e10, 300.5, -129.5, 255.9, 256.0, 2147483648.0, -3e9, 1e19, -1e19, 16777217, 3.999999, 42];

    [Test]
    public void CopyConvertsBetweenEveryPairOfDtypesThroughStrides()
    {
        foreach (var from in AllTypes)
            foreach (var to in AllTypes)
            {
                var src = from.IsFloating() ? Raw.ToDType(Tensor.FromArray(Special, 2, 11), from) : Values(from, 5, 2, 11);
                // Contiguous (one memcpy or one cast) and transposed source into a transposed destination.
                Contract(0, [src], dev => [Tensor.Zeros([2, 11], to, dev)], (b, i, o) => b.Copy(i[0], o[0]), $"{from} -> {to}");
                Contract(0, [src], dev => [Tensor.Zeros([2, 11], to, dev)],
                    (b, i, o) => b.Copy(Raw.Transpose(Raw.Reshape(i[0], 11, 2), 0, 1), o[0]), $"{from} -> {to} strided");
            }
    }

    [Test]
    public void FillConvertsTheValueOnceLikeTheCpu()
    {
        foreach (var dtype in AllTypes)
            foreach (var value in new[] { 2.5, -3.7, 1e10, 300, 0, double.NaN })
                Contract(0, [], dev => [Tensor.Zeros([3, 4], dtype, dev)], (b, _, o) => b.Fill(Raw.Narrow(Raw.Transpose(o[0], 0, 1), 0, 1, 2), value),
                    $"{dtype} {value}");
    }

    [Test]
    public void EveryUnaryOpOnEveryDtypeOnStridedInput()
    {
        foreach (var op in Enum.GetValues<UnaryOp>())
            foreach (var dtype in AllTypes)
            {
                var x = Values(dtype, (int)op, 4, 6);
                var (p0, p1) = op == UnaryOp.Clamp ? (-1.0, 1.5) : op == UnaryOp.PowScalar ? (2.5, 0) : (0, 0);
                double tol = dtype == DType.Float32 ? 2e-6 : 1e-13;
                Contract(tol, [x], dev => [Tensor.Zeros([6, 4], dtype, dev)], (b, i, o) => b.Unary(op, Raw.Transpose(i[0], 0, 1), o[0], p0, p1),
                    $"{op} on {dtype}");
            }
    }

    [Test]
    public void PowByTwoAndClampWithInfiniteOrCrossedBoundsMatchTheCpu()
    {
        foreach (var dtype in Numeric)
        {
            var x = Values(dtype, 9, 3, 5);
            Contract(0, [x], dev => [Tensor.Zeros([3, 5], dtype, dev)], (b, i, o) => b.Unary(UnaryOp.Clamp, i[0], o[0], double.NegativeInfinity, 4));
            Contract(0, [x], dev => [Tensor.Zeros([3, 5], dtype, dev)], (b, i, o) => b.Unary(UnaryOp.Clamp, i[0], o[0], -2, double.PositiveInfinity));
            Contract(0, [x], dev => [Tensor.Zeros([3, 5], dtype, dev)], (b, i, o) => b.Unary(UnaryOp.Clamp, i[0], o[0], 3, -1));   // lo > hi gives hi
        }
        Contract(0, [Values(DType.Float32, 3, 7)], dev => [Tensor.Zeros([7], DType.Float32, dev)], (b, i, o) => b.Unary(UnaryOp.PowScalar, i[0], o[0], 2, 0));
    }

    [Test]
    public void EveryBinaryOpOnEveryDtypeBroadcastsThroughStrideZero()
    {
        foreach (var op in Enum.GetValues<BinaryOp>())
            foreach (var dtype in AllTypes)
            {
                var a = Values(dtype, 2 + (int)op, 3, 1, 4);
                var b0 = Values(dtype, 30 + (int)op, 5, 1);
                var outType = op >= BinaryOp.Eq ? DType.Bool : dtype;
                double tol = dtype == DType.Float32 ? 2e-6 : 1e-13;
                Contract(tol, [a, b0], dev => [Tensor.Zeros([3, 5, 4], outType, dev)],
                    (b, i, o) => b.Binary(op, Raw.Expand(i[0], 3, 5, 4), Raw.Expand(i[1], 3, 5, 4), o[0]), $"{op} on {dtype}");
            }
    }

    [Test]
    public void MaximumAndMinimumPropagateNanAndOrderSignedZeros()
    {
        var a = Tensor.FromArray([float.NaN, 1f, -0f, 0f, 2f, float.NegativeInfinity]);
        var b0 = Tensor.FromArray([1f, float.NaN, 0f, -0f, 2f, -5f]);
        foreach (var op in new[] { BinaryOp.Maximum, BinaryOp.Minimum })
            Contract(0, [a, b0], dev => [Tensor.Zeros([6], DType.Float32, dev)], (b, i, o) => b.Binary(op, i[0], i[1], o[0]), op.ToString());
    }

    [Test]
    public void WhereSelectsEveryDtypeWithBroadcasting()
    {
        var cond = Values(DType.Bool, 4, 3, 1);
        foreach (var dtype in AllTypes)
            Contract(0, [cond, Values(dtype, 5, 1, 4), Values(dtype, 6, 3, 4)], dev => [Tensor.Zeros([3, 4], dtype, dev)],
                (b, i, o) => b.Where(Raw.Expand(i[0], 3, 4), Raw.Expand(i[1], 3, 4), i[2], o[0]), dtype.ToString());
    }

    [Test]
    public void RandomFillsDrawTheCpuNumbersIntoStridedDestinations()
    {
        foreach (var kind in Enum.GetValues<RandomKind>())
            foreach (var dtype in new[] { DType.Float32, DType.Float64, DType.Int32, DType.Bool })
            {
                var (p0, p1) = kind switch { RandomKind.Uniform => (-2.0, 5.0), RandomKind.Normal => (1.0, 3.0), _ => (0.3, 0.0) };
                double tol = kind == RandomKind.Normal ? 1e-12 : 0;
                Contract(tol, [], dev => [Tensor.Zeros([7, 9], dtype, dev)],
                    (b, _, o) => b.Random(kind, Raw.Transpose(o[0], 0, 1), 1234, (1UL << 33) + 5, p0, p1), $"{kind} {dtype}");
            }
    }

    [Test]
    public void DropoutMaskMatchesTheCpuBitForBit()
    {
        foreach (var dtype in Reals)
            foreach (var p in new[] { 0.0, 0.3, 1.0 })
                Contract(0, [], dev => [Tensor.Zeros([5, 13], dtype, dev)], (b, _, o) => b.DropoutMask(o[0], 77, 1000, p), $"{dtype} p={p}");
    }

    [Test]
    public void TensorsRoundTripThroughTheDeviceWithTheirValues()
    {
        foreach (var dtype in AllTypes)
        {
            var x = Values(dtype, 8, 3, 4);
            var view = Raw.Narrow(Raw.Transpose(x, 0, 1), 0, 1, 2);
            var back = Back(Dev(view));
            back.Layout.Shape.Should().Equal(2, 3);
            ShouldMatch(back, Raw.Contiguous(view), 0, dtype.ToString());
            ShouldMatch(Back(Raw.Transpose(Dev(x), 0, 1)), Raw.Contiguous(Raw.Transpose(x, 0, 1)), 0, "a strided device tensor comes back contiguous");
        }
    }
}
