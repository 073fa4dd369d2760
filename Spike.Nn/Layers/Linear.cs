namespace Spike.Nn;

/// <summary>y = x·Wᵀ + b over the last axis (any leading axes, so it serves single and multi step alike).
/// W: [out, in] and b: [out] initialised as torch.nn.Linear: U(−1/√in, 1/√in).</summary>
public sealed class Linear : Module
{
    public Linear(int inFeatures, int outFeatures, bool bias = true, Generator? generator = null)
    {
        if (inFeatures <= 0 || outFeatures <= 0) throw new ArgumentOutOfRangeException(nameof(inFeatures), $"Linear: sizes ({inFeatures}, {outFeatures}) must be positive");
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        RegisterParameter("weight", Init.KaimingUniformA5([outFeatures, inFeatures], inFeatures, generator));
        if (bias) RegisterParameter("bias", Init.Uniform([outFeatures], 1 / Math.Sqrt(inFeatures), generator));
        HasBias = bias;
    }

    public int InFeatures { get; }
    public int OutFeatures { get; }
    public bool HasBias { get; }
    public Tensor Weight => Parameter("weight");
    public Tensor? Bias => HasBias ? Parameter("bias") : null;

    protected override Tensor OnForward(Tensor x)
    {
        if (x.Rank == 0 || x.Size(-1) != InFeatures)
            throw new ArgumentException($"Linear: input of shape {Layout.Fmt(x.Layout.Shape)} does not end in in_features={InFeatures}");
        return x.Linear(Weight, Bias);
    }

    protected override string ExtraRepr() => $"in_features={InFeatures}, out_features={OutFeatures}, bias={HasBias}";
}
