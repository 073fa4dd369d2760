using System.Numerics;
using System.Numerics.Tensors;

namespace Spike.Cpu;

/// <summary>A reduction over one contiguous row: SIMD for the row, plus the identity for empty rows.</summary>
internal interface IRowReduction<T> where T : unmanaged
{
    static abstract T Reduce(ReadOnlySpan<T> row);
}

public sealed partial class CpuBackend
{
    public void Reduce(ReduceOp op, Tensor x, Tensor dst)
    {
        switch (x.DType)
        {
            case DType.Float32: ReduceNumber<float>(op, x, dst); break;
            case DType.Float64: ReduceNumber<double>(op, x, dst); break;
            case DType.Int32: ReduceNumber<int>(op, x, dst); break;
            case DType.Int64: ReduceNumber<long>(op, x, dst); break;
            case DType.UInt8: ReduceNumber<byte>(op, x, dst); break;
            default: throw new NotSupportedException($"{op}: not defined for {x.DType} tensors");
        }
    }

    static void ReduceNumber<T>(ReduceOp op, Tensor x, Tensor dst) where T : unmanaged, INumber<T>
    {
        switch (op)
        {
            case ReduceOp.Sum: Rows<T, SumRow<T>>(x, dst); break;
            default: throw new NotSupportedException($"reduce: {op} is not implemented on the CPU");
        }
    }

    /// <summary>x: [outer, inner] contiguous; dst: [outer] contiguous; one row per output element.</summary>
    static void Rows<T, TOp>(Tensor x, Tensor dst) where T : unmanaged where TOp : IRowReduction<T>
    {
        var s = Data<T>(x); var d = Data<T>(dst);
        int outer = x.Layout.Shape[0], inner = x.Layout.Shape[1], xo = x.Layout.Offset, dOff = dst.Layout.Offset;
        void Row(int r) => d[dOff + r] = TOp.Reduce(s.AsSpan(xo + r * inner, inner));
        if ((long)outer * inner >= Strided.ParallelThreshold && outer > 1)
        {
            int parts = Math.Min(outer, Environment.ProcessorCount * 4);
            Parallel.For(0, parts, p =>
            {
                int a = (int)((long)outer * p / parts), b = (int)((long)outer * (p + 1) / parts);
                for (int r = a; r < b; r++) Row(r);
            });
        }
        else for (int r = 0; r < outer; r++) Row(r);
    }

    struct SumRow<T> : IRowReduction<T> where T : unmanaged, INumber<T>
    {
        public static T Reduce(ReadOnlySpan<T> row) => TensorPrimitives.Sum(row);
    }
}
