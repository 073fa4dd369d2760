using FluentAssertions;
using NUnit.Framework;
using Spike.Cuda;
using Spike.Nn;

namespace Spike.Tests.Cuda;

/// <summary>
/// Float16 tensors on the device against the CPU backend: casts with every dtype bit for bit, elementwise ops (the
/// f16 kernels), reductions, softmax and losses (Float32 twins on the device), matmul through GemmEx (FP16 in, FP32
/// compute); the fused neurons in half against the Float64 reference within half precision, the two-neurons-per-thread
/// kernels against the one-neuron kernels exactly, and a Linear + LIF training step against Float32 on the CPU.
/// </summary>
[TestFixture("host")]
[TestFixture("gpu")]
public class HalfParityTests(string runtime) : DeviceFixture(runtime)
{
    const double HalfTol = 2e-3;  // two ulps of binary16 relative to 1 + |expected|

    static Tensor ToHalf(Tensor t) => Raw.ToDType(t, DType.Float16);

    [Test]
    public void CastsBetweenFloat16AndEveryDtypeMatchTheCpu()
    {
        var specials = Tensor.FromArray(new[] { 0.0, -0.0, 1 + Math.ScaleB(1, -11), 1 + Math.ScaleB(1, -11) + Math.ScaleB(1, -40), 65504, 65519.9,
            65520, -1e6, Math.ScaleB(1, -24), Math.ScaleB(1, -25), Math.ScaleB(3, -25), double.NaN, double.NegativeInfinity, 2.75, -300.5, 0.1 });
        foreach (var d in AllTypes)
        {
            var src = d is DType.Float32 or DType.Float64 ? Raw.ToDType(specials, d) : Values(d, 3, 16);
            Same(0, t => Raw.ToDType(t[0], DType.Float16), src);
            Same(0, t => Raw.ToDType(Raw.Transpose(Raw.Reshape(t[0], 4, 4), 0, 1), DType.Float16), src);  // strided source
            Same(0, t => Raw.ToDType(t[0], d), ToHalf(Raw.ToDType(specials, DType.Float64)));
        }
        Same(0, t => Raw.Contiguous(Raw.Transpose(Raw.Reshape(t[0], 4, 4), 0, 1)), ToHalf(specials));  // same-type strided copy
        Same(0, t => Tensor.Full([5], 0.1, DType.Float16, t[0].Device), specials);
    }

    [Test]
    public void ElementwiseReductionsAndLossesMatchTheCpu()
    {
        var a = ToHalf(Values(DType.Float32, 1, 6, 5));
        var b = ToHalf(Values(DType.Float32, 2, 5));
        Same(0, t => t[0] + t[1], a, b);
        Same(0, t => Raw.Binary(BinaryOp.Mul, Raw.Transpose(t[0], 0, 1), Raw.Unsqueeze(t[1], 1)), a, b);
        Same(HalfTol, t => Raw.Unary(UnaryOp.Exp, t[0]), a);
        Same(HalfTol, t => Raw.Unary(UnaryOp.Sigmoid, t[0]), a);
        Same(0, t => Raw.Unary(UnaryOp.Clamp, t[0], -0.5, 0.7), a);
        Same(0, t => Raw.Where(Raw.Binary(BinaryOp.Gt, t[0], t[1]), t[0], t[1]), a, b);
        Same(HalfTol, t => Raw.Reduce(ReduceOp.Sum, t[0], [1], false), a);
        Same(HalfTol, t => Raw.Reduce(ReduceOp.Sum, t[0], [0], true), a);
        Same(0, t => Raw.Amax(t[0], [1], false), a);
        Same(0, t => Raw.ArgMax(t[0], 1, false), a);
        Same(HalfTol, t => Raw.Softmax(t[0], 1, log: false), a);
        var target = Tensor.FromArray(new long[] { 0, 4, 2, 1, 3, 0 });
        Same(HalfTol, t => t[0].CrossEntropy(t[1]), a, target);
        Same(0, t => Tensor.Randn([40], new Generator(9), dtype: DType.Float16, device: t[0].Device), a);  // drawn in float, rounded
        // The fused Poisson encoder on the device draws what rand_like(x) <= x draws on the CPU (uniforms rounded to half).
        var rates = ToHalf(Tensor.Rand([64, 33], new Generator(12)));
        Same(0, t => new PoissonEncoder(new Generator(13), 4) { StepMode = StepMode.Multi }.Forward(t[0]), rates);
    }

