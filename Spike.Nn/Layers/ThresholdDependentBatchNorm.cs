namespace Spike.Nn;

/// <summary>
/// Threshold-dependent batch normalisation, tdBN (Zheng et al. 2021, "Going Deeper With Directly-Trained Larger Spiking
/// Neural Networks"): batch normalisation whose affine weight starts at α·V_th (bias 0), so the normalised pre-activations
/// are scaled to the threshold of the next spiking layer: y = α·V_th·(x − μ)/√(σ² + eps) + β at initialisation.
/// In the default multi-step mode x_seq [T, N, C, ...] is folded to [T·N, C, ...], so μ and σ² are taken over time too,
/// as the paper prescribes; running statistics use momentum and the unbiased variance, as torch.
/// </summary>
public abstract class ThresholdDependentBatchNormBase : BatchNormBase
{
    protected ThresholdDependentBatchNormBase(double alpha, double vTh, int numFeatures, double eps, double momentum, StepMode stepMode)
        : base(numFeatures, eps, momentum, affine: true, stepMode)
    {
        Alpha = alpha;
        VTh = vTh;
        Raw.Fill(Weight!, alpha * vTh);
    }

    /// <summary>The network-dependent factor α.</summary>
    public double Alpha { get; }

    /// <summary>The threshold V_th of the spiking layer that follows.</summary>
    public double VTh { get; }

    protected override string ExtraRepr() => $"alpha={Alpha}, v_th={VTh}, " + base.ExtraRepr();
}

/// <summary>tdBN over [T, N, C] or [T, N, C, L] (single step: [N, C] or [N, C, L]).</summary>
public class ThresholdDependentBatchNorm1d(double alpha, double vTh, int numFeatures, double eps = 1e-5, double momentum = 0.1, StepMode stepMode = StepMode.Multi)
    : ThresholdDependentBatchNormBase(alpha, vTh, numFeatures, eps, momentum, stepMode)
{
    protected override int[] AllowedRanks => [2, 3];
}

/// <summary>tdBN over [T, N, C, H, W] (single step: [N, C, H, W]).</summary>
public class ThresholdDependentBatchNorm2d(double alpha, double vTh, int numFeatures, double eps = 1e-5, double momentum = 0.1, StepMode stepMode = StepMode.Multi)
    : ThresholdDependentBatchNormBase(alpha, vTh, numFeatures, eps, momentum, stepMode)
{
    protected override int[] AllowedRanks => [4];
}

/// <summary>tdBN over [T, N, C, D, H, W] (single step: [N, C, D, H, W]).</summary>
public class ThresholdDependentBatchNorm3d(double alpha, double vTh, int numFeatures, double eps = 1e-5, double momentum = 0.1, StepMode stepMode = StepMode.Multi)
    : ThresholdDependentBatchNormBase(alpha, vTh, numFeatures, eps, momentum, stepMode)
{
    protected override int[] AllowedRanks => [5];
}

/// <summary>Seed-era name of <see cref="ThresholdDependentBatchNorm1d"/> (constructed in multi-step mode).</summary>
public sealed class MultiStepThresholdDependentBatchNorm1d(double alpha, double vTh, int numFeatures, double eps = 1e-5, double momentum = 0.1)
    : ThresholdDependentBatchNorm1d(alpha, vTh, numFeatures, eps, momentum, StepMode.Multi);

/// <summary>Seed-era name of <see cref="ThresholdDependentBatchNorm2d"/> (constructed in multi-step mode).</summary>
public sealed class MultiStepThresholdDependentBatchNorm2d(double alpha, double vTh, int numFeatures, double eps = 1e-5, double momentum = 0.1)
    : ThresholdDependentBatchNorm2d(alpha, vTh, numFeatures, eps, momentum, StepMode.Multi);

/// <summary>Seed-era name of <see cref="ThresholdDependentBatchNorm3d"/> (constructed in multi-step mode).</summary>
public sealed class MultiStepThresholdDependentBatchNorm3d(double alpha, double vTh, int numFeatures, double eps = 1e-5, double momentum = 0.1)
    : ThresholdDependentBatchNorm3d(alpha, vTh, numFeatures, eps, momentum, StepMode.Multi);
