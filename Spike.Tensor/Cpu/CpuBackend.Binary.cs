using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Spike.Cpu;

/// <summary>A binary kernel: one element, and the three SIMD row shapes (vector∘vector, vector∘scalar, scalar∘vector).</summary>
internal interface IBinaryKernel<T> where T : unmanaged
{
    static abstract T Apply(T a, T b);
    static abstract void VV(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d);
    static abstract void VS(ReadOnlySpan<T> a, T b, Span<T> d);
    static abstract void SV(T a, ReadOnlySpan<T> b, Span<T> d);
}

/// <summary>A predicate with a scalar face and a SIMD face (all-ones lanes where it holds).</summary>
internal interface IVectorPredicate<T> where T : unmanaged
{
    static abstract bool Apply(T a, T b);
    static abstract Vector256<T> Mask(Vector256<T> a, Vector256<T> b);
}

public sealed partial class CpuBackend
{
    public void Binary(BinaryOp op, Tensor a, Tensor b, Tensor dst)
    {
        if (Float16Widening.Widen(this, [a, b], [dst], w => Binary(op, w[0], w[1], w[2]))) return;
        switch (a.DType)
        {
            case DType.Float32: BinaryFloat<float>(op, a, b, dst); break;
            case DType.Float64: BinaryFloat<double>(op, a, b, dst); break;
            case DType.Int32: BinaryNumber<int>(op, a, b, dst); break;
            case DType.Int64: BinaryNumber<long>(op, a, b, dst); break;
            case DType.UInt8: BinaryNumber<byte>(op, a, b, dst); break;
            default: BinaryBool(op, a, b, dst); break;
        }
    }

