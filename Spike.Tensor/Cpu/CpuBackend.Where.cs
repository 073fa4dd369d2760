using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Spike.Cpu;

public sealed partial class CpuBackend
{
    public void Where(Tensor cond, Tensor a, Tensor b, Tensor dst)
    {
        if (Float16Widening.Widen(this, [cond, a, b], [dst], w => Where(w[0], w[1], w[2], w[3]))) return;
        switch (dst.DType)
        {
            case DType.Float32: WhereT<float>(cond, a, b, dst); break;
            case DType.Float64: WhereT<double>(cond, a, b, dst); break;
            case DType.Int32: WhereT<int>(cond, a, b, dst); break;
            case DType.Int64: WhereT<long>(cond, a, b, dst); break;
            case DType.UInt8: WhereT<byte>(cond, a, b, dst); break;
            default: WhereT<bool>(cond, a, b, dst); break;
        }
    }

    // cond, a, b, dst: broadcast to one shape. Unit-stride rows (a or b may be a broadcast scalar, as in the
    // gradient of where, which selects between g and 0) run a vector select; other rows a scalar loop.
    static void WhereT<T>(Tensor cond, Tensor a, Tensor b, Tensor dst) where T : unmanaged
    {
        var c = Data<bool>(cond); var x = Data<T>(a); var y = Data<T>(b); var d = Data<T>(dst);
        Strided.ForEachRow(dst.Layout.Shape, [cond.Layout, a.Layout, b.Layout, dst.Layout], (o, n, st) =>
        {
            int i = 0;
            if (st[0] == 1 && st[3] == 1 && st[1] <= 1 && st[2] <= 1)
                i = SelectRow<T>(MemoryMarshal.Cast<bool, byte>(c.AsSpan(o[0], n)),
                    x.AsSpan(o[1], st[1] == 1 ? n : 1), y.AsSpan(o[2], st[2] == 1 ? n : 1), d.AsSpan(o[3], n));
            for (; i < n; i++)
                d[o[3] + i * st[3]] = c[o[0] + i * st[0]] ? x[o[1] + i * st[1]] : y[o[2] + i * st[2]];
        });
    }

    /// <summary>d = c ? a : b a vector at a time (a or b of length 1 is broadcast); returns how many elements it did.</summary>
    static int SelectRow<T>(ReadOnlySpan<byte> c, ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) where T : unmanaged
    {
        if (typeof(T) == typeof(bool))
            return SelectRow(c, MemoryMarshal.Cast<T, byte>(a), MemoryMarshal.Cast<T, byte>(b), MemoryMarshal.Cast<T, byte>(d));
        if (!Vector256.IsHardwareAccelerated || !Vector256<T>.IsSupported) return 0;
        int lanes = Vector256<T>.Count, i = 0;
        bool scalarA = a.Length < d.Length, scalarB = b.Length < d.Length;
        var sa = a.IsEmpty ? default : Vector256.Create(a[0]);
        var sb = b.IsEmpty ? default : Vector256.Create(b[0]);
        for (; i + lanes <= d.Length; i += lanes)
        {
            var va = scalarA ? sa : Vector256.Create(a.Slice(i, lanes));
            var vb = scalarB ? sb : Vector256.Create(b.Slice(i, lanes));
            Vector256.ConditionalSelect(LaneMask<T>(c[i..]), va, vb).CopyTo(d[i..]);
        }
        return i;
    }

    /// <summary>All-ones lanes of T where the next Vector256&lt;T&gt;.Count condition bytes are non-zero: the bytes are
    /// widened to the lane size (1, 4 or 8 bytes).</summary>
    static Vector256<T> LaneMask<T>(ReadOnlySpan<byte> c) where T : unmanaged
    {
        switch (Unsafe.SizeOf<T>())
        {
            case 1:
                return Vector256.GreaterThan(Vector256.Create(c[..32]), Vector256<byte>.Zero).As<byte, T>();
            case 4:
            {
                var bytes = Vector128.CreateScalar(MemoryMarshal.Read<ulong>(c)).AsByte();
                var (lo, hi) = Vector128.Widen(Vector128.WidenLower(bytes));
                return Vector256.GreaterThan(Vector256.Create(lo, hi), Vector256<uint>.Zero).As<uint, T>();
            }
            default:
            {
                var bytes = Vector128.CreateScalar(MemoryMarshal.Read<uint>(c)).AsByte();
                var (lo, hi) = Vector128.Widen(Vector128.WidenLower(Vector128.WidenLower(bytes)));
                return Vector256.GreaterThan(Vector256.Create(lo, hi), Vector256<ulong>.Zero).As<ulong, T>();
            }
        }
    }
}
