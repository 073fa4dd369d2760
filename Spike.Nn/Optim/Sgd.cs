namespace Spike.Nn;

/// <summary>
/// Stochastic gradient descent, as torch.optim.SGD:
/// d = g + λ·p; with momentum μ: b = μ·b + (1 − τ)·d (b = d on the first step), d = nesterov ? d + μ·b : b;
/// then p ← p − lr·d.
/// </summary>
public sealed class Sgd : Optimizer
{
    public Sgd(IEnumerable<Tensor> parameters, double lr, double momentum = 0, double dampening = 0, double weightDecay = 0, bool nesterov = false)
        : base(parameters, lr)
    {
        if (nesterov && (momentum <= 0 || dampening != 0))
            throw new ArgumentException("SGD: Nesterov momentum needs momentum > 0 and zero dampening");
        Momentum = momentum; Dampening = dampening; WeightDecay = weightDecay; Nesterov = nesterov;
    }

    public double Momentum { get; }
    public double Dampening { get; }
    public double WeightDecay { get; }
    public bool Nesterov { get; }

    protected override Tensor Update(int i, Tensor p, Tensor g)
    {
        var d = WeightDecay != 0 ? g + p * WeightDecay : g;
        if (Momentum != 0)
        {
            var buffers = Buffer("momentum_buffer");
            var b = buffers[i] is { } prev ? prev * Momentum + d * (1 - Dampening) : Raw.Clone(d);
            buffers[i] = b;
            d = Nesterov ? d + b * Momentum : b;
        }
        return p - d * Lr;
    }
}
