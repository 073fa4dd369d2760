using FluentAssertions;
using NUnit.Framework;

namespace Spike.Tests.Cuda;

/// <summary>Pooling, batch norm, losses, gather/scatter/flip and cat/stack/pad (which go through Copy) on the CUDA
/// backend against the CPU backend, forward and backward, Float32 and Float64.</summary>
[TestFixture("host")]
[TestFixture("gpu")]
public class NnOpsParityTests(string runtime) : DeviceFixture(runtime)
{
    static double Tol(DType t) => t == DType.Float32 ? 1e-5 : 1e-12;

    static readonly PoolWindow[] Windows =
    [
        new(2, 2, 2, 2),
        new(3, 2, 2, 1, PH: 1, PW: 1, DH: 2, CeilMode: true),
        new(3, 3, 2, 2, PH: 1, PW: 1, CeilMode: true, CountIncludePad: false),
        new(3, 3, 1, 2, PH: 1, PW: 0, DivisorOverride: 4),
    ];

    [Test]
    public void MaxAndAveragePoolingForwardAndBackward()
    {
        foreach (var dtype in Reals)
            foreach (var w in Windows)
            {
                var x = Values(dtype, 1, 2, 3, 9, 8);
                var shape = x.Layout.Shape.ToArray();
                var (mv, mi, mg) = Raw.MaxPool(x, 2, w);
                var gOut = Values(dtype, 2, mv.Layout.Shape.ToArray());
                SameAll(0, i => { var r = Raw.MaxPool(i[0], 2, w); return [r.Values, r.Indices]; }, x);
                Same(Tol(dtype), i => Raw.PoolScatter(i[0], i[1], shape, 2), gOut, mi);
                if (w.DH != 1) continue; // average pooling has no dilation
                var (av, ag) = Raw.AvgPool(x, 2, w);
                Same(Tol(dtype), i => Raw.AvgPool(i[0], 2, w).Values, x);
                Same(Tol(dtype), i => Raw.AvgPoolBackward(i[0], shape, 2, ag), Values(dtype, 3, av.Layout.Shape.ToArray()));
            }
        // 1-D max pooling: planes of height 1.
        Same(0, i => Raw.MaxPool(i[0], 1, new PoolWindow(1, 3, 1, 2, PW: 1)).Values, Values(DType.Float32, 4, 2, 3, 11));
    }

    [Test]
    public void AdaptivePoolingForwardAndBackward()
    {
        foreach (var dtype in Reals)
            foreach (var size in new[] { new[] { 3, 2 }, [4, 5], [9, 8], [1, 1] })
            {
                var x = Values(dtype, 5, 2, 2, 9, 8);
                var shape = x.Layout.Shape.ToArray();
                Same(Tol(dtype), i => Raw.AdaptiveAvgPool(i[0], 2, size), x);
                SameAll(0, i => { var r = Raw.AdaptiveMaxPool(i[0], 2, size); return [r.Values, r.Indices]; }, x);
                Same(Tol(dtype), i => Raw.AdaptiveAvgPoolBackward(i[0], shape, 2), Values(dtype, 6, 2, 2, size[0], size[1]));
            }
    }

    [Test]
    public void BatchNormTrainingAndEvaluationWithGradients()
    {
        foreach (var dtype in Reals)
        {
            var x = Values(dtype, 7, 5, 3, 4, 6);
            var w = Values(dtype, 8, 3);
            var b = Values(dtype, 9, 3);
            var dy = Values(dtype, 10, 5, 3, 4, 6);
            foreach (bool training in new[] { true, false })
                SameAll(Tol(dtype) * 10, i =>
                {
                    var (rm, rv) = (Raw.Clone(i[4]), Raw.Clone(i[5]));
                    var (y, mean, invstd) = Raw.BatchNorm(i[0], rm, rv, i[1], i[2], training, 0.1, 1e-5);
                    var (gi, gw, gb) = Raw.BatchNormBackward(i[3], i[0], mean, invstd, i[1], training, true, true, true);
                    return [y, mean, invstd, rm, rv, gi, gw, gb];
                }, x, w, b, dy, Raw.ToDType(Tensor.FromArray([0.1, -0.2, 0.3]), dtype), Raw.ToDType(Tensor.FromArray([1.0, 2.0, 0.5]), dtype));
            // 2-D input [N, C], no affine parameters.
            SameAll(Tol(dtype) * 10, i =>
            {
                var (y, mean, invstd) = Raw.BatchNorm(i[0], null, null, null, null, true, 0.1, 1e-5);
                var (gi, _, _) = Raw.BatchNormBackward(i[1], i[0], mean, invstd, null, true, true, false, false);
                return [y, gi];
            }, Values(dtype, 11, 40, 3), Values(dtype, 12, 40, 3));
        }
    }