    [Test]
    public void MatmulRunsGemmExWithFloatAccumulation()
    {
        var a = ToHalf(Values(DType.Float32, 4, 2, 7, 9));
        var b = ToHalf(Values(DType.Float32, 5, 9, 3));
        int before = Host?.GemmCalls ?? 0;
        Same(HalfTol, t => Raw.Matmul(t[0], t[1]), a, b);
        Same(HalfTol, t => Raw.Matmul(Raw.Transpose(t[1], 0, 1), Raw.Transpose(t[0], 1, 2)), a, b);
        if (Host is not null) Host.GemmCalls.Should().BeGreaterThan(before, "half products go through cuBLAS GemmEx");
        // 4096 products of 1: a half accumulator would stop at 2048; GemmEx accumulates in float.
        var ones = Tensor.Ones([1, 4096], DType.Float16);
        Back(Raw.Matmul(Dev(ones), Dev(Raw.Transpose(ones, 0, 1)))).Item().Should().Be(4096);
    }

    static NeuronSpec Spec(NeuronModel m) => new(m, new SurrogateSpec(SurrogateKind.ATan, 2), 1.0, m == NeuronModel.If ? null : -0.2, false,
        Tau: 3, DecayInput: true, A0: 0.8, VRest: -0.1, VC: 0.6, DeltaT: 0.7, ThetaRh: 0.5, TauW: 2.5, A: 0.3, B: 0.2);

    static double[] D(Tensor t) => Raw.ToDType(Back(t), DType.Float64).ToArray<double>();

