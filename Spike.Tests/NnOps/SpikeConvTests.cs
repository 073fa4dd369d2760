using FluentAssertions;
using NUnit.Framework;
using Spike.Cpu;

namespace Spike.Tests.NnOps;

/// <summary>
/// The spike-sparse convolution (scatter-add over the spikes) against the dense per-image GEMM on the same binary
/// input: forward with and without bias, and the weight gradient, over strides, paddings, dilations and rectangular
/// kernels. The sums run in another order, so they agree to rounding.
/// </summary>
public class SpikeConvTests
{
    // (C, H, W, Cout, KH, KW, options)
    static readonly (int C, int H, int W, int Cout, int KH, int KW, ConvOptions O)[] Cases =
    [
        (5, 9, 11, 16, 3, 3, new ConvOptions(PH: 1, PW: 1)),
        (3, 12, 10, 21, 3, 2, new ConvOptions(SH: 2, SW: 3, PH: 2, PW: 0)),
        (4, 13, 13, 8, 3, 3, new ConvOptions(PH: 2, PW: 1, DH: 2, DW: 3)),
        (2, 7, 20, 33, 1, 5, new ConvOptions(SW: 2, PW: 2)),
    ];

    static Tensor Spikes(int n, int c, int h, int w, double density, ulong seed)
    {
        var u = Tensor.Rand([n, c, h, w], new Generator(seed));
        return Raw.ToDType(Raw.Binary(BinaryOp.Lt, u, Raw.ScalarFor(density, u)), DType.Float32);
    }

    static double[] D(Tensor t) => t.ToArray<float>().Select(v => (double)v).ToArray();

    static T Dense<T>(Func<T> body)
    {
        CpuBackend.SpikeConvolution = false;
        try { return body(); }
        finally { CpuBackend.SpikeConvolution = true; }
    }

    [Test]
    public void ForwardAndWeightGradientMatchTheDenseConvolution([Values(true, false)] bool withBias)
    {
        foreach (var (c, h, w, cout, kh, kw, o) in Cases)
        {
            var x = Spikes(3, c, h, w, 0.1, (ulong)(c * h + w));
            var weight = Tensor.Randn([cout, c, kh, kw], new Generator(7));
            var bias = withBias ? Tensor.Randn([cout], new Generator(8)) : null;
            var (_, g) = Raw.CheckConv("test", ref x, ref weight, ref bias, o, transposed: false);
            var dense = Dense(() => Raw.Conv2d(x, weight, bias, g, 1));
            var y = Tensor.Empty(dense.Layout.Shape);
            CpuBackend.SpikeConv2d(x, weight, bias, y, g);
            string what = $"C={c} {h}×{w} → {cout}, kernel {kh}×{kw}, {o}";
            Close.All(y.ToArray<float>(), D(dense), 1e-5);

            var dy = Tensor.Randn(dense.Layout.Shape, new Generator(9));
            var dwDense = Dense(() => Raw.Conv2dWeightGrad(dy, x, g, 1));
            var dw = Tensor.Empty(dwDense.Layout.Shape);
            CpuBackend.SpikeConv2dWeightGrad(dy, x, dw, g);
            Close.All(dw.ToArray<float>(), D(dwDense), 1e-5);
            y.ToArray<float>().Should().NotEqual(new float[y.Numel], what);
        }
    }

    [Test]
    public void SparseSpikesTakeTheScatterPathAndGradedInputsTheDenseOne()
    {
        var weight = Tensor.Randn([16, 4, 3, 3], new Generator(1));
        var o = new ConvOptions(PH: 1, PW: 1);
        var spikes = Spikes(4, 4, 10, 10, 0.05, 2);
        var dense = Dense(() => Raw.Conv2d(spikes, weight, null, o));
        Close.All(Raw.Conv2d(spikes, weight, null, o).ToArray<float>(), D(dense), 1e-5);
        // One graded value makes the input non-binary: the dense path, bit for bit.
        var graded = Raw.Clone(spikes);
        Raw.CopyInto(Tensor.Full([1], 0.5), Raw.Narrow(Raw.Reshape(graded, [-1]), 0, 7, 1));
        Raw.Conv2d(graded, weight, null, o).ToArray<float>().Should().Equal(Dense(() => Raw.Conv2d(graded, weight, null, o)).ToArray<float>());
        CpuBackend.Instance.SpikeDensity(graded).Should().Be(-1);
        CpuBackend.Instance.SpikeDensity(spikes).Should().BeInRange(0.01, CpuBackend.ConvSpikeCrossover);
    }
}
