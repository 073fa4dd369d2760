using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Spike.Cpu;

/// <summary>A unary kernel as a pair of faces: one element, and a contiguous span (SIMD where possible).</summary>
internal interface IUnaryKernel<T> where T : unmanaged
{
    static abstract T Apply(T x, T p0, T p1);
    static abstract void Apply(ReadOnlySpan<T> x, Span<T> d, T p0, T p1);
}

/// <summary>A function TensorPrimitives lacks, computed in double lanes (floats are widened and narrowed back).</summary>
internal interface IDoubleFunction
{
    static abstract double Apply(double x);
    static abstract Vector256<double> Apply(Vector256<double> x);
}

public sealed partial class CpuBackend
{
    public void Unary(UnaryOp op, Tensor x, Tensor dst, double p0, double p1)
    {
        if (Float16Widening.Widen(this, [x], [dst], w => Unary(op, w[0], w[1], p0, p1))) return;
        switch (x.DType)
        {
            case DType.Float32: UnaryFloat<float>(op, x, dst, float.CreateSaturating(p0), float.CreateSaturating(p1)); break;
            case DType.Float64: UnaryFloat<double>(op, x, dst, p0, p1); break;
            case DType.Int32: UnaryInteger<int>(op, x, dst, int.CreateSaturating(p0), int.CreateSaturating(p1)); break;
            case DType.Int64: UnaryInteger<long>(op, x, dst, long.CreateSaturating(p0), long.CreateSaturating(p1)); break;
            case DType.UInt8: UnaryInteger<byte>(op, x, dst, byte.CreateSaturating(p0), byte.CreateSaturating(p1)); break;
            case DType.Bool when op == UnaryOp.LogicalNot: Run<bool, NotOp>(x, dst, false, false); break;
            default: throw new NotSupportedException($"{op}: not defined for {x.DType} tensors");
        }
    }

