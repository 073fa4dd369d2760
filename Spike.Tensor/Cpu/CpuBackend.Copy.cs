using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Spike.Cpu;

public sealed partial class CpuBackend
{
    public void Copy(Tensor src, Tensor dst)
    {
        switch (src.DType)
        {
            case DType.Float32: CopyFrom<float>(src, dst); break;
            case DType.Float64: CopyFrom<double>(src, dst); break;
            case DType.Int32: CopyFrom<int>(src, dst); break;
            case DType.Int64: CopyFrom<long>(src, dst); break;
            case DType.UInt8: CopyFrom<byte>(src, dst); break;
            case DType.Float16 when dst.DType == DType.Bool:
                // The vector comparison behind → Bool has no Half lanes; widening is exact, so compare in float.
                var wide = Raw.EmptyLike(src, DType.Float32);
                Convert<Half, float>(src, wide);
                CopyFrom<float>(wide, dst);
                break;
            case DType.Float16: CopyFrom<Half>(src, dst); break;
            default: CopyFromBool(src, dst); break;
        }
    }

    static void CopyFrom<TS>(Tensor src, Tensor dst) where TS : unmanaged, INumber<TS>
    {
        switch (dst.DType)
        {
            case DType.Float32: Convert<TS, float>(src, dst); break;
            case DType.Float64: Convert<TS, double>(src, dst); break;
            case DType.Int32: Convert<TS, int>(src, dst); break;
            case DType.Int64: Convert<TS, long>(src, dst); break;
            case DType.UInt8: Convert<TS, byte>(src, dst); break;
            case DType.Float16: Convert<TS, Half>(src, dst); break;
            default:
                // x != 0, by the vector comparison kernel against a broadcast zero (NaN converts to true, as in PyTorch).
                var zero = Raw.Empty([], src.DType, Device.Cpu);
                CompareVector<TS, NeOp<TS>>(src, zero.WithLayout(zero.Layout.Expand(dst.Layout.Shape)), dst);
                break;
        }
    }

    static void CopyFromBool(Tensor src, Tensor dst)
    {
        var s = Data<bool>(src);
        switch (dst.DType)
        {
            case DType.Bool:
                var db = Data<bool>(dst);
                Strided.ForEachRow(dst.Layout.Shape, [src.Layout, dst.Layout], (o, n, st) =>
                {
                    if (st[0] == 1 && st[1] == 1) Array.Copy(s, o[0], db, o[1], n);
                    else for (int i = 0; i < n; i++) db[o[1] + i * st[1]] = s[o[0] + i * st[0]];
                });
                break;
            case DType.Float32: FromBool<float>(s, src, dst); break;
            case DType.Float64: FromBool<double>(s, src, dst); break;
            case DType.Int32: FromBool<int>(s, src, dst); break;
            case DType.Int64: FromBool<long>(s, src, dst); break;
            case DType.Float16: FromBool<Half>(s, src, dst); break;
            default: FromBool<byte>(s, src, dst); break;
        }
    }

    static void FromBool<TD>(bool[] s, Tensor src, Tensor dst) where TD : unmanaged, INumber<TD>
    {
        var d = Data<TD>(dst);
        Strided.ForEachRow(dst.Layout.Shape, [src.Layout, dst.Layout], (o, n, st) =>
        {
            // A .NET bool is the byte 0 or 1: widen the bytes.
            if (st[0] == 1 && st[1] == 1) TensorPrimitives.ConvertTruncating(MemoryMarshal.Cast<bool, byte>(s.AsSpan(o[0], n)), d.AsSpan(o[1], n));
            else for (int i = 0; i < n; i++) d[o[1] + i * st[1]] = s[o[0] + i * st[0]] ? TD.One : TD.Zero;
        });
    }

    static void Convert<TS, TD>(Tensor src, Tensor dst)
        where TS : unmanaged, INumber<TS> where TD : unmanaged, INumber<TD>
    {
        var s = Data<TS>(src); var d = Data<TD>(dst);
        bool stream = typeof(TS) == typeof(TD) && (long)dst.Numel * Unsafe.SizeOf<TD>() >= StreamingCopy.MinBytes;
        Strided.ForEachRow(dst.Layout.Shape, [src.Layout, dst.Layout], (o, n, st) =>
        {
            if (st[0] == 1 && st[1] == 1)
            {
                if (stream) StreamingCopy.Copy<TD>(MemoryMarshal.Cast<TS, TD>(s.AsSpan(o[0], n)), d.AsSpan(o[1], n));
                else if (typeof(TS) == typeof(TD)) Array.Copy(s, o[0], d, o[1], n);
                else if (typeof(TS) == typeof(float) && typeof(TD) == typeof(Half))
                    TensorPrimitives.ConvertToHalf(MemoryMarshal.Cast<TS, float>(s.AsSpan(o[0], n)), MemoryMarshal.Cast<TD, Half>(d.AsSpan(o[1], n)));
                else if (typeof(TS) == typeof(Half) && typeof(TD) == typeof(float))
                    TensorPrimitives.ConvertToSingle(MemoryMarshal.Cast<TS, Half>(s.AsSpan(o[0], n)), MemoryMarshal.Cast<TD, float>(d.AsSpan(o[1], n)));
                else TensorPrimitives.ConvertTruncating<TS, TD>(s.AsSpan(o[0], n), d.AsSpan(o[1], n));
                return;
            }
            for (int i = 0; i < n; i++) d[o[1] + i * st[1]] = TD.CreateTruncating(s[o[0] + i * st[0]]);
        });
    }

    // Float→float narrowing rounds to nearest even (double→Half directly, never through float, so it rounds once);
    // float→int truncates toward zero and saturates, NaN → 0 (as .NET); int→int wraps; int→Half rounds (≥ 65520 → ∞).

    public void Fill(Tensor dst, double value)
    {
        switch (dst.DType)
        {
            case DType.Float32: FillT(dst, (float)value); break;
            case DType.Float64: FillT(dst, value); break;
            case DType.Int32: FillT(dst, (int)value); break;
            case DType.Int64: FillT(dst, (long)value); break;
            case DType.UInt8: FillT(dst, (byte)value); break;
            case DType.Float16: FillT(dst, (Half)value); break;
            default: FillT(dst, value != 0); break;
        }
    }

    static void FillT<T>(Tensor dst, T value) where T : unmanaged
    {
        var d = Data<T>(dst);
        Strided.ForEachRow(dst.Layout.Shape, [dst.Layout], (o, n, st) =>
        {
            if (st[0] == 1) d.AsSpan(o[0], n).Fill(value);
            else for (int i = 0; i < n; i++) d[o[0] + i * st[0]] = value;
        });
    }
}
