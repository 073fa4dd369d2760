namespace Spike.Cuda;

public sealed partial class CudaBackend
{
    // Planes: x [P, H, W] contiguous, outputs [P, OH, OW] contiguous (kernels/pooling.cu). Forward: one thread per
    // output; backward: one thread per input pixel gathering the windows over it (no atomics, deterministic).

    public void MaxPool(Tensor x, Tensor dst, Tensor indices, PoolGeometry g)
    {
        if (Float16Widening.Widen(this, [x], [dst, indices], w => MaxPool(w[0], w[1], w[2], g))) return;
        PoolType("max_pool", x);
        long planes = x.Layout.Shape[0];
        Run(Programs.Pooling, $"max_pool_{Sfx(x.DType)}", planes * g.OH * g.OW,
            new KernelArgs().Add(planes).Add(PoolParams.From(g)).Add(At(x)).Add(At(dst)).Add(At(indices)));
    }

    /// <summary>gradIn [P, H·W] (overwritten) from the argmax indices; one thread per plane adds in output order.</summary>
    public void PoolScatter(Tensor gradOut, Tensor indices, Tensor gradIn)
    {
        if (Float16Widening.Widen(this, [gradOut, indices], [gradIn], w => PoolScatter(w[0], w[1], w[2]))) return;
        PoolType("max_pool backward", gradOut);
        long planes = gradIn.Layout.Shape[0];
        long inPlane = gradIn.Numel / Math.Max(planes, 1), outPlane = gradOut.Numel / Math.Max(planes, 1);
        _runtime.Memset(At(gradIn), 0, (long)gradIn.Numel * gradIn.DType.ElementSize());
        Run(Programs.Pooling, $"pool_scatter_{Sfx(gradOut.DType)}", planes,
            new KernelArgs().Add(planes).Add(inPlane).Add(outPlane).Add(At(gradOut)).Add(At(indices)).Add(At(gradIn)));
    }

    public void AvgPool(Tensor x, Tensor dst, PoolGeometry g)
    {
        if (Float16Widening.Widen(this, [x], [dst], w => AvgPool(w[0], w[1], g))) return;
        PoolType("avg_pool", x);
        long planes = x.Layout.Shape[0];
        Run(Programs.Pooling, $"avg_pool_{Sfx(x.DType)}", planes * g.OH * g.OW,
            new KernelArgs().Add(planes).Add(PoolParams.From(g)).Add(At(x)).Add(At(dst)));
    }

    public void AvgPoolBackward(Tensor gradOut, Tensor gradIn, PoolGeometry g)
    {
        if (Float16Widening.Widen(this, [gradOut], [gradIn], w => AvgPoolBackward(w[0], w[1], g))) return;
        PoolType("avg_pool backward", gradOut);
        long planes = gradIn.Layout.Shape[0];
        Run(Programs.Pooling, $"avg_pool_bwd_{Sfx(gradOut.DType)}", planes * g.H * g.W,
            new KernelArgs().Add(planes).Add(PoolParams.From(g)).Add(At(gradOut)).Add(At(gradIn)));
    }

    public void AdaptiveAvgPool(Tensor x, Tensor dst)
    {
        if (Float16Widening.Widen(this, [x], [dst], w => AdaptiveAvgPool(w[0], w[1]))) return;
        Adaptive(0, x, dst, null);
    }

    public void AdaptiveMaxPool(Tensor x, Tensor dst, Tensor indices)
    {
        if (Float16Widening.Widen(this, [x], [dst, indices], w => AdaptiveMaxPool(w[0], w[1], w[2]))) return;
        Adaptive(1, x, dst, indices);
    }

    void Adaptive(int mode, Tensor x, Tensor dst, Tensor? indices)
    {
        PoolType("adaptive_pool", x);
        long planes = x.Layout.Shape[0];
        int oh = dst.Layout.Shape[1], ow = dst.Layout.Shape[2];
        Run(Programs.Pooling, $"adaptive_pool_{Sfx(x.DType)}", planes * oh * ow, new KernelArgs().Add(mode).Add(planes)
            .Add(x.Layout.Shape[1]).Add(x.Layout.Shape[2]).Add(oh).Add(ow).Add(At(x)).Add(At(dst)).Add(AtOrNull(indices)));
    }

    public void AdaptiveAvgPoolBackward(Tensor gradOut, Tensor gradIn)
    {
        if (Float16Widening.Widen(this, [gradOut], [gradIn], w => AdaptiveAvgPoolBackward(w[0], w[1]))) return;
        PoolType("adaptive_avg_pool backward", gradOut);
        long planes = gradIn.Layout.Shape[0];
        int h = gradIn.Layout.Shape[1], w = gradIn.Layout.Shape[2];
        Run(Programs.Pooling, $"adaptive_avg_bwd_{Sfx(gradOut.DType)}", planes * h * w, new KernelArgs().Add(planes)
            .Add(h).Add(w).Add(gradOut.Layout.Shape[1]).Add(gradOut.Layout.Shape[2]).Add(At(gradOut)).Add(At(gradIn)));
    }

    static void PoolType(string op, Tensor x)
    {
        if (!x.DType.IsFloating())
            throw new NotSupportedException($"{op}: expects a Float32 or Float64 tensor, got {x.DType} of shape {Layout.Fmt(x.Layout.Shape)}");
    }
}
