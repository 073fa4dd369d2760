using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;

namespace Spike.Cpu;

/// <summary>Softmax, its backward and cumsum along the middle axis of an [outer, n, inner] block with inner &gt; 1: whole
/// rows of inner elements are combined elementwise (SIMD), so no transposing copy is needed.</summary>
public sealed partial class CpuBackend
{
    /// <summary>Runs body(o, c0, count) over outer × blocks of <see cref="ColumnBlock"/> columns, in parallel when large.</summary>
    static void ColumnItems(int outer, int n, int inner, Action<int, int, int> body)
    {
        int blocks = (inner + ColumnBlock - 1) / ColumnBlock, items = outer * blocks;
        void Item(int i) { int o = i / blocks, c0 = i % blocks * ColumnBlock; body(o, c0, Math.Min(ColumnBlock, inner - c0)); }
        if ((long)outer * n * inner >= Strided.ParallelThreshold && items > 1 && Environment.ProcessorCount > 1) WorkerTeam.For(0, items, Item);
        else for (int i = 0; i < items; i++) Item(i);
    }

    // x, dst: [outer, n, inner] contiguous, n > 0. Per column block: running max, exp and sum, then scale (or subtract lse).
    static void SoftmaxColumns<T>(Tensor x, Tensor dst, bool log) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var s = Data<T>(x); var d = Data<T>(dst);
        int outer = x.Layout.Shape[0], n = x.Layout.Shape[1], inner = x.Layout.Shape[2], xo = x.Layout.Offset, dOff = dst.Layout.Offset;
        ColumnItems(outer, n, inner, (o, c0, w) =>
        {
            var pool = ArrayPool<T>.Shared.Rent(2 * w);
            var m = pool.AsSpan(0, w); var sum = pool.AsSpan(w, w);
            Span<T> X(int k) => s.AsSpan(xo + (o * n + k) * inner + c0, w);
            Span<T> D(int k) => d.AsSpan(dOff + (o * n + k) * inner + c0, w);
            X(0).CopyTo(m);
            for (int k = 1; k < n; k++) TensorPrimitives.Max(m, X(k), m);
            for (int i = 0; i < w; i++) if (T.IsNegativeInfinity(m[i])) m[i] = T.Zero; // fully masked column: NaN, as the rows
            sum.Clear();
            for (int k = 0; k < n; k++)
            {
                TensorPrimitives.Subtract(X(k), m, D(k));
                TensorPrimitives.Exp(D(k), D(k));
                TensorPrimitives.Add(sum, D(k), sum);
            }
            if (log)
            {
                TensorPrimitives.Log(sum, sum);
                TensorPrimitives.Add(sum, m, sum);
                for (int k = 0; k < n; k++) TensorPrimitives.Subtract(X(k), sum, D(k));
            }
            else
            {
                TensorPrimitives.Reciprocal(sum, sum);
                for (int k = 0; k < n; k++) TensorPrimitives.Multiply(D(k), sum, D(k));
            }
            ArrayPool<T>.Shared.Return(pool);
        });
    }

    // y, g, dx: [outer, n, inner] contiguous. softmax: dx = y·(g − Σₖ g·y); log: dx = g − e^y·Σₖ g.
    static void SoftmaxBackwardColumns<T>(Tensor y, Tensor g, Tensor dx, bool log) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var ys = Data<T>(y); var gs = Data<T>(g); var d = Data<T>(dx);
        int outer = y.Layout.Shape[0], n = y.Layout.Shape[1], inner = y.Layout.Shape[2];
        int yo = y.Layout.Offset, go = g.Layout.Offset, dOff = dx.Layout.Offset;
        ColumnItems(outer, n, inner, (o, c0, w) =>
        {
            var pool = ArrayPool<T>.Shared.Rent(w);
            var acc = pool.AsSpan(0, w);
            Span<T> Y(int k) => ys.AsSpan(yo + (o * n + k) * inner + c0, w);
            Span<T> G(int k) => gs.AsSpan(go + (o * n + k) * inner + c0, w);
            Span<T> D(int k) => d.AsSpan(dOff + (o * n + k) * inner + c0, w);
            acc.Clear();
            for (int k = 0; k < n; k++)
                if (log) TensorPrimitives.Add(acc, G(k), acc);
                else TensorPrimitives.FusedMultiplyAdd(G(k), Y(k), acc, acc);
            for (int k = 0; k < n; k++)
            {
                if (log)
                {
                    TensorPrimitives.Exp(Y(k), D(k));
                    TensorPrimitives.Multiply(D(k), acc, D(k));
                    TensorPrimitives.Subtract(G(k), D(k), D(k));
                }
                else
                {
                    TensorPrimitives.Subtract(G(k), acc, D(k));
                    TensorPrimitives.Multiply(D(k), Y(k), D(k));
                }
            }
            ArrayPool<T>.Shared.Return(pool);
        });
    }

    // x, dst: [outer, n, inner] contiguous: dst[o, k, :] = dst[o, k ∓ 1, :] + x[o, k, :], in order of k.
    static void CumsumColumns<T>(Tensor x, Tensor dst, bool reverse) where T : unmanaged, INumber<T>
    {
        var s = Data<T>(x); var d = Data<T>(dst);
        int outer = x.Layout.Shape[0], n = x.Layout.Shape[1], inner = x.Layout.Shape[2], xo = x.Layout.Offset, dOff = dst.Layout.Offset;
        ColumnItems(outer, n, inner, (o, c0, w) =>
        {
            Span<T> X(int k) => s.AsSpan(xo + (o * n + k) * inner + c0, w);
            Span<T> D(int k) => d.AsSpan(dOff + (o * n + k) * inner + c0, w);
            int first = reverse ? n - 1 : 0, step = reverse ? -1 : 1;
            X(first).CopyTo(D(first));
            for (int k = first + step; k >= 0 && k < n; k += step) TensorPrimitives.Add(D(k - step), X(k), D(k));
        });
    }
}
