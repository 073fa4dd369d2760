namespace Spike.Nn;

/// <summary>2-D convolution, as torch.nn.Conv2d (weight [out, in/groups, kH, kW], kaiming-uniform a=√5 init);
/// in multi-step mode [T, N, C, H, W] is folded to [T·N, C, H, W].</summary>
public sealed class Conv2d : StepLayer
{
    public Conv2d(int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0, int dilation = 1, int groups = 1,
        bool bias = true, StepMode stepMode = StepMode.Single, Generator? generator = null) : base(stepMode)
    {
        if (inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentException($"Conv2d: channels ({inChannels}, {outChannels}) must be divisible by groups={groups}");
        (InChannels, OutChannels, KernelSize, Stride, Padding, Dilation, Groups) = (inChannels, outChannels, kernelSize, stride, padding, dilation, groups);
        int fanIn = inChannels / groups * kernelSize * kernelSize;
        RegisterParameter("weight", Init.KaimingUniformA5([outChannels, inChannels / groups, kernelSize, kernelSize], fanIn, generator));
        if (bias) RegisterParameter("bias", Init.Uniform([outChannels], 1 / Math.Sqrt(fanIn), generator));
        HasBias = bias;
    }

    public int InChannels { get; }
    public int OutChannels { get; }
    public int KernelSize { get; }
    public int Stride { get; }
    public int Padding { get; }
    public int Dilation { get; }
    public int Groups { get; }
    public bool HasBias { get; }
    public Tensor Weight => Parameter("weight");
    public Tensor? Bias => HasBias ? Parameter("bias") : null;

    protected override Tensor ForwardBatch(Tensor x) => x.Conv2d(Weight, Bias, Stride, Padding, Dilation, Groups);

    protected override string ExtraRepr() =>
        $"{InChannels}, {OutChannels}, kernel_size={KernelSize}, stride={Stride}, padding={Padding}, bias={HasBias}, step_mode={StepMode}";
}

/// <summary>1-D convolution, as torch.nn.Conv1d (weight [out, in/groups, k]).</summary>
public sealed class Conv1d : StepLayer
{
    public Conv1d(int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0, int dilation = 1, int groups = 1,
        bool bias = true, StepMode stepMode = StepMode.Single, Generator? generator = null) : base(stepMode)
    {
        if (inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentException($"Conv1d: channels ({inChannels}, {outChannels}) must be divisible by groups={groups}");
        (Stride, Padding, Dilation, Groups) = (stride, padding, dilation, groups);
        int fanIn = inChannels / groups * kernelSize;
        RegisterParameter("weight", Init.KaimingUniformA5([outChannels, inChannels / groups, kernelSize], fanIn, generator));
        if (bias) RegisterParameter("bias", Init.Uniform([outChannels], 1 / Math.Sqrt(fanIn), generator));
        HasBias = bias;
    }

    public int Stride { get; }
    public int Padding { get; }
    public int Dilation { get; }
    public int Groups { get; }
    public bool HasBias { get; }
    public Tensor Weight => Parameter("weight");
    public Tensor? Bias => HasBias ? Parameter("bias") : null;

    protected override Tensor ForwardBatch(Tensor x) => x.Conv1d(Weight, Bias, Stride, Padding, Dilation, Groups);
}
