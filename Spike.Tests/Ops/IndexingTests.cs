using FluentAssertions;
using NUnit.Framework;

namespace Spike.Tests.Ops;

using static TestUtil;

public class IndexingTests
{
    static Tensor L(params long[] v) => Tensor.FromArray(v);

    [Test]
    public void IndexSelectAlongEachAxis()
    {
        int[] shape = [3, 4, 5];
        var data = Values(60, 2);
        var x = Tensor.FromArray(data, shape);
        long[] pick = [2, 0, 2];
        for (int axis = 0; axis < 3; axis++)
        {
            var y = x.IndexSelect(axis, L(pick));
            var outShape = (int[])shape.Clone();
            outShape[axis] = 3;
            y.Shape.Should().Equal(outShape);
            var got = y.ToArray<double>();
            for (int flat = 0; flat < got.Length; flat++)
            {
                var idx = Reference.Unravel(flat, outShape);
                idx[axis] = (int)pick[idx[axis]];
                got[flat].Should().Be(data[Reference.Ravel(idx, shape)]);
            }
            // Int32 indices and a strided input give the same.
            x.IndexSelect(axis, Tensor.FromArray(new[] { 2, 0, 2 })).ToArray<double>().Should().Equal(got);
        }
        var t = x.Transpose(0, 2);
        t.IndexSelect(1, L(3, 1)).ToArray<double>().Should().Equal(t.Contiguous().IndexSelect(1, L(3, 1)).ToArray<double>());
        // A strided index (every other element) and a 0-d index.
        var wide = L(1, 9, 0, 9, 2, 9);
        x.IndexSelect(0, Raw.Narrow(Raw.Reshape(wide, 3, 2), 1, 0, 1).Reshape(3)).ToArray<double>().Should().Equal(x.IndexSelect(0, L(1, 0, 2)).ToArray<double>());
        x.IndexSelect(1, Tensor.Scalar(3, DType.Int64)).Shape.Should().Equal(3, 1, 5);
        x.IndexSelect(0, Tensor.Zeros([0], DType.Int64)).Shape.Should().Equal(0, 4, 5);
    }

