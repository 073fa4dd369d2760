namespace Spike;

public partial interface IBackend
{
    /// <summary>
    /// dst[i] (row-major, dst contiguous) = 1/(1 − p) when Philox.UniformFloat(seed, offset + i) &lt; 1 − p, else 0.
    /// The same counters as a Bernoulli(1 − p) draw, so the mask equals Bernoulli(1 − p)/(1 − p) for one generator state.
    /// </summary>
    void DropoutMask(Tensor dst, ulong seed, ulong offset, double p);
}
