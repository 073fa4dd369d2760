using FluentAssertions;
using NUnit.Framework;
using Spike.Cuda;

namespace Spike.Tests.Cuda;

/// <summary>
/// The fused neuron kernels (kernels/neurons.cu) through the spiking contract of <see cref="CudaBackend"/>, against the
/// Float64 step-by-step reference: every model, hard and soft reset, detach_reset, decay_input, per-neuron thresholds,
/// every surrogate and a user-defined one. Spikes must match exactly, H, V and gradients to 1e-5. N = 37 neurons with
/// the host runtime's 2 × 32-thread grids cover the grid-stride loop.
/// </summary>
[TestFixture("host")]
[TestFixture("gpu")]
public class NeuronKernelTests(string runtime) : DeviceFixture(runtime)
{
    const int T = 8, N = 37;

    static readonly SurrogateSpec ATan = new(SurrogateKind.ATan, 2);

    static NeuronSpec Model(NeuronModel m, SurrogateSpec sg, bool soft, bool detach, bool decayInput) => new(m, sg, 1.0, soft ? null : -0.2, detach,
        Tau: 3, DecayInput: decayInput, A0: 0.8, VRest: -0.1, VC: 0.6, DeltaT: 0.7, ThetaRh: 0.5, TauW: 2.5, A: 0.3, B: 0.2);

    static IEnumerable<TestCaseData> Configurations() =>
        from m in Enum.GetValues<NeuronModel>()
        from soft in new[] { false, true }
        from detach in new[] { false, true }
        from decay in m is NeuronModel.Lif or NeuronModel.ParametricLif ? new[] { true, false } : [true]
        select new TestCaseData(m, soft, detach, decay).SetArgDisplayNames($"{m} {(soft ? "soft" : "hard")}{(detach ? " detach" : "")}{(decay ? "" : " no-decay-input")}");

    static IEnumerable<TestCaseData> Surrogates() =>
        from k in Enum.GetValues<SurrogateKind>()
        select new TestCaseData(k switch
        {
            SurrogateKind.PiecewiseLeakyReLU => new SurrogateSpec(k, 0.5, 0.05),
            SurrogateKind.SquarewaveFourierSeries => new SurrogateSpec(k, 4, 6),
            SurrogateKind.S2NN => new SurrogateSpec(k, 4, 0.7),
            SurrogateKind.QPseudoSpike => new SurrogateSpec(k, 2.5),
            SurrogateKind.Expression => new SurrogateSpec(k, 2, Expression: NeuronKernels.ExampleExpression),
            _ => new SurrogateSpec(k, 1.7),
        }).SetArgDisplayNames(k.ToString());

