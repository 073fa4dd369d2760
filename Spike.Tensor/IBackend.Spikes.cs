namespace Spike;

public partial interface IBackend
{
    /// <summary>
    /// The fraction of nonzero elements of x when every element is 0 or 1 (a spike tensor, any float dtype), else −1.
    /// x: any shape and strides. A backend without spike-sparse kernels keeps the default, −1, and every product stays
    /// dense.
    /// </summary>
    double SpikeDensity(Tensor x) => -1;

    /// <summary>
    /// The spike-sparse product (SpikingJelly's sparse_mm_dense): dst = s·b (+ dst when <paramref name="accumulate"/>)
    /// for a spike matrix s, mostly zeros, whose zeros cost (almost) nothing: row i of dst is the sum of the rows k of b
    /// with s[i, k] ≠ 0, weighted by s[i, k] (a gather-add when s is binary). s: [M, K]; b: [K, N]; dst: [M, N]; one
    /// floating dtype, any strides; a transposed view of s (sᵀ of a row-major spike matrix, as in the weight gradient
    /// xᵀ·dy) is the other common form. The default is the dense product.
    /// </summary>
    void SpikeMatmul(Tensor s, Tensor b, Tensor dst, bool accumulate) =>
        Matmul(Raw.Unsqueeze(s, 0), Raw.Unsqueeze(b, 0), Raw.Unsqueeze(dst, 0), accumulate);

    /// <summary>
    /// Poisson (rate) encoding in one pass: dst[i] = 1 if U(seed, offset + i) ≤ x[i mod n] else 0, with U the uniform
    /// floats of <see cref="Random"/> (SpikingJelly's rand_like(x).le(x), repeated over leading steps): the same spikes
    /// as drawing U into a tensor and comparing, without the uniform and boolean temporaries. x: [n] contiguous;
    /// dst: [T, n] contiguous, x's floating dtype. The default is that composition.
    /// </summary>
    void PoissonEncode(Tensor x, Tensor dst, ulong seed, ulong offset) => SpikeGeneric.PoissonEncode(this, x, dst, seed, offset);
}

/// <summary>The spike-kernel members composed from ordinary backend ops (the interface defaults).</summary>
public static class SpikeGeneric
{
    /// <summary>Uniforms, a comparison and a Bool → float copy: <see cref="IBackend.PoissonEncode"/> in three passes.</summary>
    public static void PoissonEncode(IBackend backend, Tensor x, Tensor dst, ulong seed, ulong offset)
    {
        var u = Raw.EmptyLike(dst);
        backend.Random(RandomKind.Uniform, u, seed, offset, 0, 1);
        var mask = Raw.Empty(dst.Layout.Shape, DType.Bool, dst.Device);
        backend.Binary(BinaryOp.Le, u, Raw.Expand(x, dst.Layout.Shape), mask);
        backend.Copy(mask, dst);
    }
}
