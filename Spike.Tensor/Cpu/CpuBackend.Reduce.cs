using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace Spike.Cpu;

/// <summary>A reduction of one contiguous row to one value (SIMD inside the row).</summary>
internal interface IRowReduction<T, TR> where T : unmanaged where TR : unmanaged
{
    static abstract TR Reduce(ReadOnlySpan<T> row);
}

/// <summary>An associative row reduction: long rows are cut into fixed chunks whose partials are combined in order,
/// so the result does not depend on the number of threads that computed the chunks.</summary>
internal interface IChunkedReduction<T> : IRowReduction<T, T> where T : unmanaged
{
    static abstract T Combine(T a, T b);
}

public sealed partial class CpuBackend
{
    /// <summary>Rows longer than this are reduced chunk by chunk (and the chunks of one long row in parallel).</summary>
    internal const int ReduceChunk = 1 << 16;

    public void Reduce(ReduceOp op, Tensor x, Tensor dst)
    {
        if (Float16Widening.Widen(this, [x], [dst], w => Reduce(op, w[0], w[1]))) return;
        switch (x.DType)
        {
            case DType.Float32: ReduceFloat<float>(op, x, dst); break;
            case DType.Float64: ReduceFloat<double>(op, x, dst); break;
            case DType.Int32: ReduceNumber<int>(op, x, dst); break;
            case DType.Int64: ReduceNumber<long>(op, x, dst); break;
            case DType.UInt8: ReduceNumber<byte>(op, x, dst); break;
            case DType.Bool when op == ReduceOp.Any: Chunked<bool, AnyRow>(x, dst); break;
            case DType.Bool when op == ReduceOp.All: Chunked<bool, AllRow>(x, dst); break;
            default: throw new NotSupportedException($"{op}: not defined for {x.DType} tensors");
        }
    }

