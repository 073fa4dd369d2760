namespace Spike.Nn;

/// <summary>
/// Conv2d (no bias) followed by BatchNorm2d, with access to the single Conv2d they fuse into in evaluation mode
/// (SpikingJelly's <c>ConvBatchNorm2d</c>): y = bn(conv(x)), and in evaluation y = conv_f(x) with
/// W_f = W·γ/√(var + eps), b_f = β − mean·γ/√(var + eps) (see <see cref="Functional.FuseConvBn2d"/>).
/// Children "conv" and "bn"; multi step folds [T, N, C, H, W] into the batch (batch statistics over T·N).
/// </summary>
public sealed class ConvBatchNorm2d : StepLayer, IStepModeContainer
{
    public ConvBatchNorm2d(int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0, int dilation = 1, int groups = 1,
        double eps = 1e-5, double momentum = 0.1, bool affine = true, StepMode stepMode = StepMode.Single, Generator? generator = null) : base(stepMode)
    {
        Conv = RegisterModule("conv", new Conv2d(inChannels, outChannels, kernelSize, stride, padding, dilation, groups, bias: false, generator: generator));
        Bn = RegisterModule("bn", new BatchNorm2d(outChannels, eps, momentum, affine));
    }

    public Conv2d Conv { get; }
    public BatchNorm2d Bn { get; }

    protected override Tensor ForwardBatch(Tensor x) => Bn.Forward(Conv.Forward(x));

    /// <summary>W_f = W·γ/√(var + eps) per output channel.</summary>
    public Tensor GetFusedWeight() => Functional.FusedConv2dWeightOfConvBn2d(Conv, Bn);

    /// <summary>b_f = β − mean·γ/√(var + eps).</summary>
    public Tensor GetFusedBias() => Functional.FusedConv2dBiasOfConvBn2d(Conv, Bn);

    /// <summary>Makes the fused weight W_f·k + b (in place on the conv weight).</summary>
    public void ScaleFusedWeight(double? k = null, double? b = null) => Functional.ScaleFusedConv2dWeightOfConvBn2d(Conv, Bn, k, b);

    /// <summary>Makes the fused bias b_f·k + b (in place on the batch norm's bias and running mean).</summary>
    public void ScaleFusedBias(double? k = null, double? b = null) => Functional.ScaleFusedConv2dBiasOfConvBn2d(Conv, Bn, k, b);

    /// <summary>The equivalent single Conv2d for evaluation mode.</summary>
    public Conv2d GetFusedConv() => Functional.FuseConvBn2d(Conv, Bn);
}
