namespace Spike.Nn;

public static partial class Functional
{
    /// <summary>
    /// y [M, N] = s [M, K]·w [K, N] for a spike matrix s (mostly zeros) and a dense w, with gradients for both
    /// (SpikingJelly's <c>sparse_mm_dense</c>): ∂L/∂s = g·wᵀ, ∂L/∂w = sᵀ·g. The forward and ∂L/∂w skip the zero spikes
    /// through <see cref="IBackend.SpikeMatmul"/> (a gather-add on the CPU for binary Float32 s, kernels/sparse.cu on
    /// CUDA); ∂L/∂s is a dense product.
    /// </summary>
    public static Tensor SparseMmDense(Tensor s, Tensor w)
    {
        if (s.Rank != 2 || w.Rank != 2 || s.Size(1) != w.Size(0) || s.DType != w.DType || !s.DType.IsFloating())
            throw new ArgumentException($"sparse_mm_dense: expects s [M, K] and w [K, N] of one floating dtype, got {s.DType} {Layout.Fmt(s.Layout.Shape)} and {w.DType} {Layout.Fmt(w.Layout.Shape)}");
        if (s.Device != w.Device) throw new ArgumentException($"sparse_mm_dense: operands are on {s.Device} and {w.Device}; move them to one device");
        var backend = Raw.Backend(s);
        var (sd, wd) = (s.Detach(), w.Detach());
        var y = Raw.Empty([s.Size(0), w.Size(1)], s.DType, s.Device);
        backend.SpikeMatmul(sd, wd, y, accumulate: false);
        return Graph.Record(y, "SparseMmDense", [s, w], g =>
        {
            var gc = Raw.ToDType(g, s.DType);
            var gs = s.RequiresGrad ? Raw.Matmul(gc, Raw.Transpose(wd, 0, 1)) : null;
            Tensor? gw = null;
            if (w.RequiresGrad)
            {
                gw = Raw.Empty(w.Layout.Shape, w.DType, w.Device);
                backend.SpikeMatmul(Raw.Transpose(sd, 0, 1), gc, gw, accumulate: false);
            }
            return [gs, gw];
        });
    }
}
