namespace Spike;

public partial interface IBackend
{
    /// <summary>
    /// Batched matrix product dst[b] = a[b]·b[b] (+ dst[b] when <paramref name="accumulate"/>).
    /// a: [B, M, K], b: [B, K, N], dst: [B, M, N], one dtype, any non-negative strides (transposed views and
    /// stride-0 batch broadcast need no copy). When dst's batch stride is 0 (and B &gt; 1) the B products are summed
    /// into it: the first overwrites unless <paramref name="accumulate"/>. K = 0 gives zeros (or leaves dst).
    /// </summary>
    void Matmul(Tensor a, Tensor b, Tensor dst, bool accumulate);

    /// <summary>
    /// Unfolds image patches: col[n, (c·KH + i)·KW + j, oh·OW + ow] = x[n, c, oh·SH − PH + i·DH, ow·SW − PW + j·DW]
    /// (0 outside the image). x: [N, C, H, W] any strides; col: [N, C·KH·KW, OH·OW], same dtype, each sample's
    /// matrix contiguous (strides [any, OH·OW, 1]) so a caller can leave extra rows between samples.
    /// </summary>
    void Im2Col(Tensor x, Tensor col, ConvGeometry g);

    /// <summary>
    /// The adjoint of <see cref="Im2Col"/>: dx[n, c, h, w] += Σ of the col entries that read that pixel.
    /// col: [N, C·KH·KW, OH·OW] with strides [any, OH·OW, 1]; dx: [N, C, H, W] any strides (accumulated into).
    /// </summary>
    void Col2Im(Tensor col, Tensor dx, ConvGeometry g);
}

/// <summary>
/// The geometry of one 2-D convolution: image [C, H, W] → output [OH, OW] with a KH×KW kernel, stride SH×SW,
/// zero padding PH×PW and dilation DH×DW. OH and OW are normally ⌊(H + 2·PH − DH·(KH − 1) − 1) / SH⌋ + 1
/// (<see cref="For"/>); a transposed convolution may use a taller image than that formula inverts.
/// </summary>
public sealed record ConvGeometry(int C, int H, int W, int KH, int KW, int SH, int SW, int PH, int PW, int DH, int DW, int OH, int OW)
{
    public static ConvGeometry For(int c, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw) =>
        new(c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, (h + 2 * ph - dh * (kh - 1) - 1) / sh + 1, (w + 2 * pw - dw * (kw - 1) - 1) / sw + 1);
}
