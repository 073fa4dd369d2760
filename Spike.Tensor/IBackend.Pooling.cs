namespace Spike;

/// <summary>
/// A pooling window over the last two axes (1-D pooling uses KH = SH = DH = 1, PH = 0). Fields follow PyTorch:
/// kernel, stride, padding (implicit, each side), dilation, ceil_mode, count_include_pad, divisor_override (0 = none).
/// </summary>
public readonly record struct PoolWindow(int KH, int KW, int SH, int SW, int PH = 0, int PW = 0, int DH = 1, int DW = 1,
    bool CeilMode = false, bool CountIncludePad = true, int DivisorOverride = 0);

/// <summary>Input plane [H, W], output plane [OH, OW] and the window that maps one to the other.</summary>
public sealed record PoolGeometry(int H, int W, int OH, int OW, PoolWindow Window);

public partial interface IBackend
{
    // Every pooling kernel works on planes: x is [P, H, W] contiguous (P = N·C), outputs [P, OH, OW] contiguous.
    // Indices (Int64) are flat positions h·W + w inside each input plane, as PyTorch's return_indices.

    /// <summary>dst = max over each window, indices = its first argmax (NaN propagates, as PyTorch).</summary>
    void MaxPool(Tensor x, Tensor dst, Tensor indices, PoolGeometry g);

    /// <summary>gradIn[p, indices[p, o]] += gradOut[p, o]; gradIn is [P, H, W] and is overwritten (zeroed first).</summary>
    void PoolScatter(Tensor gradOut, Tensor indices, Tensor gradIn);

    /// <summary>dst = window sum / divisor, PyTorch's avg_pool2d divisor rule.</summary>
    void AvgPool(Tensor x, Tensor dst, PoolGeometry g);

    /// <summary>gradIn (overwritten) = each output gradient spread evenly over its clipped window.</summary>
    void AvgPoolBackward(Tensor gradOut, Tensor gradIn, PoolGeometry g);

    /// <summary>Adaptive windows rows [⌊i·H/OH⌋, ⌈(i+1)·H/OH⌉), columns likewise; dst = window mean.</summary>
    void AdaptiveAvgPool(Tensor x, Tensor dst);

    /// <summary>gradIn (overwritten) from gradOut of <see cref="AdaptiveAvgPool"/>.</summary>
    void AdaptiveAvgPoolBackward(Tensor gradOut, Tensor gradIn);

    /// <summary>Max over adaptive windows with argmax indices (backward is <see cref="PoolScatter"/>).</summary>
    void AdaptiveMaxPool(Tensor x, Tensor dst, Tensor indices);
}
