namespace Spike.Nn;

public static partial class Functional
{
    /// <summary>
    /// y [M, N] = s [M, K]·w [K, N] for a spike matrix s (mostly zeros) and a dense w, with gradients for both
    /// (SpikingJelly's <c>sparse_mm_dense</c>): ∂L/∂s = g·wᵀ, ∂L/∂w = sᵀ·g. On a device with the spiking contract
    /// (CUDA) the forward and ∂L/∂w skip the zero spikes; elsewhere it is the dense product.
    /// </summary>
    public static Tensor SparseMmDense(Tensor s, Tensor w)
    {
        if (s.Rank != 2 || w.Rank != 2 || s.Size(1) != w.Size(0) || s.DType != w.DType || !s.DType.IsFloating())
            throw new ArgumentException($"sparse_mm_dense: expects s [M, K] and w [K, N] of one floating dtype, got {s.DType} {Layout.Fmt(s.Layout.Shape)} and {w.DType} {Layout.Fmt(w.Layout.Shape)}");
        if (s.Device != w.Device) throw new ArgumentException($"sparse_mm_dense: operands are on {s.Device} and {w.Device}; move them to one device");
        if (Raw.Backend(s) is not ISpikingBackend backend) return s.Matmul(w);
        var sc = Raw.Contiguous(s.Detach());
        var wc = Raw.Contiguous(w.Detach());
        var y = Raw.Empty([s.Size(0), w.Size(1)], s.DType, s.Device);
        backend.SpikeMatmul(sc, wc, y, transposeS: false);
        return Graph.Record(y, "SparseMmDense", [s, w], g =>
        {
            var gc = Raw.Contiguous(Raw.ToDType(g, s.DType));
            var gs = s.RequiresGrad ? Raw.Matmul(gc, Raw.Transpose(wc, 0, 1)) : null;
            Tensor? gw = null;
            if (w.RequiresGrad)
            {
                gw = Raw.Empty(w.Layout.Shape, w.DType, w.Device);
                backend.SpikeMatmul(sc, gc, gw, transposeS: true);
            }
            return [gs, gw];
        });
    }
}