    static void ReduceFloat<T>(ReduceOp op, Tensor x, Tensor dst) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (op == ReduceOp.LogSumExp) Rows<T, T, LogSumExpRow<T>>(x, dst);
        else ReduceNumber<T>(op, x, dst);
    }

    static void ReduceNumber<T>(ReduceOp op, Tensor x, Tensor dst) where T : unmanaged, INumber<T>
    {
        switch (op)
        {
            case ReduceOp.Sum: Chunked<T, SumRow<T>>(x, dst); break;
            case ReduceOp.Prod: Chunked<T, ProdRow<T>>(x, dst); break;
            case ReduceOp.Max: Chunked<T, MaxRow<T>>(x, dst); break;
            case ReduceOp.Min: Chunked<T, MinRow<T>>(x, dst); break;
            case ReduceOp.ArgMax: ArgRows<T>(x, dst, max: true); break;
            case ReduceOp.ArgMin: ArgRows<T>(x, dst, max: false); break;
            default: throw new NotSupportedException($"reduce: {op} is not defined for {x.DType} tensors on the CPU");
        }
    }

    /// <summary>Runs row(r) for r in [0, outer), across threads when the work is large.</summary>
    internal static void ParallelRows(int outer, int inner, Action<int> row)
    {
        if ((long)outer * inner >= Strided.ParallelThreshold && outer > 1 && Environment.ProcessorCount > 1)
        {
            int parts = Math.Min(outer, Environment.ProcessorCount * 4);
            WorkerTeam.For(0, parts, p =>
            {
                int a = (int)((long)outer * p / parts), b = (int)((long)outer * (p + 1) / parts);
                for (int r = a; r < b; r++) row(r);
            });
        }
        else for (int r = 0; r < outer; r++) row(r);
    }

    /// <summary>x: [outer, inner] contiguous; dst: [outer] contiguous; one row per output element.</summary>
    static void Rows<T, TR, TOp>(Tensor x, Tensor dst) where T : unmanaged where TR : unmanaged where TOp : IRowReduction<T, TR>
    {
        var s = Data<T>(x); var d = Data<TR>(dst);
        int outer = x.Layout.Shape[0], inner = x.Layout.Shape[1], xo = x.Layout.Offset, dOff = dst.Layout.Offset;
        ParallelRows(outer, inner, r => d[dOff + r] = TOp.Reduce(s.AsSpan(xo + r * inner, inner)));
    }

    static void Chunked<T, TOp>(Tensor x, Tensor dst) where T : unmanaged where TOp : IChunkedReduction<T>
    {
        var s = Data<T>(x); var d = Data<T>(dst);
        int outer = x.Layout.Shape[0], inner = x.Layout.Shape[1], xo = x.Layout.Offset, dOff = dst.Layout.Offset;
        int chunks = (inner + ReduceChunk - 1) / ReduceChunk;
        if (outer == 1 && chunks > 1)
        {
            // One long row (a full reduction): its chunks run in parallel, partials combine in order.
            var partial = new T[chunks];
            WorkerTeam.For(0, chunks, c => partial[c] = TOp.Reduce(s.AsSpan(xo + c * ReduceChunk, Math.Min(ReduceChunk, inner - c * ReduceChunk))));
            T acc = partial[0];
            for (int c = 1; c < chunks; c++) acc = TOp.Combine(acc, partial[c]);
            d[dOff] = acc;
            return;
        }
        ParallelRows(outer, inner, r =>
        {
            var row = s.AsSpan(xo + r * inner, inner);
            T acc = TOp.Reduce(row[..Math.Min(ReduceChunk, inner)]);
            for (int c = ReduceChunk; c < inner; c += ReduceChunk) acc = TOp.Combine(acc, TOp.Reduce(row.Slice(c, Math.Min(ReduceChunk, inner - c))));
            d[dOff + r] = acc;
        });
    }

    /// <summary>Index of the first maximum (minimum) per row, NaN counting as the extreme (as torch.argmax).</summary>
    static void ArgRows<T>(Tensor x, Tensor dst, bool max) where T : unmanaged, INumber<T>
    {
        var s = Data<T>(x); var d = Data<long>(dst);
        int outer = x.Layout.Shape[0], inner = x.Layout.Shape[1], xo = x.Layout.Offset, dOff = dst.Layout.Offset;
        int First(int start, int n) => max ? TensorPrimitives.IndexOfMax<T>(s.AsSpan(start, n)) : TensorPrimitives.IndexOfMin<T>(s.AsSpan(start, n));
        // b replaces the best so far a only when strictly better, which keeps the first of equal extremes.
        bool Better(T b, T a) => !T.IsNaN(a) && (T.IsNaN(b) || (max ? b > a : b < a));
        int chunks = (inner + ReduceChunk - 1) / ReduceChunk;
        if (outer == 1 && chunks > 1)
        {
            var partial = new int[chunks];
            WorkerTeam.For(0, chunks, c => partial[c] = c * ReduceChunk + First(xo + c * ReduceChunk, Math.Min(ReduceChunk, inner - c * ReduceChunk)));
            int best = partial[0];
            for (int c = 1; c < chunks; c++) if (Better(s[xo + partial[c]], s[xo + best])) best = partial[c];
            d[dOff] = best;
            return;
        }
        ParallelRows(outer, inner, r => d[dOff + r] = First(xo + r * inner, inner));
    }

    struct SumRow<T> : IChunkedReduction<T> where T : unmanaged, INumber<T>
    {
        public static T Reduce(ReadOnlySpan<T> row) => TensorPrimitives.Sum(row);
        public static T Combine(T a, T b) => a + b;
    }
    struct ProdRow<T> : IChunkedReduction<T> where T : unmanaged, INumber<T>
    {
        public static T Reduce(ReadOnlySpan<T> row) => row.IsEmpty ? T.One : TensorPrimitives.Product(row);
        public static T Combine(T a, T b) => a * b;
    }
    /// <summary>NaN propagates (IEEE maximum), as torch.amax.</summary>
    struct MaxRow<T> : IChunkedReduction<T> where T : unmanaged, INumber<T>
    {
        public static T Reduce(ReadOnlySpan<T> row) => TensorPrimitives.Max(row);
        public static T Combine(T a, T b) => T.Max(a, b);
    }
    struct MinRow<T> : IChunkedReduction<T> where T : unmanaged, INumber<T>
    {
        public static T Reduce(ReadOnlySpan<T> row) => TensorPrimitives.Min(row);
        public static T Combine(T a, T b) => T.Min(a, b);
    }
    // A .NET bool is one byte, 0 or 1: byte searches vectorise.
    struct AnyRow : IChunkedReduction<bool>
    {
        public static bool Reduce(ReadOnlySpan<bool> row) => MemoryMarshal.AsBytes(row).IndexOfAnyExcept((byte)0) >= 0;
        public static bool Combine(bool a, bool b) => a || b;
    }
    struct AllRow : IChunkedReduction<bool>
    {
        public static bool Reduce(ReadOnlySpan<bool> row) => MemoryMarshal.AsBytes(row).IndexOf((byte)0) < 0;
        public static bool Combine(bool a, bool b) => a && b;
    }

    /// <summary>log Σ eˣ = m + log Σ e^(x − m) with m = max x, so no term overflows; all −∞ gives −∞.</summary>
    struct LogSumExpRow<T> : IRowReduction<T, T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Reduce(ReadOnlySpan<T> row)
        {
            if (row.IsEmpty) return T.NegativeInfinity;
            T m = TensorPrimitives.Max(row);
            if (T.IsInfinity(m) || T.IsNaN(m)) return m;
            var buf = ArrayPool<T>.Shared.Rent(row.Length);
            try
            {
                var t = buf.AsSpan(0, row.Length);
                TensorPrimitives.Subtract(row, m, t);
                TensorPrimitives.Exp(t, t);
                return m + T.Log(TensorPrimitives.Sum<T>(t));
            }
            finally { ArrayPool<T>.Shared.Return(buf); }
        }
    }

    // ---- variance -----------------------------------------------------------------------------------

    public void Variance(Tensor x, Tensor dst, double correction)
    {
        if (Float16Widening.Widen(this, [x], [dst], w => Variance(w[0], w[1], correction))) return;
        switch (x.DType)
        {
            case DType.Float32: VarianceRows<float>(x, dst, (float)correction); break;
            case DType.Float64: VarianceRows<double>(x, dst, correction); break;
            default: throw new NotSupportedException($"var: not defined for {x.DType} tensors");
        }
    }

    /// <summary>Two passes per row: the mean, then Σ(x − mean)² (stable where Σx² − n·mean² cancels).</summary>
    static void VarianceRows<T>(Tensor x, Tensor dst, T correction) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var s = Data<T>(x); var d = Data<T>(dst);
        int outer = x.Layout.Shape[0], inner = x.Layout.Shape[1], xo = x.Layout.Offset, dOff = dst.Layout.Offset;
        T n = T.CreateTruncating(inner);
        ParallelRows(outer, inner, r =>
        {
            var row = s.AsSpan(xo + r * inner, inner);
            T mean = TensorPrimitives.Sum<T>(row) / n;
            // max(0, n − correction) as torch: n ≤ correction divides by zero (inf, or NaN for 0/0).
            d[dOff + r] = SumSquaredDeviation(row, mean) / T.Max(T.Zero, n - correction);
        });
    }

    static T SumSquaredDeviation<T>(ReadOnlySpan<T> row, T mean) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0;
        T acc = T.Zero;
        if (Vector.IsHardwareAccelerated && row.Length >= Vector<T>.Count)
        {
            var vm = new Vector<T>(mean);
            var va = Vector<T>.Zero;
            var vs = MemoryMarshal.Cast<T, Vector<T>>(row);
            foreach (var v in vs) { var dv = v - vm; va += dv * dv; }
            acc = Vector.Sum(va);
            i = vs.Length * Vector<T>.Count;
        }
        for (; i < row.Length; i++) { T dv = row[i] - mean; acc += dv * dv; }
        return acc;
    }
}
