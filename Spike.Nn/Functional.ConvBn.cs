namespace Spike.Nn;

public static partial class Functional
{
    // γ/√(var + eps) per output channel, [C] (γ = 1 without affine parameters).
    static Tensor BnScale(BatchNorm2d bn)
    {
        var inv = (bn.RunningVar + bn.Eps).Rsqrt();
        return bn.Weight is { } w ? w * inv : inv;
    }

    static void CheckConvBn(Conv2d conv, BatchNorm2d bn, string op)
    {
        if (conv.HasBias) throw new ArgumentException($"{op}: the Conv2d must have no bias (a BatchNorm2d follows it)");
        if (bn.NumFeatures != conv.OutChannels)
            throw new ArgumentException($"{op}: BatchNorm2d has {bn.NumFeatures} features but the Conv2d has {conv.OutChannels} output channels");
    }

    /// <summary>The weight of the Conv2d equivalent to conv → bn in evaluation mode: W_f = W·γ/√(var + eps) per output
    /// channel, [out, in/groups, k, k] (differentiable in W and γ).</summary>
    public static Tensor FusedConv2dWeightOfConvBn2d(Conv2d conv, BatchNorm2d bn)
    {
        CheckConvBn(conv, bn, "fused_conv2d_weight_of_convbn2d");
        return conv.Weight * BnScale(bn).Reshape(-1, 1, 1, 1);
    }

    /// <summary>The bias of the fused Conv2d: b_f = β − mean·γ/√(var + eps), [out] (β = 0 without affine parameters).</summary>
    public static Tensor FusedConv2dBiasOfConvBn2d(Conv2d conv, BatchNorm2d bn)
    {
        CheckConvBn(conv, bn, "fused_conv2d_bias_of_convbn2d");
        var shift = bn.RunningMean * BnScale(bn);
        return bn.Bias is { } b ? b - shift : -shift;
    }

    /// <summary>
    /// Changes conv's weight in place so that the fused weight becomes W_f·k + b: W ← W·k + b·√(var + eps)/γ per output
    /// channel (either factor may be null). SpikingJelly adds b to W itself, which gives W_f·k + b·γ/√(var + eps) instead;
    /// see docs/compat.md.
    /// </summary>
    public static void ScaleFusedConv2dWeightOfConvBn2d(Conv2d conv, BatchNorm2d bn, double? k = null, double? b = null)
    {
        const string op = "scale_fused_conv2d_weight_of_convbn2d";
        CheckConvBn(conv, bn, op);
        using var _ = Autograd.NoGrad();
        var w = conv.Weight;
        if (k is double kk) w = w * kk;
        if (b is double bb)
        {
            var scale = BnScale(bn);
            if (scale.Eq(0).Any().Item() != 0)
                throw new ArgumentException($"{op}: a channel with γ = 0 has a fused weight of 0 that no conv weight can shift by b={bb}");
            w = w + (bb / scale).Reshape(-1, 1, 1, 1);
        }
        Raw.CopyInto(w, conv.Weight);
    }

    /// <summary>
    /// Changes bn in place so that the fused bias becomes b_f·k + b: β ← β·k, running_mean ← running_mean·k, then β ← β + b
    /// (as SpikingJelly). Needs an affine BatchNorm2d.
    /// </summary>
    public static void ScaleFusedConv2dBiasOfConvBn2d(Conv2d conv, BatchNorm2d bn, double? k = null, double? b = null)
    {
        const string op = "scale_fused_conv2d_bias_of_convbn2d";
        CheckConvBn(conv, bn, op);
        var beta = bn.Bias ?? throw new ArgumentException($"{op}: the BatchNorm2d has no affine bias to scale");
        using var _ = Autograd.NoGrad();
        if (k is double kk)
        {
            Raw.CopyInto(beta * kk, beta);
            Raw.CopyInto(bn.RunningMean * kk, bn.RunningMean);
        }
        if (b is double bb) Raw.CopyInto(beta + bb, beta);
    }

    /// <summary>A new Conv2d (with bias) that computes conv → bn in evaluation mode: weight W_f and bias b_f (detached copies).</summary>
    public static Conv2d FuseConvBn2d(Conv2d conv, BatchNorm2d bn)
    {
        using var _ = Autograd.NoGrad();
        var fused = new Conv2d(conv.InChannels, conv.OutChannels, conv.KernelSize, conv.Stride, conv.Padding, conv.Dilation, conv.Groups,
            bias: true, conv.StepMode, new Generator(0));
        Raw.CopyInto(FusedConv2dWeightOfConvBn2d(conv, bn), fused.Weight);
        Raw.CopyInto(FusedConv2dBiasOfConvBn2d(conv, bn), fused.Bias!);
        return fused;
    }
}
