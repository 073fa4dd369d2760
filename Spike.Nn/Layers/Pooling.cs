namespace Spike.Nn;

/// <summary>torch.nn.MaxPool2d (stride defaults to the kernel size).</summary>
public sealed class MaxPool2d(int kernelSize, int? stride = null, int padding = 0, int dilation = 1, bool ceilMode = false, StepMode stepMode = StepMode.Single)
    : StepLayer(stepMode)
{
    protected override Tensor ForwardBatch(Tensor x) => x.MaxPool2d(kernelSize, stride, padding, dilation, ceilMode);
    protected override string ExtraRepr() => $"kernel_size={kernelSize}, stride={stride ?? kernelSize}, padding={padding}, step_mode={StepMode}";
}

/// <summary>torch.nn.AvgPool2d.</summary>
public sealed class AvgPool2d(int kernelSize, int? stride = null, int padding = 0, bool ceilMode = false, bool countIncludePad = true, StepMode stepMode = StepMode.Single)
    : StepLayer(stepMode)
{
    protected override Tensor ForwardBatch(Tensor x) => x.AvgPool2d(kernelSize, stride, padding, ceilMode, countIncludePad);
    protected override string ExtraRepr() => $"kernel_size={kernelSize}, stride={stride ?? kernelSize}, padding={padding}, step_mode={StepMode}";
}

/// <summary>torch.nn.AdaptiveAvgPool2d.</summary>
public sealed class AdaptiveAvgPool2d(int outputSize, StepMode stepMode = StepMode.Single) : StepLayer(stepMode)
{
    protected override Tensor ForwardBatch(Tensor x) => x.AdaptiveAvgPool2d(outputSize);
}

/// <summary>torch.nn.MaxPool1d.</summary>
public sealed class MaxPool1d(int kernelSize, int? stride = null, int padding = 0, int dilation = 1, bool ceilMode = false, StepMode stepMode = StepMode.Single)
    : StepLayer(stepMode)
{
    protected override Tensor ForwardBatch(Tensor x) => x.MaxPool1d(kernelSize, stride, padding, dilation, ceilMode);
}

/// <summary>torch.nn.AvgPool1d.</summary>
public sealed class AvgPool1d(int kernelSize, int? stride = null, int padding = 0, bool ceilMode = false, bool countIncludePad = true, StepMode stepMode = StepMode.Single)
    : StepLayer(stepMode)
{
    protected override Tensor ForwardBatch(Tensor x) => x.AvgPool1d(kernelSize, stride, padding, ceilMode, countIncludePad);
}
