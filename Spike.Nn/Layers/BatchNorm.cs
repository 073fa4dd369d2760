namespace Spike.Nn;

/// <summary>
/// Batch normalisation over channel axis 1 (torch.nn.BatchNorm1d/2d): weight 1, bias 0, running mean 0 and
/// running variance 1; training normalises with batch statistics and updates the running ones with
/// <see cref="Momentum"/>; evaluation uses the running ones. In multi-step mode T is folded into the batch,
/// so statistics are taken over T·N (as SpikingJelly's SeqToANNContainer(BatchNorm2d)).
/// </summary>
public abstract class BatchNormBase : StepLayer
{
    protected BatchNormBase(int numFeatures, double eps, double momentum, bool affine, StepMode stepMode) : base(stepMode)
    {
        NumFeatures = numFeatures; Eps = eps; Momentum = momentum; Affine = affine;
        if (affine)
        {
            RegisterParameter("weight", Tensor.Ones(numFeatures));
            RegisterParameter("bias", Tensor.Zeros(numFeatures));
        }
        RegisterBuffer("running_mean", Tensor.Zeros(numFeatures));
        RegisterBuffer("running_var", Tensor.Ones(numFeatures));
    }

    public int NumFeatures { get; }
    public double Eps { get; }
    public double Momentum { get; }
    public bool Affine { get; }
    public Tensor RunningMean => Buffer("running_mean");
    public Tensor RunningVar => Buffer("running_var");
    public Tensor? Weight => Affine ? Parameter("weight") : null;
    public Tensor? Bias => Affine ? Parameter("bias") : null;

    protected abstract int[] AllowedRanks { get; }

    protected override Tensor ForwardBatch(Tensor x)
    {
        if (!AllowedRanks.Contains(x.Rank) || x.Size(1) != NumFeatures)
            throw new ArgumentException($"{GetType().Name}: expected [N, {NumFeatures}, ...] of rank {string.Join(" or ", AllowedRanks)}, got shape {Layout.Fmt(x.Layout.Shape)}");
        return x.BatchNorm(RunningMean, RunningVar, Weight, Bias, Training, Momentum, Eps);
    }

    protected override string ExtraRepr() => $"{NumFeatures}, eps={Eps}, momentum={Momentum}, affine={Affine}, step_mode={StepMode}";
}

/// <summary>BatchNorm over [N, C] or [N, C, L].</summary>
public sealed class BatchNorm1d(int numFeatures, double eps = 1e-5, double momentum = 0.1, bool affine = true, StepMode stepMode = StepMode.Single)
    : BatchNormBase(numFeatures, eps, momentum, affine, stepMode)
{
    protected override int[] AllowedRanks => [2, 3];
}

/// <summary>BatchNorm over [N, C, H, W].</summary>
public sealed class BatchNorm2d(int numFeatures, double eps = 1e-5, double momentum = 0.1, bool affine = true, StepMode stepMode = StepMode.Single)
    : BatchNormBase(numFeatures, eps, momentum, affine, stepMode)
{
    protected override int[] AllowedRanks => [4];
}
