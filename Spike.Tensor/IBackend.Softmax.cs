namespace Spike;

public partial interface IBackend
{
    /// <summary>Row softmax (or log-softmax): x, dst [outer, n] contiguous floating, same dtype.
    /// y = e^(x − m) / Σ e^(x − m) with m the row maximum; log: y = x − m − log Σ e^(x − m).</summary>
    void Softmax(Tensor x, Tensor dst, bool log);

    /// <summary>Gradient of a row softmax given its output y and the output gradient g (all [outer, n] contiguous):
    /// dx = y·(g − Σ g·y); log: dx = g − e^y·Σ g.</summary>
    void SoftmaxBackward(Tensor y, Tensor g, Tensor dx, bool log);

    /// <summary>Inclusive prefix sum along rows: x, dst [outer, n] contiguous, same numeric dtype;
    /// reverse sums from the end of the row (the gradient of a cumsum).</summary>
    void Cumsum(Tensor x, Tensor dst, bool reverse);
}