    static void UnaryFloat<T>(UnaryOp op, Tensor x, Tensor dst, T p0, T p1) where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (op)
        {
            case UnaryOp.Exp: Run<T, ExpOp<T>>(x, dst, p0, p1); break;
            case UnaryOp.Log: Run<T, LogOp<T>>(x, dst, p0, p1); break;
            case UnaryOp.Log1p: Run<T, Log1pOp<T>>(x, dst, p0, p1); break;
            case UnaryOp.Sqrt: Run<T, SqrtOp<T>>(x, dst, p0, p1); break;
            case UnaryOp.Rsqrt: Run<T, RsqrtOp<T>>(x, dst, p0, p1); break;
            case UnaryOp.Sin: Run<T, SinOp<T>>(x, dst, p0, p1); break;
            case UnaryOp.Cos: Run<T, CosOp<T>>(x, dst, p0, p1); break;
            case UnaryOp.Tanh: Run<T, TanhOp<T>>(x, dst, p0, p1); break;
            case UnaryOp.Sigmoid: Run<T, SigmoidOp<T>>(x, dst, p0, p1); break;
            case UnaryOp.Atan: Run<T, AtanOp<T>>(x, dst, p0, p1); break;
            case UnaryOp.Erf: Run<T, ErfOp<T>>(x, dst, p0, p1); break;
            case UnaryOp.Erfc: Run<T, ErfcOp<T>>(x, dst, p0, p1); break;
            case UnaryOp.Floor: Run<T, FloorOp<T>>(x, dst, p0, p1); break;
            case UnaryOp.Ceil: Run<T, CeilOp<T>>(x, dst, p0, p1); break;
            case UnaryOp.Round: Run<T, RoundOp<T>>(x, dst, p0, p1); break;
            case UnaryOp.Reciprocal: Run<T, ReciprocalOp<T>>(x, dst, p0, p1); break;
            case UnaryOp.PowScalar: Run<T, PowScalarOp<T>>(x, dst, p0, p1); break;
            default: UnaryInteger(op, x, dst, p0, p1); break;
        }
    }

    /// <summary>Ops that are defined on every numeric type (floats reach here for these too).</summary>
    static void UnaryInteger<T>(UnaryOp op, Tensor x, Tensor dst, T p0, T p1) where T : unmanaged, INumber<T>
    {
        switch (op)
        {
            case UnaryOp.Neg: Run<T, NegOp<T>>(x, dst, p0, p1); break;
            case UnaryOp.Abs: Run<T, AbsOp<T>>(x, dst, p0, p1); break;
            case UnaryOp.Sign: Run<T, SignOp<T>>(x, dst, p0, p1); break;
            case UnaryOp.Relu: Run<T, ReluOp<T>>(x, dst, p0, p1); break;
            case UnaryOp.Clamp: Run<T, ClampOp<T>>(x, dst, p0, p1); break;
            // Rounding an integer is the identity.
            case UnaryOp.Floor or UnaryOp.Ceil or UnaryOp.Round: Instance.Copy(x, dst); break;
            default: throw new NotSupportedException($"{op}: not defined for {x.DType} tensors (convert to a floating type first)");
        }
    }

    static void Run<T, TOp>(Tensor x, Tensor dst, T p0, T p1) where T : unmanaged where TOp : IUnaryKernel<T>
    {
        var s = Data<T>(x); var d = Data<T>(dst);
        Strided.ForEachRow(dst.Layout.Shape, [x.Layout, dst.Layout], (o, n, st) =>
        {
            if (st[0] == 1 && st[1] == 1) TOp.Apply(s.AsSpan(o[0], n), d.AsSpan(o[1], n), p0, p1);
            else for (int i = 0; i < n; i++) d[o[1] + i * st[1]] = TOp.Apply(s[o[0] + i * st[0]], p0, p1);
        });
    }

    struct NegOp<T> : IUnaryKernel<T> where T : unmanaged, INumber<T>
    {
        public static T Apply(T x, T p0, T p1) => -x;
        public static void Apply(ReadOnlySpan<T> x, Span<T> d, T p0, T p1) => TensorPrimitives.Negate(x, d);
    }
    struct AbsOp<T> : IUnaryKernel<T> where T : unmanaged, INumber<T>
    {
        public static T Apply(T x, T p0, T p1) => T.Abs(x);
        public static void Apply(ReadOnlySpan<T> x, Span<T> d, T p0, T p1) => TensorPrimitives.Abs(x, d);
    }
    struct SignOp<T> : IUnaryKernel<T> where T : unmanaged, INumber<T>
    {
        // NaN stays NaN (x > 0 and x < 0 are both false, so it falls through to x itself only for zero/NaN).
        public static T Apply(T x, T p0, T p1) => x > T.Zero ? T.One : x < T.Zero ? -T.One : x;
        public static void Apply(ReadOnlySpan<T> x, Span<T> d, T p0, T p1)
        {
            int i = 0;
            if (Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported)
            {
                var (one, minusOne) = (Vector256.Create(T.One), Vector256.Create(-T.One));
                for (; i + Vector256<T>.Count <= x.Length; i += Vector256<T>.Count)
                {
                    var v = Vector256.Create(x.Slice(i, Vector256<T>.Count));
                    var sign = Vector256.ConditionalSelect(Vector256.LessThan(v, Vector256<T>.Zero), minusOne, v);
                    Vector256.ConditionalSelect(Vector256.GreaterThan(v, Vector256<T>.Zero), one, sign).CopyTo(d[i..]);
                }
            }
            for (; i < x.Length; i++) d[i] = Apply(x[i], p0, p1);
        }
    }
    struct ReluOp<T> : IUnaryKernel<T> where T : unmanaged, INumber<T>
    {
        // T.Max propagates NaN, as the SIMD face and torch.relu do.
        public static T Apply(T x, T p0, T p1) => T.Max(x, T.Zero);
        public static void Apply(ReadOnlySpan<T> x, Span<T> d, T p0, T p1) => TensorPrimitives.Max(x, T.Zero, d);
    }
    /// <summary>min(max(x, p0), p1); absent bounds arrive as ±infinity (saturated for integers). With p0 &gt; p1 every
    /// element becomes p1, and NaN stays NaN, as torch.clamp.</summary>
    struct ClampOp<T> : IUnaryKernel<T> where T : unmanaged, INumber<T>
    {
        public static T Apply(T x, T p0, T p1) => T.Min(T.Max(x, p0), p1);
        public static void Apply(ReadOnlySpan<T> x, Span<T> d, T p0, T p1) { TensorPrimitives.Max(x, p0, d); TensorPrimitives.Min(d, p1, d); }
    }
    struct NotOp : IUnaryKernel<bool>
    {
        public static bool Apply(bool x, bool p0, bool p1) => !x;
        // A .NET bool is the byte 0 or 1, so not is xor with 1.
        public static void Apply(ReadOnlySpan<bool> x, Span<bool> d, bool p0, bool p1) =>
            TensorPrimitives.Xor(MemoryMarshal.Cast<bool, byte>(x), (byte)1, MemoryMarshal.Cast<bool, byte>(d));
    }

    struct ExpOp<T> : IUnaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Apply(T x, T p0, T p1) => T.Exp(x);
        public static void Apply(ReadOnlySpan<T> x, Span<T> d, T p0, T p1) => TensorPrimitives.Exp(x, d);
    }
    struct LogOp<T> : IUnaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Apply(T x, T p0, T p1) => T.Log(x);
        public static void Apply(ReadOnlySpan<T> x, Span<T> d, T p0, T p1) => TensorPrimitives.Log(x, d);
    }
    struct Log1pOp<T> : IUnaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Apply(T x, T p0, T p1) => T.LogP1(x);
        public static void Apply(ReadOnlySpan<T> x, Span<T> d, T p0, T p1) => TensorPrimitives.LogP1(x, d);
    }
    struct SqrtOp<T> : IUnaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Apply(T x, T p0, T p1) => T.Sqrt(x);
        public static void Apply(ReadOnlySpan<T> x, Span<T> d, T p0, T p1) => TensorPrimitives.Sqrt(x, d);
    }
    struct RsqrtOp<T> : IUnaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Apply(T x, T p0, T p1) => T.One / T.Sqrt(x);
        public static void Apply(ReadOnlySpan<T> x, Span<T> d, T p0, T p1) => TensorPrimitives.ReciprocalSqrt(x, d);
    }
    struct SinOp<T> : IUnaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Apply(T x, T p0, T p1) => T.Sin(x);
        public static void Apply(ReadOnlySpan<T> x, Span<T> d, T p0, T p1) => TensorPrimitives.Sin(x, d);
    }
    struct CosOp<T> : IUnaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Apply(T x, T p0, T p1) => T.Cos(x);
        public static void Apply(ReadOnlySpan<T> x, Span<T> d, T p0, T p1) => TensorPrimitives.Cos(x, d);
    }
    struct TanhOp<T> : IUnaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Apply(T x, T p0, T p1) => T.Tanh(x);
        public static void Apply(ReadOnlySpan<T> x, Span<T> d, T p0, T p1) => TensorPrimitives.Tanh(x, d);
    }
    struct SigmoidOp<T> : IUnaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Apply(T x, T p0, T p1) => T.One / (T.One + T.Exp(-x));
        public static void Apply(ReadOnlySpan<T> x, Span<T> d, T p0, T p1) => TensorPrimitives.Sigmoid(x, d);
    }
    struct AtanOp<T> : IUnaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Apply(T x, T p0, T p1) => T.Atan(x);
        public static void Apply(ReadOnlySpan<T> x, Span<T> d, T p0, T p1) => TensorPrimitives.Atan(x, d);
    }
    struct ErfOp<T> : IUnaryKernel<T>, IDoubleFunction where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Apply(T x, T p0, T p1) => T.CreateTruncating(SpecialFunctions.Erf(double.CreateTruncating(x)));
        public static void Apply(ReadOnlySpan<T> x, Span<T> d, T p0, T p1) => MapDouble<T, ErfOp<T>>(x, d);
        public static double Apply(double x) => SpecialFunctions.Erf(x);
        public static Vector256<double> Apply(Vector256<double> x) => SpecialFunctions.Erf(x);
    }
    struct ErfcOp<T> : IUnaryKernel<T>, IDoubleFunction where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Apply(T x, T p0, T p1) => T.CreateTruncating(SpecialFunctions.Erfc(double.CreateTruncating(x)));
        public static void Apply(ReadOnlySpan<T> x, Span<T> d, T p0, T p1) => MapDouble<T, ErfcOp<T>>(x, d);
        public static double Apply(double x) => SpecialFunctions.Erfc(x);
        public static Vector256<double> Apply(Vector256<double> x) => SpecialFunctions.Erfc(x);
    }

    /// <summary>d = f(x) on a float or double span, four double lanes at a time; the tail takes the scalar face.</summary>
    static void MapDouble<T, TF>(ReadOnlySpan<T> x, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> where TF : IDoubleFunction
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated && typeof(T) == typeof(double))
        {
            var xs = MemoryMarshal.Cast<T, double>(x);
            var ds = MemoryMarshal.Cast<T, double>(d);
            for (; i + 4 <= x.Length; i += 4) TF.Apply(Vector256.Create(xs.Slice(i, 4))).CopyTo(ds[i..]);
        }
        else if (Vector256.IsHardwareAccelerated && typeof(T) == typeof(float))
        {
            var xs = MemoryMarshal.Cast<T, float>(x);
            var ds = MemoryMarshal.Cast<T, float>(d);
            for (; i + 8 <= x.Length; i += 8)
            {
                var (lo, hi) = Vector256.Widen(Vector256.Create(xs.Slice(i, 8)));
                Vector256.Narrow(TF.Apply(lo), TF.Apply(hi)).CopyTo(ds[i..]);
            }
        }
        for (; i < x.Length; i++) d[i] = T.CreateTruncating(TF.Apply(double.CreateTruncating(x[i])));
    }
    struct FloorOp<T> : IUnaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Apply(T x, T p0, T p1) => T.Floor(x);
        public static void Apply(ReadOnlySpan<T> x, Span<T> d, T p0, T p1) => TensorPrimitives.Floor(x, d);
    }
    struct CeilOp<T> : IUnaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Apply(T x, T p0, T p1) => T.Ceiling(x);
        public static void Apply(ReadOnlySpan<T> x, Span<T> d, T p0, T p1) => TensorPrimitives.Ceiling(x, d);
    }
    /// <summary>Half to even, as torch.round.</summary>
    struct RoundOp<T> : IUnaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Apply(T x, T p0, T p1) => T.Round(x, MidpointRounding.ToEven);
        public static void Apply(ReadOnlySpan<T> x, Span<T> d, T p0, T p1) => TensorPrimitives.Round(x, MidpointRounding.ToEven, d);
    }
    struct ReciprocalOp<T> : IUnaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Apply(T x, T p0, T p1) => T.One / x;
        public static void Apply(ReadOnlySpan<T> x, Span<T> d, T p0, T p1) => TensorPrimitives.Reciprocal(x, d);
    }
    struct PowScalarOp<T> : IUnaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Apply(T x, T p0, T p1) => p0 == T.CreateTruncating(2) ? x * x : T.Pow(x, p0);
        public static void Apply(ReadOnlySpan<T> x, Span<T> d, T p0, T p1)
        {
            if (p0 == T.CreateTruncating(2)) TensorPrimitives.Multiply(x, x, d);
            else TensorPrimitives.Pow(x, p0, d);
        }
    }
}
