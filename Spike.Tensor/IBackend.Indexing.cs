namespace Spike;

public partial interface IBackend
{
    /// <summary>dst[..., i, ...] = x[..., index[..., i, ...], ...] along axis (torch.gather).
    /// index: Int64 of dst's shape (any strides, 0 where broadcast); x has dst's rank and, off the axis, at least
    /// dst's sizes; dst has x's dtype. The caller has checked every index lies in [0, x.size(axis)).</summary>
    void Gather(Tensor x, int axis, Tensor index, Tensor dst);

    /// <summary>dst[..., index[..., i, ...], ...] += src[..., i, ...] in place, duplicates accumulating (torch.scatter_add_).
    /// The index shape drives the loop; src has at least its sizes, dst has them off the axis; src has dst's dtype.
    /// dst must not alias itself (no stride-0 axes). Indices are checked by the caller.</summary>
    void ScatterAdd(Tensor dst, int axis, Tensor index, Tensor src);

    /// <summary>dst = x reversed along each of <paramref name="axes"/> (normalised, distinct); same shape and dtype.</summary>
    void Flip(Tensor x, int[] axes, Tensor dst);
}
