namespace Spike.Cuda;

public sealed partial class CudaBackend
{
    /// <summary>
    /// dst[b] = a[b]·b[b] (+ dst[b]): Float32/Float64 by one cuBLAS strided-batched GEMM over the operands' own strides
    /// (transposed views and stride-0 batches need no copy; an operand with no unit stride is copied first); integer
    /// types by kernels/matmul.cu. dst batch stride 0 with B &gt; 1 sums the products: cuBLAS writes them to a temporary
    /// and a column reduction adds them up.
    /// </summary>
    public void Matmul(Tensor a, Tensor b, Tensor dst, bool accumulate)
    {
        var lc = dst.Layout;
        int batches = lc.Shape[0], m = lc.Shape[1], n = lc.Shape[2], k = a.Layout.Shape[2];
        if (batches == 0 || m == 0 || n == 0) return;
        if (k == 0)
        {
            if (!accumulate) Fill(dst, 0);
            return;
        }
        bool reduce = lc.Strides[0] == 0 && batches > 1;
        if (dst.DType is DType.Int32 or DType.Int64 or DType.UInt8)
        {
            Run(Programs.Matmul, $"matmul_{Sfx(dst.DType)}", (reduce ? 1L : batches) * m * n, new KernelArgs()
                .Add((long)batches).Add((long)m).Add((long)n).Add((long)k).Add(Dims(a)).Add(Ptr(a)).Add(Dims(b)).Add(Ptr(b))
                .Add(Dims(dst)).Add(Ptr(dst)).Add(accumulate ? 1 : 0).Add(reduce ? 1 : 0));
            return;
        }
        if (!dst.DType.IsFloating()) throw Unsupported("matmul", dst);
        if (!reduce)
        {
            Gemm(a, b, dst, accumulate);
            return;
        }
        var products = Temp(dst.DType, batches, m, n);
        Gemm(a, b, products, accumulate: false);
        var sum = Temp(dst.DType, 1, m * n);
        ReduceColumns(ReduceOp.Sum, Raw.Reshape(products, 1, batches, m * n), sum);
        var target = new Tensor(dst.Storage, new Layout([m, n], [lc.Strides[1], lc.Strides[2]], lc.Offset));
        var total = Raw.Reshape(sum, m, n);
        if (accumulate) Binary(BinaryOp.Add, target, total, target);
        else Copy(total, target);
    }

    /// <summary>One strided-batched GEMM; dst's batch stride is not 0 (or B = 1).</summary>
    void Gemm(Tensor a, Tensor b, Tensor dst, bool accumulate)
    {
        int batches = dst.Layout.Shape[0], m = dst.Layout.Shape[1], n = dst.Layout.Shape[2], k = a.Layout.Shape[2];
        if (BlasView.Of(m, n, dst.Layout.Strides[1], dst.Layout.Strides[2]) is not { } vc)
        {
            var tmp = accumulate ? Raw.Clone(dst) : Temp(dst.DType, batches, m, n);
            Gemm(a, b, tmp, accumulate);
            Copy(tmp, dst);
            return;
        }
        // A contiguous copy is always viewable (row-major, ld = its row length).
        if (BlasView.Of(m, k, a.Layout.Strides[1], a.Layout.Strides[2]) is not { } va) { a = Dense(a); va = new BlasView(true, k); }
        if (BlasView.Of(k, n, b.Layout.Strides[1], b.Layout.Strides[2]) is not { } vb) { b = Dense(b); vb = new BlasView(true, n); }
        _runtime.Gemm(BlasView.Plan(dst.DType, batches, m, n, k, va, At(a), a.Layout.Strides[0], vb, At(b), b.Layout.Strides[0],
            vc, At(dst), dst.Layout.Strides[0], accumulate));
    }

    /// <summary>The tensor's own dims and strides, not coalesced (kernels that index by coordinates).</summary>
    static KernelLayout Dims(Tensor t) =>
        KernelLayout.Create(t.Layout.Offset, [.. t.Layout.Shape.Select(s => (long)s)], [.. t.Layout.Strides.Select(s => (long)s)]);

    /// <summary>col[n, (c·KH + i)·KW + j, oh·OW + ow] = x[n, c, oh·SH − PH + i·DH, ow·SW − PW + j·DW] (kernels/conv.cu).</summary>
    public void Im2Col(Tensor x, Tensor col, ConvGeometry g)
    {
        if (Float16Widening.Widen(this, [x], [col], w => Im2Col(w[0], w[1], g))) return;
        if (!x.DType.IsFloating()) throw Unsupported("im2col", x);
        long n = x.Layout.Shape[0];
        Run(Programs.Conv, $"im2col_{Sfx(x.DType)}", n * g.C * g.KH * g.KW * g.OH * g.OW, new KernelArgs()
            .Add(n).Add(ConvParams.From(g)).Add(Dims(x)).Add(Ptr(x)).Add((long)col.Layout.Strides[0]).Add(At(col)));
    }

    /// <summary>dx += the adjoint of <see cref="Im2Col"/>, one thread per pixel gathering its taps in the CPU's order.</summary>
    public void Col2Im(Tensor col, Tensor dx, ConvGeometry g)
    {
        if (Float16Widening.Widen(this, [col], [dx], w => Col2Im(w[0], w[1], g))) return;
        if (!dx.DType.IsFloating()) throw Unsupported("col2im", dx);
        long n = dx.Layout.Shape[0];
        Run(Programs.Conv, $"col2im_{Sfx(dx.DType)}", n * g.C * g.H * g.W, new KernelArgs()
            .Add(n).Add(ConvParams.From(g)).Add((long)col.Layout.Strides[0]).Add(At(col)).Add(Dims(dx)).Add(Ptr(dx)));
    }
}
