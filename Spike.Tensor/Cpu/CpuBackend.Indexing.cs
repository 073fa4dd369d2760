using System.Numerics;
using System.Numerics.Tensors;

namespace Spike.Cpu;

public sealed partial class CpuBackend
{
    public void Gather(Tensor x, int axis, Tensor index, Tensor dst)
    {
        if (Float16Widening.Widen(this, [x, index], [dst], w => Gather(w[0], axis, w[1], w[2]))) return;
        switch (x.DType)
        {
            case DType.Float32: GatherT<float>(x, axis, index, dst); break;
            case DType.Float64: GatherT<double>(x, axis, index, dst); break;
            case DType.Int32: GatherT<int>(x, axis, index, dst); break;
            case DType.Int64: GatherT<long>(x, axis, index, dst); break;
            case DType.UInt8: GatherT<byte>(x, axis, index, dst); break;
            default: GatherT<bool>(x, axis, index, dst); break;
        }
    }

    public void ScatterAdd(Tensor dst, int axis, Tensor index, Tensor src)
    {
        if (Float16Widening.Widen(this, [index, src], [dst], w => ScatterAdd(w[2], axis, w[0], w[1]))) return;
        switch (dst.DType)
        {
            case DType.Float32: ScatterAddT<float>(dst, axis, index, src); break;
            case DType.Float64: ScatterAddT<double>(dst, axis, index, src); break;
            case DType.Int32: ScatterAddT<int>(dst, axis, index, src); break;
            case DType.Int64: ScatterAddT<long>(dst, axis, index, src); break;
            case DType.UInt8: ScatterAddT<byte>(dst, axis, index, src); break;
            default: throw new NotSupportedException($"scatter_add: not defined for {dst.DType} tensors");
        }
    }

    public void Flip(Tensor x, int[] axes, Tensor dst)
    {
        if (Float16Widening.Widen(this, [x], [dst], w => Flip(w[0], axes, w[1]))) return;
        switch (x.DType)
        {
            case DType.Float32: FlipT<float>(x, axes, dst); break;
            case DType.Float64: FlipT<double>(x, axes, dst); break;
            case DType.Int32: FlipT<int>(x, axes, dst); break;
            case DType.Int64: FlipT<long>(x, axes, dst); break;
            case DType.UInt8: FlipT<byte>(x, axes, dst); break;
            default: FlipT<bool>(x, axes, dst); break;
        }
    }

    /// <summary>x viewed with <paramref name="shape"/> and its own strides, the stride of axis set to 0: the offset
    /// of every element with axis coordinate 0, to which index·axisStride is added.</summary>
    static Layout WithoutAxis(Layout x, int[] shape, int axis)
    {
        var strides = (int[])x.Strides.Clone();
        strides[axis] = 0;
        return new Layout(shape, strides, x.Offset);
    }

    // Indices were range-checked above the backend; this check only guarantees no read or write lands elsewhere.
    static int Checked(long k, int size, string op) => (ulong)k < (ulong)size ? (int)k
        : throw new ArgumentOutOfRangeException("index", $"{op}: index {k} is out of range [0, {size})");

    static void GatherT<T>(Tensor x, int axis, Tensor index, Tensor dst) where T : unmanaged
    {
        var s = Data<T>(x); var ix = Data<long>(index); var d = Data<T>(dst);
        var shape = dst.Layout.Shape;
        int axisStride = x.Layout.Strides[axis], size = x.Layout.Shape[axis];
        Strided.ForEachRow(shape, [WithoutAxis(x.Layout, shape, axis), index.Layout, dst.Layout], (o, n, st) =>
        {
            if (st[1] == 0)
            {
                // One index for the whole row (index_select): copy a row of x.
                int b = o[0] + Checked(ix[o[1]], size, "gather") * axisStride;
                if (st[0] == 1 && st[2] == 1) s.AsSpan(b, n).CopyTo(d.AsSpan(o[2], n));
                else for (int i = 0; i < n; i++) d[o[2] + i * st[2]] = s[b + i * st[0]];
                return;
            }
            for (int i = 0; i < n; i++)
                d[o[2] + i * st[2]] = s[o[0] + i * st[0] + Checked(ix[o[1] + i * st[1]], size, "gather") * axisStride];
        });
    }