    static void BinaryFloat<T>(BinaryOp op, Tensor a, Tensor b, Tensor dst) where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (op)
        {
            case BinaryOp.Div: Run<T, DivOp<T>>(a, b, dst); break;
            case BinaryOp.Pow: Run<T, PowOp<T>>(a, b, dst); break;
            default: BinaryNumber<T>(op, a, b, dst); break;
        }
    }

    static void BinaryNumber<T>(BinaryOp op, Tensor a, Tensor b, Tensor dst) where T : unmanaged, INumber<T>
    {
        switch (op)
        {
            case BinaryOp.Add: Run<T, AddOp<T>>(a, b, dst); break;
            case BinaryOp.Sub: Run<T, SubOp<T>>(a, b, dst); break;
            case BinaryOp.Mul: Run<T, MulOp<T>>(a, b, dst); break;
            case BinaryOp.Maximum: Run<T, MaxOp<T>>(a, b, dst); break;
            case BinaryOp.Minimum: Run<T, MinOp<T>>(a, b, dst); break;
            case BinaryOp.Eq: CompareVector<T, EqOp<T>>(a, b, dst); break;
            case BinaryOp.Ne: CompareVector<T, NeOp<T>>(a, b, dst); break;
            case BinaryOp.Lt: CompareVector<T, LtOp<T>>(a, b, dst); break;
            case BinaryOp.Le: CompareVector<T, LeOp<T>>(a, b, dst); break;
            case BinaryOp.Gt: CompareVector<T, LtOp<T>>(b, a, dst); break;
            case BinaryOp.Ge: CompareVector<T, LeOp<T>>(b, a, dst); break;
            case BinaryOp.LogicalAnd: CompareVector<T, AndOp<T>>(a, b, dst); break;
            case BinaryOp.LogicalOr: CompareVector<T, OrOp<T>>(a, b, dst); break;
            default: throw new NotSupportedException($"{op}: not defined for {a.DType} tensors");
        }
    }

    /// <summary>Bool operands are the bytes 0 and 1, so logic is bitwise on bytes: and, or, xor (ne), xnor (eq).</summary>
    static void BinaryBool(BinaryOp op, Tensor a, Tensor b, Tensor dst)
    {
        switch (op)
        {
            case BinaryOp.Eq: RunBool<XnorOp>(a, b, dst); break;
            case BinaryOp.Ne: RunBool<XorOp>(a, b, dst); break;
            case BinaryOp.LogicalAnd: RunBool<BitAndOp>(a, b, dst); break;
            case BinaryOp.LogicalOr: RunBool<BitOrOp>(a, b, dst); break;
            default: throw new NotSupportedException($"{op}: not defined for Bool tensors (convert to a numeric type first)");
        }
    }

    static void RunBool<TOp>(Tensor a, Tensor b, Tensor dst) where TOp : IBinaryKernel<byte>
    {
        var x = Data<bool>(a); var y = Data<bool>(b); var d = Data<bool>(dst);
        static Span<byte> Bytes(bool[] v, int start, int n) => MemoryMarshal.Cast<bool, byte>(v.AsSpan(start, n));
        Strided.ForEachRow(dst.Layout.Shape, [a.Layout, b.Layout, dst.Layout], (o, n, st) =>
        {
            if (st[2] == 1)
            {
                if (st[0] == 1 && st[1] == 1) { TOp.VV(Bytes(x, o[0], n), Bytes(y, o[1], n), Bytes(d, o[2], n)); return; }
                if (st[0] == 1 && st[1] == 0) { TOp.VS(Bytes(x, o[0], n), y[o[1]] ? (byte)1 : (byte)0, Bytes(d, o[2], n)); return; }
                if (st[0] == 0 && st[1] == 1) { TOp.SV(x[o[0]] ? (byte)1 : (byte)0, Bytes(y, o[1], n), Bytes(d, o[2], n)); return; }
            }
            for (int i = 0; i < n; i++)
                d[o[2] + i * st[2]] = TOp.Apply(x[o[0] + i * st[0]] ? (byte)1 : (byte)0, y[o[1] + i * st[1]] ? (byte)1 : (byte)0) != 0;
        });
    }

    static void Run<T, TOp>(Tensor a, Tensor b, Tensor dst) where T : unmanaged where TOp : IBinaryKernel<T>
    {
        var x = Data<T>(a); var y = Data<T>(b); var d = Data<T>(dst);
        Strided.ForEachRow(dst.Layout.Shape, [a.Layout, b.Layout, dst.Layout], (o, n, st) =>
        {
            if (st[2] == 1)
            {
                if (st[0] == 1 && st[1] == 1) { TOp.VV(x.AsSpan(o[0], n), y.AsSpan(o[1], n), d.AsSpan(o[2], n)); return; }
                if (st[0] == 1 && st[1] == 0) { TOp.VS(x.AsSpan(o[0], n), y[o[1]], d.AsSpan(o[2], n)); return; }
                if (st[0] == 0 && st[1] == 1) { TOp.SV(x[o[0]], y.AsSpan(o[1], n), d.AsSpan(o[2], n)); return; }
            }
            for (int i = 0; i < n; i++) d[o[2] + i * st[2]] = TOp.Apply(x[o[0] + i * st[0]], y[o[1] + i * st[1]]);
        });
    }

    /// <summary>Comparisons on unit-stride (or broadcast-scalar) rows, a vector at a time: the lane masks' sign bits
    /// become the bools.</summary>
    static void CompareVector<T, TOp>(Tensor a, Tensor b, Tensor dst) where T : unmanaged, INumber<T> where TOp : IVectorPredicate<T>
    {
        var x = Data<T>(a); var y = Data<T>(b); var d = Data<bool>(dst);
        Strided.ForEachRow(dst.Layout.Shape, [a.Layout, b.Layout, dst.Layout], (o, n, st) =>
        {
            int i = 0;
            if (Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported && st[2] == 1 && st[0] <= 1 && st[1] <= 1)
            {
                int lanes = Vector256<T>.Count;
                for (; i + lanes <= n; i += lanes)
                {
                    var va = st[0] == 1 ? Vector256.Create<T>(x.AsSpan(o[0] + i, lanes)) : Vector256.Create(x[o[0]]);
                    var vb = st[1] == 1 ? Vector256.Create<T>(y.AsSpan(o[1] + i, lanes)) : Vector256.Create(y[o[1]]);
                    uint bits = Vector256.ExtractMostSignificantBits(TOp.Mask(va, vb));
                    for (int k = 0; k < lanes; k++) d[o[2] + i + k] = ((bits >> k) & 1) != 0;
                }
            }
            for (; i < n; i++) d[o[2] + i * st[2]] = TOp.Apply(x[o[0] + i * st[0]], y[o[1] + i * st[1]]);
        });
    }

    struct AddOp<T> : IBinaryKernel<T> where T : unmanaged, INumber<T>
    {
        public static T Apply(T a, T b) => a + b;
        public static void VV(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) => TensorPrimitives.Add(a, b, d);
        public static void VS(ReadOnlySpan<T> a, T b, Span<T> d) => TensorPrimitives.Add(a, b, d);
        public static void SV(T a, ReadOnlySpan<T> b, Span<T> d) => TensorPrimitives.Add(b, a, d);
    }
    struct SubOp<T> : IBinaryKernel<T> where T : unmanaged, INumber<T>
    {
        public static T Apply(T a, T b) => a - b;
        public static void VV(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) => TensorPrimitives.Subtract(a, b, d);
        public static void VS(ReadOnlySpan<T> a, T b, Span<T> d) => TensorPrimitives.Subtract(a, b, d);
        public static void SV(T a, ReadOnlySpan<T> b, Span<T> d) => TensorPrimitives.Subtract(a, b, d);
    }
    struct MulOp<T> : IBinaryKernel<T> where T : unmanaged, INumber<T>
    {
        public static T Apply(T a, T b) => a * b;
        public static void VV(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) => TensorPrimitives.Multiply(a, b, d);
        public static void VS(ReadOnlySpan<T> a, T b, Span<T> d) => TensorPrimitives.Multiply(a, b, d);
        public static void SV(T a, ReadOnlySpan<T> b, Span<T> d) => TensorPrimitives.Multiply(b, a, d);
    }
    struct DivOp<T> : IBinaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Apply(T a, T b) => a / b;
        public static void VV(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) => TensorPrimitives.Divide(a, b, d);
        public static void VS(ReadOnlySpan<T> a, T b, Span<T> d) => TensorPrimitives.Divide(a, b, d);
        public static void SV(T a, ReadOnlySpan<T> b, Span<T> d) => TensorPrimitives.Divide(a, b, d);
    }
    struct PowOp<T> : IBinaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Apply(T a, T b) => T.Pow(a, b);
        public static void VV(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) => TensorPrimitives.Pow(a, b, d);
        public static void VS(ReadOnlySpan<T> a, T b, Span<T> d) => TensorPrimitives.Pow(a, b, d);
        public static void SV(T a, ReadOnlySpan<T> b, Span<T> d) => TensorPrimitives.Pow(a, b, d);
    }
    /// <summary>NaN-propagating, as torch.maximum.</summary>
    struct MaxOp<T> : IBinaryKernel<T> where T : unmanaged, INumber<T>
    {
        public static T Apply(T a, T b) => T.Max(a, b);
        public static void VV(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) => TensorPrimitives.Max(a, b, d);
        public static void VS(ReadOnlySpan<T> a, T b, Span<T> d) => TensorPrimitives.Max(a, b, d);
        public static void SV(T a, ReadOnlySpan<T> b, Span<T> d) => TensorPrimitives.Max(b, a, d);
    }
    struct MinOp<T> : IBinaryKernel<T> where T : unmanaged, INumber<T>
    {
        public static T Apply(T a, T b) => T.Min(a, b);
        public static void VV(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) => TensorPrimitives.Min(a, b, d);
        public static void VS(ReadOnlySpan<T> a, T b, Span<T> d) => TensorPrimitives.Min(a, b, d);
        public static void SV(T a, ReadOnlySpan<T> b, Span<T> d) => TensorPrimitives.Min(b, a, d);
    }

    struct EqOp<T> : IVectorPredicate<T> where T : unmanaged, INumber<T>
    {
        public static bool Apply(T a, T b) => a == b;
        public static Vector256<T> Mask(Vector256<T> a, Vector256<T> b) => Vector256.Equals(a, b);
    }
    /// <summary>NaN ≠ NaN holds, as in the scalar face.</summary>
    struct NeOp<T> : IVectorPredicate<T> where T : unmanaged, INumber<T>
    {
        public static bool Apply(T a, T b) => a != b;
        public static Vector256<T> Mask(Vector256<T> a, Vector256<T> b) => ~Vector256.Equals(a, b);
    }
    struct LtOp<T> : IVectorPredicate<T> where T : unmanaged, INumber<T>
    {
        public static bool Apply(T a, T b) => a < b;
        public static Vector256<T> Mask(Vector256<T> a, Vector256<T> b) => Vector256.LessThan(a, b);
    }
    struct LeOp<T> : IVectorPredicate<T> where T : unmanaged, INumber<T>
    {
        public static bool Apply(T a, T b) => a <= b;
        public static Vector256<T> Mask(Vector256<T> a, Vector256<T> b) => Vector256.LessThanOrEqual(a, b);
    }
    struct AndOp<T> : IVectorPredicate<T> where T : unmanaged, INumber<T>
    {
        public static bool Apply(T a, T b) => a != T.Zero && b != T.Zero;
        public static Vector256<T> Mask(Vector256<T> a, Vector256<T> b) => ~Vector256.Equals(a, Vector256<T>.Zero) & ~Vector256.Equals(b, Vector256<T>.Zero);
    }
    struct OrOp<T> : IVectorPredicate<T> where T : unmanaged, INumber<T>
    {
        public static bool Apply(T a, T b) => a != T.Zero || b != T.Zero;
        public static Vector256<T> Mask(Vector256<T> a, Vector256<T> b) => ~(Vector256.Equals(a, Vector256<T>.Zero) & Vector256.Equals(b, Vector256<T>.Zero));
    }
    struct BitAndOp : IBinaryKernel<byte>
    {
        public static byte Apply(byte a, byte b) => (byte)(a & b);
        public static void VV(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, Span<byte> d) => TensorPrimitives.BitwiseAnd(a, b, d);
        public static void VS(ReadOnlySpan<byte> a, byte b, Span<byte> d) => TensorPrimitives.BitwiseAnd(a, b, d);
        public static void SV(byte a, ReadOnlySpan<byte> b, Span<byte> d) => TensorPrimitives.BitwiseAnd(b, a, d);
    }
    struct BitOrOp : IBinaryKernel<byte>
    {
        public static byte Apply(byte a, byte b) => (byte)(a | b);
        public static void VV(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, Span<byte> d) => TensorPrimitives.BitwiseOr(a, b, d);
        public static void VS(ReadOnlySpan<byte> a, byte b, Span<byte> d) => TensorPrimitives.BitwiseOr(a, b, d);
        public static void SV(byte a, ReadOnlySpan<byte> b, Span<byte> d) => TensorPrimitives.BitwiseOr(b, a, d);
    }
    struct XorOp : IBinaryKernel<byte>
    {
        public static byte Apply(byte a, byte b) => (byte)(a ^ b);
        public static void VV(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, Span<byte> d) => TensorPrimitives.Xor(a, b, d);
        public static void VS(ReadOnlySpan<byte> a, byte b, Span<byte> d) => TensorPrimitives.Xor(a, b, d);
        public static void SV(byte a, ReadOnlySpan<byte> b, Span<byte> d) => TensorPrimitives.Xor(b, a, d);
    }
    /// <summary>Equality of 0/1 bytes: 1 ^ a ^ b.</summary>
    struct XnorOp : IBinaryKernel<byte>
    {
        public static byte Apply(byte a, byte b) => (byte)(1 ^ a ^ b);
        public static void VV(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, Span<byte> d) { TensorPrimitives.Xor(a, b, d); TensorPrimitives.Xor(d, (byte)1, d); }
        public static void VS(ReadOnlySpan<byte> a, byte b, Span<byte> d) => TensorPrimitives.Xor(a, (byte)(1 ^ b), d);
        public static void SV(byte a, ReadOnlySpan<byte> b, Span<byte> d) => TensorPrimitives.Xor(b, (byte)(1 ^ a), d);
    }
}