    [Test]
    public void CrossEntropyWithClassAndProbabilityTargetsWeightsSmoothingAndIgnoredPositions()
    {
        foreach (var dtype in Reals)
        {
            var logits = Values(dtype, 13, 4, 5, 3);
            var classes = Tensor.FromArray(new long[] { 0, 4, 2, -100, 1, 3, 3, 0, 4, 2, 1, -100 }, 4, 3);
            var probs = Raw.Softmax(Values(dtype, 14, 4, 5, 3), 1);
            var weight = Raw.ToDType(Tensor.FromArray([1.0, 0.5, 2.0, 1.5, 0.25]), dtype);
            var gl = Values(dtype, 15, 4, 3);
            foreach (double eps in new[] { 0.0, 0.1 })
                foreach (var target in new[] { classes, probs })
                    foreach (var w in new[] { null, weight })
                        SameAll(Tol(dtype) * 10, i =>
                        {
                            var wi = w is null ? null : i[3];
                            var (loss, lse, tw) = Raw.CrossEntropy(i[0], i[1], wi, eps, -100);
                            var (gz, gt) = Raw.CrossEntropyBackward(i[2], i[0], i[1], wi, lse, eps, -100, needTarget: target.DType != DType.Int64);
                            return [loss, lse, tw, gz, gt];
                        }, logits, target, gl, weight);
        }
        var bad = () => Raw.CrossEntropy(Dev(Values(DType.Float32, 1, 2, 3)), Dev(Tensor.FromArray(new long[] { 0, 3 })), null, 0, -100);
        bad.Should().Throw<ArgumentOutOfRangeException>().WithMessage("cross_entropy: target 3 at position 1 is out of bounds for 3 classes*");
    }

    [Test]
    public void NllAndBinaryCrossEntropy()
    {
        foreach (var dtype in Reals)
        {
            var input = Raw.Softmax(Values(dtype, 16, 6, 4), 1, log: true);
            var target = Tensor.FromArray(new long[] { 3, 0, 1, 7, 2, 3 });
            var weight = Raw.ToDType(Tensor.FromArray([0.5, 1, 2, 1.5]), dtype);
            SameAll(Tol(dtype), i =>
            {
                var (loss, tw) = Raw.NllLoss(i[0], i[1], i[2], 7);
                return [loss, tw, Raw.NllLossBackward(i[3], i[0], i[1], i[2], 7)];
            }, input, target, weight, Values(dtype, 17, 6));
            var p = Raw.ToDType(Tensor.FromArray([0.0, 1.0, 0.3, 0.999, 1e-30, 0.5], 2, 3), dtype);
            Same(Tol(dtype), i => Raw.BinaryCrossEntropy(Raw.Transpose(i[0], 0, 1), Raw.Transpose(i[1], 0, 1)), p, Raw.ToDType(Values(DType.Bool, 18, 2, 3), dtype));
        }
        var outside = () => Raw.BinaryCrossEntropy(Dev(Tensor.FromArray([0.5f, 1.5f])), Dev(Tensor.FromArray([1f, 0f])));
        outside.Should().Throw<ArgumentOutOfRangeException>().WithMessage("binary_cross_entropy: all elements*must lie in [0, 1]*");
    }

    [Test]
    public void GatherScatterAddIndexSelectOneHotAndFlipForEveryDtype()
    {
        var index = Tensor.FromArray(new long[] { 2, 0, 2, 1, 1, 0, 2, 2 }, 2, 4);
        foreach (var dtype in AllTypes)
        {
            var x = Values(dtype, 19, 2, 3, 5);
            Same(0, i => Raw.Gather(i[0], 1, Raw.Unsqueeze(i[1], 2)), x, Raw.Contiguous(Raw.Narrow(index, 1, 0, 3)));
            Same(0, i => Raw.IndexSelect(i[0], 2, i[1]), x, Tensor.FromArray(new long[] { 4, 0, 4, 2 }));
            Same(0, i => Raw.Flip(Raw.Transpose(i[0], 0, 2), 0, 2), x);
            if (dtype == DType.Bool) continue;
            // Duplicate indices accumulate; integers exactly, reals to rounding.
            Same(Tol(dtype), i => Raw.ScatterAdd(i[0], 1, Raw.Expand(Raw.Unsqueeze(i[1], 2), 2, 4, 5), i[2]), Values(dtype, 21, 2, 3, 5), index,
                Values(dtype, 20, 2, 4, 5));
        }
        Same(0, i => Raw.OneHot(i[0], 5, DType.Float32), Tensor.FromArray(new long[] { 3, 0, 4, 4 }));
    }

    [Test]
    public void CatStackPadRepeatAndDropoutMasks()
    {
        foreach (var dtype in AllTypes)
        {
            var a = Values(dtype, 22, 2, 3);
            var b = Values(dtype, 23, 2, 3);
            Same(0, i => Raw.Cat([i[0], Raw.Transpose(Raw.Contiguous(Raw.Transpose(i[1], 0, 1)), 0, 1)], 1), a, b);
            Same(0, i => Raw.Stack([i[0], i[1]], 1), a, b);
            Same(0, i => Raw.Repeat(i[0], 2, 1, 3), a);
        }
        Same(0, i => Raw.Pad(i[0], [1, 2, 0, 1], -1), Values(DType.Float32, 24, 2, 3));
        var mask = Back(Raw.DropoutMask([7, 9], 0.4, DType.Float32, Gpu, new Generator(5)));
        ShouldMatch(mask, Raw.DropoutMask([7, 9], 0.4, DType.Float32, Device.Cpu, new Generator(5)), 0);
    }
}