    // Serial on purpose: two index entries may name one destination element, and the sum order stays fixed.
    static void ScatterAddT<T>(Tensor dst, int axis, Tensor index, Tensor src) where T : unmanaged, INumber<T>
    {
        var d = Data<T>(dst); var ix = Data<long>(index); var s = Data<T>(src);
        var shape = index.Layout.Shape;
        int axisStride = dst.Layout.Strides[axis], size = dst.Layout.Shape[axis];
        var srcView = new Layout(shape, src.Layout.Strides, src.Layout.Offset);
        SerialRows(shape, [WithoutAxis(dst.Layout, shape, axis), index.Layout, srcView], (o, n, st) =>
        {
            if (st[1] == 0)
            {
                int b = o[0] + Checked(ix[o[1]], size, "scatter_add") * axisStride;
                if (st[0] == 1 && st[2] == 1) TensorPrimitives.Add(d.AsSpan(b, n), s.AsSpan(o[2], n), d.AsSpan(b, n));
                else for (int i = 0; i < n; i++) d[b + i * st[0]] += s[o[2] + i * st[2]];
                return;
            }
            for (int i = 0; i < n; i++)
                d[o[0] + i * st[0] + Checked(ix[o[1] + i * st[1]], size, "scatter_add") * axisStride] += s[o[2] + i * st[2]];
        });
    }

    /// <summary>Rows of the last axis in row-major order on the calling thread (no coalescing needed for correctness).</summary>
    static void SerialRows(int[] shape, Layout[] operands, RowKernel kernel)
    {
        int rank = shape.Length, ops = operands.Length;
        if (Layout.NumelOf(shape) == 0) return;
        if (rank == 0) { kernel(operands.Select(l => l.Offset).ToArray(), 1, new int[ops]); return; }
        int n = shape[^1];
        var inner = operands.Select(l => l.Strides[^1]).ToArray();
        var off = operands.Select(l => l.Offset).ToArray();
        var idx = new int[rank];
        while (true)
        {
            kernel(off, n, inner);
            int d = rank - 2;
            for (; d >= 0; d--)
            {
                for (int k = 0; k < ops; k++) off[k] += operands[k].Strides[d];
                if (++idx[d] < shape[d]) break;
                for (int k = 0; k < ops; k++) off[k] -= shape[d] * operands[k].Strides[d];
                idx[d] = 0;
            }
            if (d < 0) return;
        }
    }

    static void FlipT<T>(Tensor x, int[] axes, Tensor dst) where T : unmanaged
    {
        var s = Data<T>(x); var d = Data<T>(dst);
        // x seen through negative strides on the flipped axes (internal to this kernel; layouts never carry them).
        var strides = (int[])x.Layout.Strides.Clone();
        int offset = x.Layout.Offset;
        foreach (var a in axes)
        {
            if (x.Layout.Shape[a] <= 1) continue;
            offset += (x.Layout.Shape[a] - 1) * strides[a];
            strides[a] = -strides[a];
        }
        var flipped = new Layout(x.Layout.Shape, strides, offset);
        Strided.ForEachRow(dst.Layout.Shape, [flipped, dst.Layout], (o, n, st) =>
        {
            if (st[1] == 1 && (st[0] == 1 || st[0] == -1))
            {
                var to = d.AsSpan(o[1], n);
                if (st[0] == 1) s.AsSpan(o[0], n).CopyTo(to);
                else { s.AsSpan(o[0] - n + 1, n).CopyTo(to); to.Reverse(); }
                return;
            }
            for (int i = 0; i < n; i++) d[o[1] + i * st[1]] = s[o[0] + i * st[0]];
        });
    }
}
