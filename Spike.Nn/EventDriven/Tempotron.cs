namespace Spike.Nn.EventDriven;

/// <summary>What <see cref="Tempotron.Forward(Tensor, TempotronOutput)"/> returns.</summary>
public enum TempotronOutput
{
    /// <summary>The membrane potential over the simulated window, [B, out, T].</summary>
    V,
    /// <summary>The peak potential max_t v, [B, out].</summary>
    VMax,
    /// <summary>The time of the peak, +t when the peak reaches the threshold and −t when it does not, [B, out].</summary>
    Spikes,
}

/// <summary>
/// Tempotron (Gütig and Sompolinsky 2006; SpikingJelly's <c>event_driven.neuron.Tempotron</c>): a neuron layer that
/// sees each input as one spike time (t_i &lt; 0: no spike) and integrates postsynaptic potentials over t = 0 … T − 1:
/// <code>
/// K(s)       = (exp(−s/τ) − exp(−s/τ_s))·[s ≥ 0]
/// t_max      = τ·τ_s·ln(τ/τ_s) / (τ − τ_s),   V0 = v_threshold / (exp(−t_max/τ) − exp(−t_max/τ_s))   (peak of V0·K is v_threshold)
/// v[b, o, t] = Σ_i W[o, i]·V0·K(t − t_i[b])·[t_i[b] ≥ 0]
/// </code>
/// W = <c>fc.weight</c> [out, in] (a <see cref="Linear"/> without bias). Input: spike times [B, in].
/// <see cref="TempotronOutput.Spikes"/> returns argmax_t v (first maximum) signed by whether max_t v ≥ v_threshold;
/// its gradient is that of the soft argmax Σ_t t·softmax(T·v)_t with the same sign (straight-through), so layers can
/// be stacked as upstream intends.
/// </summary>
public sealed class Tempotron : Module
{
    public Tempotron(int inFeatures, int outFeatures, int t, double tau = 15.0, double tauS = 15.0 / 4, double vThreshold = 1.0, Generator? generator = null)
    {
        if (t <= 0) throw new ArgumentOutOfRangeException(nameof(t), $"Tempotron: T={t} must be positive");
        if (!(tau > 0 && tauS > 0 && tau != tauS))
            throw new ArgumentOutOfRangeException(nameof(tauS), $"Tempotron: tau={tau} and tau_s={tauS} must be positive and differ");
        (T, Tau, TauS, VThreshold) = (t, tau, tauS, vThreshold);
        Fc = RegisterModule("fc", new Linear(inFeatures, outFeatures, bias: false, generator));
        double tMax = tau * tauS * Math.Log(tau / tauS) / (tau - tauS);
        V0 = vThreshold / (Math.Exp(-tMax / tau) - Math.Exp(-tMax / tauS));
    }

    /// <summary>Length of the simulated window (time steps 0 … T − 1).</summary>
    public int T { get; }
    public double Tau { get; }
    public double TauS { get; }
    public double VThreshold { get; }

    /// <summary>V0, the scale that makes the peak of one input's potential V0·K equal to <see cref="VThreshold"/>.</summary>
    public double V0 { get; }

    /// <summary>The synaptic weights: fc.weight [out, in].</summary>
    public Linear Fc { get; }

    /// <summary>K(s) = (exp(−s/τ) − exp(−s/τ_s))·[s ≥ 0], elementwise (differentiable in s for s ≠ 0).</summary>
    public static Tensor PspKernel(Tensor s, double tau, double tauS) =>
        ((-s / tau).Exp() - (-s / tauS).Exp()) * s.Ge(0).To(s.DType);

    /// <summary>The input potentials V0·K(t − t_i)·[t_i ≥ 0] for t = 0 … T − 1: spike times [B, in] → [B, in, T].</summary>
    public Tensor InputPotentials(Tensor inSpikes)
    {
        if (inSpikes.Rank != 2 || inSpikes.Size(1) != Fc.InFeatures || !inSpikes.DType.IsFloating())
            throw new ArgumentException($"Tempotron: spike times must be floating [B, in_features={Fc.InFeatures}], got {inSpikes.DType} of shape {Layout.Fmt(inSpikes.Layout.Shape)}");
        var time = Tensor.Arange(0, T, 1, inSpikes.DType).To(inSpikes.Device);
        var times = inSpikes.Unsqueeze(-1);
        return PspKernel(time - times, Tau, TauS) * V0 * times.Ge(0).To(inSpikes.DType);
    }

    /// <summary>v [B, out, T], its peak [B, out], or the signed peak times [B, out], from spike times [B, in].</summary>
    public Tensor Forward(Tensor inSpikes, TempotronOutput output)
    {
        var v = Fc.Forward(InputPotentials(inSpikes).Transpose(1, 2)).Transpose(1, 2);
        return output switch
        {
            TempotronOutput.V => v,
            TempotronOutput.VMax => v.Max(2).Values,
            TempotronOutput.Spikes => PeakTimes(v),
            _ => throw new ArgumentOutOfRangeException(nameof(output), $"Tempotron: unknown output {output}"),
        };
    }

    /// <summary>The peak potential [B, out] (upstream's <c>ret_type='v_max'</c>, used for training).</summary>
    protected override Tensor OnForward(Tensor inSpikes) => Forward(inSpikes, TempotronOutput.VMax);

    Tensor PeakTimes(Tensor v)
    {
        var (vMax, first) = v.Max(2);
        var sign = vMax.Ge(VThreshold).To(v.DType) * 2.0 - 1.0;     // ±1, no gradient
        var time = Tensor.Arange(0, T, 1, v.DType).To(v.Device);
        var soft = ((v * (double)T).Softmax(2) * time).Sum(2) * sign;
        var hard = first.To(v.DType) * sign;
        // Forward: the exact peak time; backward: the soft argmax's gradient.
        return Graph.Record(hard, "TempotronPeakTime", [soft], g => [g]);
    }

    /// <summary>
    /// Σ((v_max − v_threshold)·wrong)² / B with wrong = [(v_max ≥ v_threshold) ≠ one_hot(label)]: only neurons that
    /// fired for the wrong class or stayed silent for the right one contribute. v_max [B, classes], label [B] (Int64).
    /// </summary>
    public static Tensor MseLoss(Tensor vMax, double vThreshold, Tensor label, int numClasses)
    {
        if (vMax.Rank != 2 || vMax.Size(1) != numClasses || label.Rank != 1 || label.Size(0) != vMax.Size(0))
            throw new ArgumentException($"Tempotron.MseLoss: v_max must be [B, num_classes={numClasses}] and label [B], got {Layout.Fmt(vMax.Layout.Shape)} and {Layout.Fmt(label.Layout.Shape)}");
        var fired = vMax.Ge(vThreshold).To(vMax.DType);
        var wrong = fired.Ne(label.OneHot(numClasses, vMax.DType)).To(vMax.DType);
        return ((vMax - vThreshold) * wrong).Pow(2).Sum() / label.Size(0);
    }

    protected override string ExtraRepr() =>
        $"in_features={Fc.InFeatures}, out_features={Fc.OutFeatures}, T={T}, tau={Tau}, tau_s={TauS}, v_threshold={VThreshold}";
}
