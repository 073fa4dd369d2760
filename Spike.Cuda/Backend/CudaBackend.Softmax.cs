namespace Spike.Cuda;

public sealed partial class CudaBackend
{
    // x, dst: [outer, n, inner] contiguous (kernels/softmax.cu). inner = 1: one block per row; otherwise one thread per
    // (outer, inner) column, so a softmax over a leading axis needs no transposing copy.

    public void Softmax(Tensor x, Tensor dst, bool log)
    {
        if (Float16Widening.Widen(this, [x], [dst], w => Softmax(w[0], w[1], log))) return;
        if (!x.DType.IsFloating()) throw new NotSupportedException($"softmax: not defined for {x.DType} tensors");
        AlongMiddle(x, "softmax", new KernelArgs().Add(log ? 1 : 0), [At(x), At(dst)]);
    }

    public void SoftmaxBackward(Tensor y, Tensor g, Tensor dx, bool log)
    {
        if (Float16Widening.Widen(this, [y, g], [dx], w => SoftmaxBackward(w[0], w[1], w[2], log))) return;
        if (!y.DType.IsFloating()) throw new NotSupportedException($"softmax backward: not defined for {y.DType} tensors");
        AlongMiddle(y, "softmax_bwd", new KernelArgs().Add(log ? 1 : 0), [At(y), At(g), At(dx)]);
    }

    public void Cumsum(Tensor x, Tensor dst, bool reverse)
    {
        if (Float16Widening.Widen(this, [x], [dst], w => Cumsum(w[0], w[1], reverse))) return;
        if (x.DType == DType.Bool) throw new NotSupportedException($"cumsum: not defined for {x.DType} tensors");
        AlongMiddle(x, "cumsum", new KernelArgs().Add(reverse ? 1 : 0), [At(x), At(dst)]);
    }

    /// <summary>Launches &lt;family&gt;_rows_&lt;t&gt; or &lt;family&gt;_cols_&lt;t&gt; with args, the sizes, then the pointers.</summary>
    void AlongMiddle(Tensor x, string family, KernelArgs args, ulong[] pointers)
    {
        long outer = x.Layout.Shape[0], n = x.Layout.Shape[1], inner = x.Layout.Shape[2];
        args.Add(outer).Add(n);
        if (inner > 1) args.Add(inner);
        foreach (var p in pointers) args.Add(p);
        if (n == 0) { args.Dispose(); return; }
        if (inner > 1) Run(Programs.Softmax, $"{family}_cols_{Sfx(x.DType)}", outer * inner, args);
        else RunRows(Programs.Softmax, $"{family}_rows_{Sfx(x.DType)}", outer, args);
    }
}
