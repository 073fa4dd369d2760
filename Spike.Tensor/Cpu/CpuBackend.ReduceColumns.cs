using System.Numerics;
using System.Numerics.Tensors;

namespace Spike.Cpu;

/// <summary>Folds one contiguous row into an accumulator row, elementwise (SIMD).</summary>
internal interface IColumnFold<T> where T : unmanaged
{
    static abstract void Fold(Span<T> acc, ReadOnlySpan<T> row);
}

public sealed partial class CpuBackend
{
    /// <summary>Columns per work item when the column reduction is split across threads.</summary>
    const int ColumnBlock = 4096;

    public void ReduceColumns(ReduceOp op, Tensor x, Tensor dst)
    {
        if (Float16Widening.Widen(this, [x], [dst], w => ReduceColumns(op, w[0], w[1]))) return;
        switch (x.DType)
        {
            case DType.Float32: Columns<float>(op, x, dst); break;
            case DType.Float64: Columns<double>(op, x, dst); break;
            case DType.Int32: Columns<int>(op, x, dst); break;
            case DType.Int64: Columns<long>(op, x, dst); break;
            case DType.UInt8: Columns<byte>(op, x, dst); break;
            default: throw new NotSupportedException($"{op}: column reduction is not defined for {x.DType} tensors");
        }
    }

    static void Columns<T>(ReduceOp op, Tensor x, Tensor dst) where T : unmanaged, INumber<T>
    {
        switch (op)
        {
            case ReduceOp.Sum: Columns<T, AddFold<T>>(x, dst, T.Zero); break;
            case ReduceOp.Prod: Columns<T, MulFold<T>>(x, dst, T.One); break;
            case ReduceOp.Max: Columns<T, MaxFold<T>>(x, dst, T.Zero); break;
            case ReduceOp.Min: Columns<T, MinFold<T>>(x, dst, T.Zero); break;
            default: throw new NotSupportedException($"{op}: not a column reduction");
        }
    }

    // x: [outer, r, inner] contiguous; dst: [outer, inner]. Each column is folded over k in order, so the result does
    // not depend on how the (outer × column-block) work items are spread over threads.
    static void Columns<T, TFold>(Tensor x, Tensor dst, T identity) where T : unmanaged where TFold : IColumnFold<T>
    {
        var s = Data<T>(x); var d = Data<T>(dst);
        int outer = x.Layout.Shape[0], r = x.Layout.Shape[1], inner = x.Layout.Shape[2], xo = x.Layout.Offset, dOff = dst.Layout.Offset;
        int blocks = (inner + ColumnBlock - 1) / ColumnBlock;
        void Item(int item)
        {
            int o = item / blocks, c0 = item % blocks * ColumnBlock, n = Math.Min(ColumnBlock, inner - c0);
            var acc = d.AsSpan(dOff + o * inner + c0, n);
            if (r == 0) { acc.Fill(identity); return; }
            int b = xo + o * r * inner + c0;
            s.AsSpan(b, n).CopyTo(acc);
            for (int k = 1; k < r; k++) TFold.Fold(acc, s.AsSpan(b + k * inner, n));
        }
        int items = outer * blocks;
        if ((long)outer * r * inner >= Strided.ParallelThreshold && items > 1 && Environment.ProcessorCount > 1)
            WorkerTeam.For(0, items, Item);
        else for (int i = 0; i < items; i++) Item(i);
    }

    struct AddFold<T> : IColumnFold<T> where T : unmanaged, INumber<T>
    {
        public static void Fold(Span<T> acc, ReadOnlySpan<T> row) => TensorPrimitives.Add(acc, row, acc);
    }
    struct MulFold<T> : IColumnFold<T> where T : unmanaged, INumber<T>
    {
        public static void Fold(Span<T> acc, ReadOnlySpan<T> row) => TensorPrimitives.Multiply(acc, row, acc);
    }
    /// <summary>NaN propagates, as in the row reduction.</summary>
    struct MaxFold<T> : IColumnFold<T> where T : unmanaged, INumber<T>
    {
        public static void Fold(Span<T> acc, ReadOnlySpan<T> row) => TensorPrimitives.Max(acc, row, acc);
    }
    struct MinFold<T> : IColumnFold<T> where T : unmanaged, INumber<T>
    {
        public static void Fold(Span<T> acc, ReadOnlySpan<T> row) => TensorPrimitives.Min(acc, row, acc);
    }
}
