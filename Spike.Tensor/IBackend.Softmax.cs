namespace Spike;

public partial interface IBackend
{
    /// <summary>Softmax (or log-softmax) along the middle axis: x, dst [outer, n, inner] contiguous floating, same dtype
    /// (inner = 1: plain rows). y = e^(x − m) / Σ e^(x − m) with m the maximum over n; log: y = x − m − log Σ e^(x − m).</summary>
    void Softmax(Tensor x, Tensor dst, bool log);

    /// <summary>Gradient of a softmax along the middle axis given its output y and output gradient g (all [outer, n, inner] contiguous):
    /// dx = y·(g − Σ g·y); log: dx = g − e^y·Σ g.</summary>
    void SoftmaxBackward(Tensor y, Tensor g, Tensor dx, bool log);

    /// <summary>Inclusive prefix sum along the middle axis: x, dst [outer, n, inner] contiguous, same numeric dtype;
    /// reverse sums from the end of the row (the gradient of a cumsum).</summary>
    void Cumsum(Tensor x, Tensor dst, bool reverse);
}
