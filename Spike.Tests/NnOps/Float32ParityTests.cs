using NUnit.Framework;

namespace Spike.Tests.NnOps;

using static TestUtil;

/// <summary>Every op's Float32 kernels against its Float64 ones (which the other tests pin to direct loops):
/// forward values and input gradients agree to float precision.</summary>
public class Float32ParityTests
{
    static readonly (string Name, int[] Shape, Func<Tensor, Tensor> F)[] Ops =
    [
        ("max_pool2d", [2, 3, 7, 6], x => x.MaxPool2d((3, 2), (2, 1), (1, 1), (1, 2), true)),
        ("max_pool1d", [2, 3, 9], x => x.MaxPool1d(3, 2, 1, 1, true)),
        ("avg_pool2d", [2, 3, 7, 6], x => x.AvgPool2d(3, 2, 1, true, false)),
        ("avg_pool1d", [2, 3, 9], x => x.AvgPool1d(4, 3, 2, true, true)),
        ("adaptive_avg_pool2d", [2, 3, 7, 6], x => x.AdaptiveAvgPool2d((3, 4))),
        ("adaptive_max_pool2d", [2, 3, 7, 6], x => x.AdaptiveMaxPool2d((4, 3))),
        ("batch_norm", [4, 3, 5], x => x.BatchNorm(null, null, Weight(x, 3), Weight(x, 3), training: true)),
        ("batch_norm_eval", [4, 3, 2, 2], x => x.BatchNorm(Weight(x, 3), Raw.Unary(UnaryOp.Abs, Weight(x, 3)), null, Weight(x, 3))),
        ("cross_entropy", [6, 5], x => x.CrossEntropy(Tensor.FromArray(new long[] { 0, 4, 1, -100, 3, 2 }), labelSmoothing: 0.1)),
        ("cross_entropy_spatial", [2, 4, 3], x => x.CrossEntropy(Tensor.FromArray(new long[] { 0, 3, 1, 2, 2, 0 }, 2, 3), Reduction.Sum)),
        ("cross_entropy_prob", [3, 4], x => x.CrossEntropy(Raw.Unary(UnaryOp.Abs, Weight(x, 3, 4)))),
        ("cross_entropy_weighted", [2, 4, 3], x => x.CrossEntropy(Tensor.FromArray(new long[] { 0, 3, -100, 2, 2, 0 }, 2, 3),
            labelSmoothing: 0.2, weight: Raw.Unary(UnaryOp.Abs, Weight(x, 4)))),
        ("nll_loss", [3, 4, 2], x => x.NllLoss(Tensor.FromArray(new long[] { 0, 3, 1, 2, 2, 0 }, 3, 2))),
        ("mse_loss", [3, 4], x => x.MseLoss(Weight(x, 4))),
        ("bce", [3, 4], x => x.Sigmoid().BinaryCrossEntropy(Raw.Unary(UnaryOp.Sigmoid, Weight(x, 3, 4)))),
        ("bce_logits", [3, 4], x => x.BinaryCrossEntropyWithLogits(Raw.Unary(UnaryOp.Sigmoid, Weight(x, 3, 4)), posWeight: Weight(x, 4))),
    ];

    /// <summary>A fixed tensor of the input's dtype.</summary>
    static Tensor Weight(Tensor like, params int[] shape) => Raw.ToDType(RandomF64(99, shape), like.DType);

    [Test]
    public void Float32MatchesFloat64([Range(0, 15)] int which)
    {
        var (_, shape, f) = Ops[which];
        var x64 = RandomF64(which + 1, shape).RequiresGrad_();
        var x32 = Raw.ToDType(RandomF64(which + 1, shape), DType.Float32).RequiresGrad_();
        var y64 = f(x64); var y32 = f(x32);
        var g = Raw.Reshape(RandomF64(which + 2, Math.Max(y64.Numel, 1)), [.. y64.Shape]); // 0-d for reduced losses
        y64.Backward(g);
        y32.Backward(Raw.ToDType(g, DType.Float32));
        Raw.ToDType(y32, DType.Float64).ToArray<double>().ShouldBeClose(y64.ToArray<double>(), 2e-6);
        Raw.ToDType(x32.Grad!, DType.Float64).ToArray<double>().ShouldBeClose(x64.Grad!.ToArray<double>(), 2e-5);
    }
}