    /// <summary>Half values (exact in every dtype) of a seeded uniform draw in [shift − scale, shift + scale).</summary>
    static double[] Draw(int n, int seed, double scale, double shift)
    {
        var r = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => (double)(Half)(shift + scale * (2 * r.NextDouble() - 1))).ToArray();
    }

    /// <summary>One forward and backward of the fused neuron in Float16, with the [T, n] and [n] operands placed at
    /// element <paramref name="offset"/> of their storage; returns every output as doubles and the kernels that ran.</summary>
    (double[][] Outputs, string[] Kernels) RunHalf(NeuronSpec p, int steps, int n, int offset, double[] x, double[] v0, double[] w0, double[] gS)
    {
        var sb = (ISpikingBackend)Backend;
        bool izh = p.Model == NeuronModel.Izhikevich;
        Tensor At(double[]? values, params int[] shape)
        {
            var t = Raw.Narrow(Raw.Empty([offset + Layout.NumelOf(shape)], DType.Float16, Gpu), 0, offset, Layout.NumelOf(shape));
            if (values is not null) Raw.CopyInto(Dev(ToHalf(Tensor.FromArray(values))), t);
            return Raw.Reshape(t, shape);
        }
        var k = Dev(Tensor.FromArray(new[] { 0.4f }));
        var (dx, dv0, dw0) = (At(x, steps, n), At(v0, n), izh ? At(w0, n) : null);
        var (s, h, vSeq, vLast, wLast) = (At(null, steps, n), At(null, steps, n), At(null, steps, n), At(null, n), izh ? At(null, n) : null);
        Host?.LaunchedKernels.Clear();
        sb.NeuronForward(p, new NeuronForwardArgs(dx, dv0, dw0, null, izh ? null : k, s, h, vSeq, vLast, wLast));
        var (gx, gv0, gk) = (At(null, steps, n), At(null, n), p.Model == NeuronModel.ParametricLif ? Dev(Tensor.Zeros(1)) : null);
        var gw0 = izh ? At(null, n) : null;
        sb.NeuronBackward(p, new NeuronBackwardArgs(At(gS, steps, n), null, At(v0, n), izh ? At(w0, n) : null, h, dv0, null, izh ? null : k, gx, gv0, gw0, gk));
        string[] kernels = Host is null ? [] : [.. Host.LaunchedKernels.Where(name => name.StartsWith(NeuronKernels.Prefix(p.Model) + "_"))];
        double[][] outputs = [D(s), D(h), D(vSeq), D(vLast), D(gx), D(gv0), .. izh ? [D(wLast!), D(gw0!)] : Array.Empty<double[]>(), .. gk is null ? Array.Empty<double[]>() : [D(gk)]];
        return (outputs, kernels);
    }

    [Test]
    public void HalfNeuronsTrackTheReferenceAndPairsEqualSingles([Values] NeuronModel model)
    {
        const int T = 6;
        var p = Spec(model);
        bool izh = model == NeuronModel.Izhikevich;
        foreach (int n in new[] { 38, 37 })
        {
            var x = Draw(T * n, n, 1.2, 1.2);
            var (v0, w0, gS) = (Draw(n, n + 1, 0.3, 0), Draw(n, n + 2, 0.2, 0), Draw(T * n, n + 3, 1, 0));
            var pairs = RunHalf(p, T, n, 0, x, v0, w0, gS);
            var singles = RunHalf(p, T, n, 1, x, v0, w0, gS);  // an odd element offset is only 2-byte aligned
            if (Host is not null)
            {
                string prefix = NeuronKernels.Prefix(model), pair = n % 2 == 0 ? "x2" : "";
                pairs.Kernels.Should().Equal([$"{prefix}_fwd_f16{pair}", $"{prefix}_bwd_f16{pair}"], "even n, aligned: two neurons per thread");
                singles.Kernels.Should().Equal([$"{prefix}_fwd_f16", $"{prefix}_bwd_f16"], "a misaligned view takes the scalar kernels");
            }
            for (int o = 0; o < pairs.Outputs.Length; o++)
                pairs.Outputs[o].Should().Equal(singles.Outputs[o], $"output {o} of {model} with n = {n}: two neurons per thread change nothing");

            // Against the Float64 reference run from the same half inputs: H within half precision (rounding of H
            // feeds the next step), spikes equal away from the threshold.
            var r = NeuronReference.Run(p, T, n, x, v0, izh ? w0 : null, null, 0.4f);
            var (s, h) = (pairs.Outputs[0], pairs.Outputs[1]);
            for (int e = 0; e < T * n; e++)
            {
                h[e].Should().BeApproximately(r.H[e], 0.02 * (1 + Math.Abs(r.H[e])), $"{model} H at {e}");
                if (Math.Abs(r.H[e] - 1) > 0.05) s[e].Should().Be(r.S[e], $"{model} spike at {e}");
            }
            s.Should().Contain(1).And.Contain(0);
        }
    }

    [Test]
    public void LinearLifTrainingStepInFloat16OnTheDeviceIsCloseToFloat32OnTheCpu()
    {
        Module Net() => new Sequential(new Linear(12, 4, generator: new Generator(21)), new LifNode(tau: 2.0, surrogate: new ATan(), stepMode: StepMode.Multi));
        var x = Tensor.Rand([6, 3, 12], new Generator(22), 0, 1.5);
        var target = Tensor.Rand([3, 4], new Generator(23));
        (double Loss, float[][] Params) Step(DType dtype, Device device)
        {
            var net = Net().To(dtype).To(device);
            var opt = new Sgd(net.Parameters(), lr: 0.5);
            Host?.LaunchedKernels.Clear();
            var y = net.Forward(Raw.ToDevice(x.To(dtype), device));
            if (device != Device.Cpu) Host?.LaunchedKernels.Should().Contain("lif_fwd_f16x2", "the half neuron runs the fused kernel");
            var loss = Losses.Mse(y.Mean(0), Raw.ToDevice(target.To(dtype), device));
            opt.ZeroGrad();
            loss.Backward();
            net.Parameters().Should().OnlyContain(q => q.Grad!.DType == dtype && q.Grad.Device == device);
            opt.Step();
            return (loss.Item(), net.Parameters().Select(q => Back(q.To(DType.Float32)).ToArray<float>()).ToArray());
        }
        var (l32, p32) = Step(DType.Float32, Device.Cpu);
        var (l16, p16) = Step(DType.Float16, Gpu);
        l16.Should().BeApproximately(l32, 2e-3);
        for (int i = 0; i < p32.Length; i++)
            p16[i].Zip(p32[i], (h, f) => Math.Abs(h - f)).Max().Should().BeLessThan(2e-3f, $"parameter {i} after one step");
    }
}