    static double[] Gaussian(int n, int seed, double scale, double shift = 0)
    {
        var r = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => shift + scale * Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble())).ToArray();
    }

    static Tensor F(double[] a, params int[] shape) => Raw.ToDType(Tensor.FromArray(a, shape), DType.Float32);
    static double[] D(Tensor t) => Raw.ToDType(Back(t), DType.Float64).ToArray<double>();
    static Tensor Empty(params int[] shape) => Raw.Empty(shape, DType.Float32, Gpu);

    /// <summary>Forward and backward on the device against the reference; with or without per-neuron thresholds and
    /// V_seq gradients. Inputs whose H lands within 1e-4 of the threshold are nudged, so a float32 rounding cannot flip a
    /// spike and make the comparison meaningless.</summary>
    void CheckAgainstReference(NeuronSpec p, bool perNeuronThreshold, bool storeV, int seed)
    {
        var sb = (ISpikingBackend)Backend;
        bool izh = p.Model == NeuronModel.Izhikevich;
        double k = 0.4;
        var x = Gaussian(T * N, seed, 1.5, 0.6);
        var v0 = Gaussian(N, seed + 1, 0.3);
        var w0 = Gaussian(N, seed + 2, 0.2);
        var th = perNeuronThreshold ? Gaussian(N, seed + 3, 0.2, 1.0) : null;
        for (int round = 0; round < 20; round++)
        {
            var probe = NeuronReference.Run(p, T, N, x, v0, w0, th, (float)k);
            bool nudged = false;
            for (int e = 0; e < T * N; e++)
                if (Math.Abs(probe.H[e] - (th?[e % N] ?? p.VThreshold)) < 1e-4) { x[e] += 0.01; nudged = true; }
            if (!nudged) break;
        }
        // The reference runs from the float32 values the kernels see.
        x = D(F(x)); v0 = D(F(v0)); w0 = D(F(w0)); th = th is null ? null : D(F(th));
        var r = NeuronReference.Run(p, T, N, x, v0, w0, th, (float)k);
        r.S.Should().Contain(1).And.Contain(0);

        var (dx, dv0, dw0, dth, dk) = (Dev(F(x, T, N)), Dev(F(v0, N)), Dev(F(w0, N)), th is null ? null : Dev(F(th, N)), Dev(F([k], 1)));
        var (s, h, vSeq, vLast, wLast) = (Empty(T, N), Empty(T, N), storeV ? Empty(T, N) : null, Empty(N), izh ? Empty(N) : null);
        sb.NeuronForward(p, new NeuronForwardArgs(dx, dv0, izh ? dw0 : null, dth, dk, s, h, vSeq, vLast, wLast));
        D(s).Should().Equal(r.S, "spikes");
        D(h).ShouldBeClose(r.H, 1e-5);
        if (vSeq is not null) D(vSeq).ShouldBeClose(r.V, 1e-5);
        D(vLast).ShouldBeClose(r.VLast, 1e-5);
        if (izh) D(wLast!).ShouldBeClose(r.WLast, 1e-5);

        var gS = Gaussian(T * N, seed + 4, 1);
        var gV = storeV ? Gaussian(T * N, seed + 5, 1) : null;
        var gLast = storeV ? null : Gaussian(N, seed + 6, 1);
        var gW = izh ? Gaussian(N, seed + 7, 1) : null;
        var g = NeuronReference.Grad(p, T, N, x, v0, w0, th, (float)k, gS, gV, gLast, gW);
        var (gx, gv0, gw0, gk) = (Empty(T, N), Empty(N), izh ? Empty(N) : null, p.Model == NeuronModel.ParametricLif ? Empty(1) : null);
        sb.NeuronBackward(p, new NeuronBackwardArgs(Dev(F(gS, T, N)), gV is null ? null : Dev(F(gV, T, N)), gLast is null ? null : Dev(F(gLast, N)),
            gW is null ? null : Dev(F(gW, N)), h, dv0, dth, dk, gx, gv0, gw0, gk));
        D(gx).ShouldBeClose(g.GradX, 1e-5);
        D(gv0).ShouldBeClose(g.GradVInit, 1e-5);
        if (gw0 is not null) D(gw0).ShouldBeClose(g.GradWInit, 1e-5);
        if (gk is not null) D(gk)[0].Should().BeApproximately(g.GradDecay, 1e-4 * (1 + Math.Abs(g.GradDecay)));
        g.GradX.Max(Math.Abs).Should().BeGreaterThan(0.05, "the surrogate gradient reaches the input");
    }

    [TestCaseSource(nameof(Configurations))]
    public void EveryModelAndResetMatchesTheFloat64Reference(NeuronModel m, bool soft, bool detach, bool decayInput)
    {
        var p = Model(m, ATan, soft, detach, decayInput);
        CheckAgainstReference(p, perNeuronThreshold: false, storeV: true, seed: 10);
        CheckAgainstReference(p, perNeuronThreshold: true, storeV: false, seed: 20);
    }

    [TestCaseSource(nameof(Surrogates))]
    public void EverySurrogateIsTheSpikeNnDerivative(SurrogateSpec sg) =>
        CheckAgainstReference(Model(NeuronModel.Lif, sg, soft: false, detach: false, decayInput: true), perNeuronThreshold: false, storeV: true, seed: 30);

    [Test]
    public void ParametricDecayGradientSumsEveryNeuronForAnyCount()
    {
        var sb = (ISpikingBackend)Backend;
        var p = Model(NeuronModel.ParametricLif, ATan, soft: false, detach: false, decayInput: true);
        foreach (int n in new[] { 1, 31, 33, 70, 1000 }) // below, around and far above one block; grids capped at 2 × 32 on the host
        {
            var x = Gaussian(T * n, n, 1.5, 0.8);
            var v0 = new double[n];
            var xs = D(F(x));
            var r = NeuronReference.Run(p, T, n, xs, v0, null, null, 0.4f);
            var gS = Gaussian(T * n, n + 1, 1);
            var expected = NeuronReference.Grad(p, T, n, xs, v0, null, null, 0.4f, gS, null, null, null).GradDecay;
            var (s, h, last, gx, gk) = (Empty(T, n), Empty(T, n), Empty(n), Empty(T, n), Empty(1));
            var (dv0, dk) = (Dev(F(v0, n)), Dev(F([0.4], 1)));
            sb.NeuronForward(p, new NeuronForwardArgs(Dev(F(xs, T, n)), dv0, null, null, dk, s, h, null, last, null));
            sb.NeuronBackward(p, new NeuronBackwardArgs(Dev(F(gS, T, n)), null, null, null, h, dv0, null, dk, gx, null, null, gk));
            D(gk)[0].Should().BeApproximately(expected, 1e-4 * (1 + Math.Abs(expected)), $"N = {n}");
            if (n > 1) r.S.Should().Contain(1);
        }
    }

    [Test]
    public void SingleStepsComposeToTheFusedKernelBitForBit()
    {
        var sb = (ISpikingBackend)Backend;
        foreach (var m in Enum.GetValues<NeuronModel>())
        {
            var p = Model(m, ATan, soft: m == NeuronModel.Qif, detach: false, decayInput: true);
            bool izh = m == NeuronModel.Izhikevich;
            var x = Dev(F(Gaussian(T * N, 40, 0.8, 0.3), T, N));
            var v0 = Dev(F(Gaussian(N, 41, 0.3), N));
            var w0 = Dev(F(Gaussian(N, 42, 0.2), N));
            var dk = Dev(F([0.4], 1));
            var (s, h, vSeq, vLast, wLast) = (Empty(T, N), Empty(T, N), Empty(T, N), Empty(N), Empty(N));
            sb.NeuronForward(p, new NeuronForwardArgs(x, v0, izh ? w0 : null, null, dk, s, h, vSeq, vLast, izh ? wLast : null));
            var (v, w) = (Raw.Clone(v0), Raw.Clone(w0));
            for (int t = 0; t < T; t++)
            {
                var (st, ht) = (Empty(N), Empty(N));
                sb.NeuronStep(p, new NeuronStepArgs(Raw.Select(x, 0, t), v, izh ? w : null, null, dk, st, ht));
                ShouldMatch(Back(st), Back(Raw.Select(s, 0, t)), 0, $"{m} spikes at t = {t}");
                ShouldMatch(Back(ht), Back(Raw.Select(h, 0, t)), 0, $"{m} h at t = {t}");
                ShouldMatch(Back(v), Back(Raw.Select(vSeq, 0, t)), 0, $"{m} v at t = {t}");
            }
            if (izh) ShouldMatch(Back(w), Back(wLast), 0, "w after T steps");
        }
    }

    [Test]
    public void DetachResetChangesOnlyTheBackwardOfTheResetPath()
    {
        var sb = (ISpikingBackend)Backend;
        var x = Dev(F(Gaussian(T * N, 50, 0.8, 0.3), T, N));
        var v0 = Dev(Tensor.Zeros([N], DType.Float32));
        var gS = Dev(F(Gaussian(T * N, 51, 1), T, N));
        var grads = new List<float[]>();
        foreach (bool detach in new[] { false, true })
        {
            var p = Model(NeuronModel.Lif, ATan, soft: false, detach, decayInput: true);
            var (s, h, last, gx) = (Empty(T, N), Empty(T, N), Empty(N), Empty(T, N));
            sb.NeuronForward(p, new NeuronForwardArgs(x, v0, null, null, null, s, h, null, last, null));
            sb.NeuronBackward(p, new NeuronBackwardArgs(gS, null, null, null, h, v0, null, null, gx, null, null, null));
            grads.Add(Back(gx).ToArray<float>());
        }
        // The last step has no future, so only earlier steps' gradients can differ.
        grads[0].Skip((T - 1) * N).Should().Equal(grads[1].Skip((T - 1) * N));
        grads[0].Take((T - 1) * N).Zip(grads[1].Take((T - 1) * N)).Count(z => z.First != z.Second).Should().BeGreaterThan(10);
    }

    [Test]
    public void ABrokenUserExpressionFailsWithTheCompilerLog()
    {
        if (OnHost) Assert.Ignore("NVRTC compiles expressions on a GPU; the host build of a broken expression is a g++ error");
        var p = Model(NeuronModel.If, new SurrogateSpec(SurrogateKind.Expression, 1, Expression: "alpha * undefined_thing"), false, false, true);
        var act = () => ((ISpikingBackend)Backend).NeuronStep(p, new NeuronStepArgs(Empty(3), Empty(3), null, null, null, Empty(3), null));
        act.Should().Throw<NvrtcException>().Which.Log.Should().Contain("undefined_thing");
    }
}
