using System.Numerics;
using System.Numerics.Tensors;

namespace Spike.Cpu;

public sealed partial class CpuBackend
{
    public void Softmax(Tensor x, Tensor dst, bool log)
    {
        if (Float16Widening.Widen(this, [x], [dst], w => Softmax(w[0], w[1], log))) return;
        switch (x.DType)
        {
            case DType.Float32 when Inner(x) > 1: SoftmaxColumns<float>(x, dst, log); break;
            case DType.Float64 when Inner(x) > 1: SoftmaxColumns<double>(x, dst, log); break;
            case DType.Float32: SoftmaxRows<float>(x, dst, log); break;
            case DType.Float64: SoftmaxRows<double>(x, dst, log); break;
            default: throw new NotSupportedException($"softmax: not defined for {x.DType} tensors");
        }
    }

    public void SoftmaxBackward(Tensor y, Tensor g, Tensor dx, bool log)
    {
        if (Float16Widening.Widen(this, [y, g], [dx], w => SoftmaxBackward(w[0], w[1], w[2], log))) return;
        switch (y.DType)
        {
            case DType.Float32 when Inner(y) > 1: SoftmaxBackwardColumns<float>(y, g, dx, log); break;
            case DType.Float64 when Inner(y) > 1: SoftmaxBackwardColumns<double>(y, g, dx, log); break;
            case DType.Float32: SoftmaxBackwardRows<float>(y, g, dx, log); break;
            case DType.Float64: SoftmaxBackwardRows<double>(y, g, dx, log); break;
            default: throw new NotSupportedException($"softmax backward: not defined for {y.DType} tensors");
        }
    }

    /// <summary>The trailing size of an [outer, n, inner] operand; 1 means plain rows.</summary>
    static int Inner(Tensor t) => t.Layout.Shape[2];

    // x, dst: [outer, n, 1] contiguous. Three SIMD passes per row; the max keeps every exponent ≤ 0, so nothing overflows.
    static void SoftmaxRows<T>(Tensor x, Tensor dst, bool log) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var s = Data<T>(x); var d = Data<T>(dst);
        int outer = x.Layout.Shape[0], n = x.Layout.Shape[1], xo = x.Layout.Offset, dOff = dst.Layout.Offset;
        if (n == 0) return;
        ParallelRows(outer, n, r =>
        {
            var row = s.AsSpan(xo + r * n, n);
            var o = d.AsSpan(dOff + r * n, n);
            T m = TensorPrimitives.Max(row);
            // A row of −∞ (fully masked) has no finite maximum: shift by 0 so the result is NaN as in PyTorch, not a crash.
            if (T.IsNegativeInfinity(m)) m = T.Zero;
            TensorPrimitives.Subtract(row, m, o);
            TensorPrimitives.Exp(o, o);
            T sum = TensorPrimitives.Sum<T>(o);
            if (log) TensorPrimitives.Subtract(row, m + T.Log(sum), o);
            else TensorPrimitives.Multiply(o, T.One / sum, o);
        });
    }

    // y, g, dx: [outer, n, 1] contiguous.
    static void SoftmaxBackwardRows<T>(Tensor y, Tensor g, Tensor dx, bool log) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var ys = Data<T>(y); var gs = Data<T>(g); var d = Data<T>(dx);
        int outer = y.Layout.Shape[0], n = y.Layout.Shape[1], yo = y.Layout.Offset, go = g.Layout.Offset, dOff = dx.Layout.Offset;
        ParallelRows(outer, n, r =>
        {
            var yr = ys.AsSpan(yo + r * n, n);
            var gr = gs.AsSpan(go + r * n, n);
            var o = d.AsSpan(dOff + r * n, n);
            if (log)
            {
                T sum = TensorPrimitives.Sum<T>(gr);
                TensorPrimitives.Exp(yr, o);
                TensorPrimitives.Multiply(o, sum, o);
                TensorPrimitives.Subtract(gr, o, o);
            }
            else
            {
                T dot = TensorPrimitives.Dot<T>(gr, yr);
                TensorPrimitives.Subtract(gr, dot, o);
                TensorPrimitives.Multiply(o, yr, o);
            }
        });
    }

    // ---- cumulative sum -----------------------------------------------------------------------------

    public void Cumsum(Tensor x, Tensor dst, bool reverse)
    {
        if (Float16Widening.Widen(this, [x], [dst], w => Cumsum(w[0], w[1], reverse))) return;
        if (Inner(x) > 1)
        {
            switch (x.DType)
            {
                case DType.Float32: CumsumColumns<float>(x, dst, reverse); return;
                case DType.Float64: CumsumColumns<double>(x, dst, reverse); return;
                case DType.Int32: CumsumColumns<int>(x, dst, reverse); return;
                case DType.Int64: CumsumColumns<long>(x, dst, reverse); return;
                case DType.UInt8: CumsumColumns<byte>(x, dst, reverse); return;
            }
        }
        switch (x.DType)
        {
            case DType.Float32: CumsumRows<float>(x, dst, reverse); break;
            case DType.Float64: CumsumRows<double>(x, dst, reverse); break;
            case DType.Int32: CumsumRows<int>(x, dst, reverse); break;
            case DType.Int64: CumsumRows<long>(x, dst, reverse); break;
            case DType.UInt8: CumsumRows<byte>(x, dst, reverse); break;
            default: throw new NotSupportedException($"cumsum: not defined for {x.DType} tensors");
        }
    }

    // x, dst: [outer, n, 1] contiguous. A sequential scan per row (the sum order is the element order); rows in parallel.
    static void CumsumRows<T>(Tensor x, Tensor dst, bool reverse) where T : unmanaged, INumber<T>
    {
        var s = Data<T>(x); var d = Data<T>(dst);
        int outer = x.Layout.Shape[0], n = x.Layout.Shape[1], xo = x.Layout.Offset, dOff = dst.Layout.Offset;
        ParallelRows(outer, n, r =>
        {
            var row = s.AsSpan(xo + r * n, n);
            var o = d.AsSpan(dOff + r * n, n);
            T acc = T.Zero;
            if (reverse) for (int i = n - 1; i >= 0; i--) { acc += row[i]; o[i] = acc; }
            else for (int i = 0; i < n; i++) { acc += row[i]; o[i] = acc; }
        });
    }
}
