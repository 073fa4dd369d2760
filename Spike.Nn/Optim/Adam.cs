namespace Spike.Nn;

/// <summary>
/// Adam (Kingma and Ba), as torch.optim.Adam; with <c>decoupledWeightDecay</c> it is AdamW (Loshchilov and Hutter).
/// m = β₁m + (1 − β₁)g, v = β₂v + (1 − β₂)g², p ← p − lr·(m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε).
/// Adam adds λ·p to g; AdamW first scales p by (1 − lr·λ).
/// </summary>
public class Adam : Optimizer
{
    readonly bool _decoupled;

    public Adam(IEnumerable<Tensor> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0)
        : this(parameters, lr, beta1, beta2, eps, weightDecay, decoupled: false) { }

    protected Adam(IEnumerable<Tensor> parameters, double lr, double beta1, double beta2, double eps, double weightDecay, bool decoupled)
        : base(parameters, lr)
    {
        if (beta1 is < 0 or >= 1 || beta2 is < 0 or >= 1)
            throw new ArgumentOutOfRangeException(nameof(beta1), $"{GetType().Name}: betas ({beta1}, {beta2}) must lie in [0, 1)");
        Beta1 = beta1; Beta2 = beta2; Eps = eps; WeightDecay = weightDecay;
        _decoupled = decoupled;
    }

    public double Beta1 { get; }
    public double Beta2 { get; }
    public double Eps { get; }
    public double WeightDecay { get; }

    protected override Tensor? Update(int i, Tensor p, Tensor g)
    {
        long t = StepCount + 1;
        double c1 = 1 - Math.Pow(Beta1, t), c2 = 1 - Math.Pow(Beta2, t);
        var ms = Buffer("exp_avg");
        var vs = Buffer("exp_avg_sq");
        ms[i] ??= Tensor.ZerosLike(p);
        vs[i] ??= Tensor.ZerosLike(p);
        if (AdamKernel.TryStep(p, g, ms[i]!, vs[i]!, new(WeightDecay, _decoupled, Lr, Beta1, Beta2, Eps, Lr / c1, c2))) return null;
        if (WeightDecay != 0)
        {
            if (_decoupled) p = p * (1 - Lr * WeightDecay);
            else g = g + p * WeightDecay;
        }
        var m = ms[i]! * Beta1 + g * (1 - Beta1);
        var v = vs[i]! * Beta2 + g * g * (1 - Beta2);
        ms[i] = m;
        vs[i] = v;
        return p - m * (Lr / c1) / ((v / c2).Sqrt() + Eps);
    }
}

/// <summary>Adam with decoupled weight decay (torch.optim.AdamW; default λ = 0.01).</summary>
public sealed class AdamW(IEnumerable<Tensor> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0.01)
    : Adam(parameters, lr, beta1, beta2, eps, weightDecay, decoupled: true);