    [Test]
    public void GatherAndScatterAddMatchLoops()
    {
        // torch.gather docs example: out[i][j] = x[i][index[i][j]] (axis 1).
        var x = Tensor.FromArray(new[] { 1.0, 2, 3, 4 }, 2, 2);
        x.Gather(1, Tensor.FromArray(new long[] { 0, 0, 1, 0 }, 2, 2)).ToArray<double>().Should().Equal(1, 1, 4, 3);
        // Axis 0 with an index smaller than x off the axis.
        var y = Tensor.FromArray(Values(12, 3), 3, 4);
        var ix = Tensor.FromArray(new long[] { 2, 0, 1, 1, 0, 2 }, 2, 3);
        var g = y.Gather(0, ix).ToArray<double>();
        var yd = y.ToArray<double>();
        var ixd = ix.ToArray<long>();
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 3; j++)
                g[i * 3 + j].Should().Be(yd[ixd[i * 3 + j] * 4 + j]);
        // scatter_add: duplicates accumulate; src larger than index is allowed.
        var src = Tensor.FromArray(new[] { 1.0, 2, 3, 4, 5, 6, 7, 8 }, 2, 4);
        var idx = Tensor.FromArray(new long[] { 0, 1, 0, 2, 2, 2 }, 2, 3);
        var z = Tensor.Zeros([3, 3], DType.Float64).ScatterAdd(1, idx, src);
        // Row 0: cols 0,1,0 get 1,2,3 -> [4, 2, 0]; row 1: cols 2,2,2 get 5,6,7 -> [0, 0, 18]; row 2 untouched.
        z.ToArray<double>().Should().Equal(4, 2, 0, 0, 0, 18, 0, 0, 0);
        var inPlace = Tensor.Ones([3, 3], DType.Float64);
        Raw.ScatterAdd_(inPlace, 1, idx, src);
        inPlace.ToArray<double>().Should().Equal(5, 3, 1, 1, 1, 19, 1, 1, 1);
        // Index-select pattern (stride-0 index along rows) on a long row takes the row-copy path.
        var rows = Tensor.FromArray(Values(2 * 300, 5), 2, 300);
        rows.IndexSelect(0, L(1, 1, 0)).ToArray<double>().Should().Equal([.. rows.ToArray<double>()[300..], .. rows.ToArray<double>()[300..], .. rows.ToArray<double>()[..300]]);
    }

    [Test]
    public void RowCopyAndRowAddPathsAtAwkwardLengths()
    {
        foreach (var n in Enumerable.Range(0, 258))
        {
            var data = Enumerable.Range(0, 3).SelectMany(r => Reference.Row(n, r)).ToArray();
            var x = Tensor.FromArray(data, 3, n);
            x.IndexSelect(0, L(2, 0, 2)).ToArray<double>().Should().Equal([.. data[(2 * n)..], .. data[..n], .. data[(2 * n)..]], $"n={n}");
            // Rows 0 and 2 of x added into rows 1 and 1 of an accumulator (index constant along each row).
            var acc = Tensor.Ones([2, n], DType.Float64);
            Raw.ScatterAdd_(acc, 0, Raw.Expand(Tensor.FromArray(new long[] { 1, 1 }, 2, 1), 2, n), Raw.IndexSelect(x, 0, L(0, 2)));
            var expected = Enumerable.Repeat(1.0, n).Concat(Enumerable.Range(0, n).Select(i => 1 + data[i] + data[2 * n + i])).ToArray();
            acc.ToArray<double>().ShouldBeClose(expected, 1e-15);
        }
    }

    [Test]
    public void OneHotAndFlip()
    {
        var oh = L(2, 0, 1).OneHot(4);
        oh.DType.Should().Be(DType.Int64);
        oh.Shape.Should().Equal(3, 4);
        oh.ToArray<long>().Should().Equal(0, 0, 1, 0, 1, 0, 0, 0, 0, 1, 0, 0);
        L(1, 3).OneHot().Shape.Should().Equal(2, 4);
        var f = Tensor.FromArray(new long[] { 1, 0 }, 2, 1).OneHot(2, DType.Float32);
        f.Shape.Should().Equal(2, 1, 2);
        f.ToArray<float>().Should().Equal(0f, 1f, 1f, 0f);
        Tensor.FromArray(new[] { 0, 1 }).OneHot(2).ToArray<long>().Should().Equal(1, 0, 0, 1);

        var x = Tensor.Arange(0, 24, 1, DType.Float64).Reshape(2, 3, 4);
        var data = x.ToArray<double>();
        foreach (var axes in new int[][] { [0], [1], [2], [0, 2], [-1, 1], [0, 1, 2], [] })
        {
            var got = x.Flip(axes).ToArray<double>();
            var norm = axes.Select(a => (a + 3) % 3).ToArray();
            for (int flat = 0; flat < 24; flat++)
            {
                var idx = Reference.Unravel(flat, [2, 3, 4]);
                foreach (var a in norm) idx[a] = x.Shape[a] - 1 - idx[a];
                got[flat].Should().Be(data[Reference.Ravel(idx, [2, 3, 4])]);
            }
            x.Transpose(0, 2).Flip(axes).ToArray<double>().Should().Equal(x.Transpose(0, 2).Contiguous().Flip(axes).ToArray<double>());
        }
        // Contiguous reversal at SIMD-awkward lengths.
        foreach (var n in Enumerable.Range(0, 258))
        {
            var v = Reference.Row(n);
            Tensor.FromArray(v).Flip(0).ToArray<double>().Should().Equal(v.Reverse());
        }
        Tensor.FromArray(new[] { true, false, false }).Flip(0).ToArray<bool>().Should().Equal(false, false, true);
    }

    [Test]
    public void GradChecks()
    {
        var x = RandomF64(7, 3, 4, 5);
        CheckGrad(t => t[0].IndexSelect(1, L(3, 0, 3, 3)), x);
        CheckGrad(t => t[0].IndexSelect(0, L(2, 2)), x);
        CheckGrad(t => t[0].Transpose(0, 2).IndexSelect(2, L(1, 0, 1)), x);
        var ix = Tensor.FromArray(new long[] { 0, 3, 3, 1, 2, 2, 0, 0, 1, 1, 3, 2 }, 3, 2, 2);
        CheckGrad(t => t[0].Gather(1, ix), x);
        CheckGrad(t => t[0].Flip(0, 2), x);
        CheckGrad(t => t[0].Permute(2, 1, 0).Flip(1), x);
        var src = RandomF64(8, 3, 3, 5);
        var sx = Tensor.FromArray(new long[] { 0, 3, 3, 1, 2, 2, 0, 0, 1, 1, 3, 2 }, 3, 2, 2);
        CheckGrad(t => t[0].ScatterAdd(1, sx, t[1]), x, src);
        CheckGrad(t => t[0].ScatterAdd(1, sx, t[1] * 2), x, RandomF64(9, 3, 2, 2));
    }

    [Test]
    public void IndicesGetNoGradientAndIntegerDataWorks()
    {
        var x = Tensor.FromArray(new[] { 1.0, 2, 3 }).RequiresGrad_();
        var y = x.IndexSelect(0, L(2, 2, 0));
        y.Sum().Backward();
        x.Grad!.ToArray<double>().Should().Equal(1, 0, 2);
        Tensor.FromArray(new[] { 5, 6, 7 }).Gather(0, L(2, 1)).ToArray<int>().Should().Equal(7, 6);
    }

    [Test]
    public void OutOfRangeIndicesRaiseBeforeTouchingMemory()
    {
        var x = Tensor.Zeros(3, 4);
        FluentActions.Invoking(() => x.IndexSelect(1, L(0, 4))).Should().Throw<IndexOutOfRangeException>()
            .WithMessage("index_select: index 4 is out of range for axis 1 of size 4 (shape [3, 4])");
        FluentActions.Invoking(() => x.IndexSelect(0, L(-1))).Should().Throw<IndexOutOfRangeException>()
            .WithMessage("index_select: index -1 is out of range for axis 0 of size 3 (shape [3, 4])");
        FluentActions.Invoking(() => x.Gather(1, Tensor.FromArray(new long[] { 0, 7 }, 1, 2))).Should().Throw<IndexOutOfRangeException>()
            .WithMessage("gather: index 7 is out of range for axis 1 of size 4 (shape [3, 4])");
        var dst = Tensor.Zeros(2, 2);
        FluentActions.Invoking(() => Raw.ScatterAdd_(dst, 0, Tensor.FromArray(new long[] { 0, 2 }, 1, 2), Tensor.Ones(1, 2)))
            .Should().Throw<IndexOutOfRangeException>().WithMessage("scatter_add: index 2 is out of range for axis 0 of size 2 (shape [2, 2])");
        dst.ToArray<float>().Should().Equal(0f, 0f, 0f, 0f);
        FluentActions.Invoking(() => L(1, 5).OneHot(3)).Should().Throw<IndexOutOfRangeException>()
            .WithMessage("one_hot: index 5 is out of range for axis 1 of size 3 (shape [2, 3])");
        FluentActions.Invoking(() => L(-2).OneHot(3)).Should().Throw<IndexOutOfRangeException>().WithMessage("one_hot: index -2*");
    }

    [Test]
    public void ShapeAndDTypeErrors()
    {
        var x = Tensor.Zeros(3, 4);
        FluentActions.Invoking(() => x.IndexSelect(0, Tensor.FromArray(new[] { 1f }))).Should().Throw<ArgumentException>()
            .WithMessage("index_select: index must be Int64 or Int32, got Float32 of shape [1]");
        FluentActions.Invoking(() => x.IndexSelect(0, Tensor.Zeros([1, 1], DType.Int64))).Should().Throw<ArgumentException>()
            .WithMessage("index_select: index must be 0-d or 1-D, got shape [1, 1] (input shape [3, 4])");
        FluentActions.Invoking(() => x.Gather(1, Tensor.Zeros([4, 1], DType.Int64))).Should().Throw<ArgumentException>()
            .WithMessage("gather: index of shape [4, 1] does not fit input of shape [3, 4]*");
        FluentActions.Invoking(() => x.Gather(0, L(0))).Should().Throw<ArgumentException>().WithMessage("gather: index of shape [1] does not fit*");
        FluentActions.Invoking(() => x.ScatterAdd(1, Tensor.Zeros([2, 3], DType.Int64), Tensor.Ones(2, 2))).Should().Throw<ArgumentException>()
            .WithMessage("scatter_add: index of shape [2, 3] does not fit source of shape [2, 2]");
        FluentActions.Invoking(() => Raw.ScatterAdd_(Raw.Expand(Tensor.Zeros(1, 4), 3, 4), 1, Tensor.Zeros([1, 1], DType.Int64), Tensor.Ones(1, 1)))
            .Should().Throw<ArgumentException>().WithMessage("scatter_add: destination * is a broadcast view*");
        FluentActions.Invoking(() => Tensor.FromArray(new[] { 1.0 }).OneHot(2)).Should().Throw<ArgumentException>()
            .WithMessage("one_hot: indices must be Int64 or Int32, got Float64 of shape [1]");
        FluentActions.Invoking(() => x.Flip(0, -2)).Should().Throw<ArgumentException>().WithMessage("flip: axis repeats in [0, -2]");
        FluentActions.Invoking(() => x.Flip(2)).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*flip: axis 2 is out of range*");
    }
}
