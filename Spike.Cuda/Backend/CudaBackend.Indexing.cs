namespace Spike.Cuda;

public sealed partial class CudaBackend
{
    /// <summary>dst[..., i, ...] = x[..., index[..., i, ...], ...] along axis (kernels/indexing.cu), moving elements by size.</summary>
    public void Gather(Tensor x, int axis, Tensor index, Tensor dst)
    {
        if (Float16Widening.Widen(this, [x, index], [dst], w => Gather(w[0], axis, w[1], w[2]))) return;
        long n = dst.Numel;
        string kernel = x.DType.ElementSize() switch { 1 => "gather_u8", 4 => "gather_i32", _ => "gather_i64" };
        Run(Programs.Indexing, kernel, n, new KernelArgs().Add(n).Add(KernelLayout.From(WithoutAxis(x.Layout, dst.Layout.Shape, axis)))
            .Add(Ptr(x)).Add((long)x.Layout.Strides[axis]).Add(L(index)).Add(Ptr(index)).Add(L(dst)).Add(Ptr(dst)));
    }

    /// <summary>dst[..., index[..., i, ...], ...] += src[..., i, ...]: atomic adds, so duplicates accumulate (integer
    /// sums exactly; real sums in an order that may differ from the CPU's in the last bits).</summary>
    public void ScatterAdd(Tensor dst, int axis, Tensor index, Tensor src)
    {
        if (Float16Widening.Widen(this, [index, src], [dst], w => ScatterAdd(w[2], axis, w[0], w[1]))) return;
        if (dst.DType == DType.Bool) throw new NotSupportedException($"scatter_add: not defined for {dst.DType} tensors");
        var shape = index.Layout.Shape;
        long n = index.Numel;
        var srcView = new Layout(shape, src.Layout.Strides, src.Layout.Offset);
        Run(Programs.Indexing, $"scatter_add_{Sfx(dst.DType)}", n, new KernelArgs().Add(n)
            .Add(KernelLayout.From(WithoutAxis(dst.Layout, shape, axis))).Add(Ptr(dst)).Add((long)dst.Layout.Strides[axis])
            .Add(L(index)).Add(Ptr(index)).Add(KernelLayout.From(srcView)).Add(Ptr(src)));
    }

    /// <summary>x's strides over <paramref name="shape"/> with the axis stride 0: the offset of every element at axis coordinate 0.</summary>
    static Layout WithoutAxis(Layout x, int[] shape, int axis)
    {
        var strides = (int[])x.Strides.Clone();
        strides[axis] = 0;
        return new Layout(shape, strides, x.Offset);
    }
}
