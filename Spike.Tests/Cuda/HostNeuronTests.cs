using FluentAssertions;
using NUnit.Framework;
using Spike.Cuda;

namespace Spike.Tests.Cuda;

/// <summary>
/// The fused multi-step IF/LIF kernels (kernels/if_neuron.cu, lif_neuron.cu, every -D variant) executed on the host,
/// against the Float64 step-by-step reference (spikes exactly, v/h and gradients to 1e-5) and against SpikingJelly's
/// golden values.
/// </summary>
public class HostNeuronTests
{
    const int T = 8, N = 37;
    static readonly (int, int, bool) Launch = (2, 8, false); // 16 threads for 37 neurons: grid-stride loop

    static IEnumerable<TestCaseData> Variants() => NeuronKernelOptions.All.Select(o => new TestCaseData(o).SetArgDisplayNames(o.Variant.ToString()));

    static double[] Gaussian(int n, int seed, double scale)
    {
        var r = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => scale * Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble())).ToArray();
    }

    static float[] F(double[] a) => a.Select(v => (float)v).ToArray();
    static double[] D(float[] a) => a.Select(v => (double)v).ToArray();

    [TestCaseSource(nameof(Variants))]
    public void FusedForwardAndBackwardMatchFloat64StepByStep(NeuronKernelOptions o)
    {
        var lib = HostKernels.For(o.Program);
        foreach (var (tau, vReset, withInit, withGradV) in new (double, double, bool, bool)[] { (2, 0, false, true), (3, -0.5, true, false) })
        {
            var p = NeuronParams.Create(1.0, o.SoftReset ? null : vReset, tau, o.Surrogate == SurrogateKind.ATan ? 2 : 4);
            var x = F(Gaussian(T * N, 11, 1.5));
            var vInit = withInit ? F(Gaussian(N, 12, 0.5)) : null;
            var gS = F(Gaussian(T * N, 13, 1));
            var gV = withGradV ? F(Gaussian(T * N, 14, 1)) : null;

            var reference = NeuronReference.Forward(o, p, T, N, D(x), vInit is null ? null : D(vInit));
            // Spikes decided within float32 rounding of the threshold would make the comparison meaningless.
            reference.H.Min(h => Math.Abs(h - p.VThreshold)).Should().BeGreaterThan(1e-4, "test inputs stay clear of the threshold");

            float[] s = new float[T * N], h = new float[T * N], v = new float[T * N], last = new float[N];
            lib.Run(o.Variant, $"{o.Prefix}_fwd_f32", Launch, T, (long)N, x, vInit, s, h, v, last, p);
            D(s).Should().Equal(reference.S);
            D(h).ShouldBeClose(reference.H, 1e-5);
            D(v).ShouldBeClose(reference.V, 1e-5);
            D(last).ShouldBeClose(reference.VLast, 1e-5);
            reference.S.Should().Contain(1).And.Contain(0);

            // v_seq is optional: without it the other outputs are unchanged.
            float[] s2 = new float[T * N], h2 = new float[T * N];
            lib.Run(o.Variant, $"{o.Prefix}_fwd_f32", Launch, T, (long)N, x, vInit, s2, h2, null, null, p);
            s2.Should().Equal(s);
            h2.Should().Equal(h);

            // Backward from the saved H only; the reference differentiates the float32 H the kernel saved.
            var (gx, gInit) = NeuronReference.Backward(o, p, T, N, D(h), D(gS), gV is null ? null : D(gV));
            float[] kgx = new float[T * N], kgInit = new float[N];
            lib.Run(o.Variant, $"{o.Prefix}_bwd_f32", Launch, T, (long)N, gS, gV, h, kgx, kgInit, p);
            D(kgx).ShouldBeClose(gx, 1e-5);
            D(kgInit).ShouldBeClose(gInit, 1e-5);
            gx.Max(Math.Abs).Should().BeGreaterThan(0.1);
        }
    }

    [TestCaseSource(nameof(Variants))]
    public void SingleStepKernelComposedOverTimeEqualsTheFusedKernel(NeuronKernelOptions o)
    {
        var lib = HostKernels.For(o.Program);
        var p = NeuronParams.Create(1.0, o.SoftReset ? null : -0.5, 3, 2);
        var x = F(Gaussian(T * N, 41, 1.5));
        var vInit = F(Gaussian(N, 42, 0.5));
        float[] s = new float[T * N], h = new float[T * N], v = new float[T * N];
        lib.Run(o.Variant, $"{o.Prefix}_fwd_f32", Launch, T, (long)N, x, vInit, s, h, v, null, p);

        var state = (float[])vInit.Clone();
        for (int t = 0; t < T; t++)
        {
            float[] xt = x[(t * N)..((t + 1) * N)], st = new float[N], ht = new float[N];
            lib.Run(o.Variant, $"{o.Prefix}_step_f32", Launch, (long)N, xt, state, st, ht, p);
            st.Should().Equal(s[(t * N)..((t + 1) * N)], $"spikes at t={t}");
            ht.Should().Equal(h[(t * N)..((t + 1) * N)], $"h at t={t}");
            state.Should().Equal(v[(t * N)..((t + 1) * N)], $"v at t={t}");
        }
        s.Should().Contain(1);
    }

    [Test]
    public void DetachResetChangesOnlyTheResetPath()
    {
        var attached = new NeuronKernelOptions(NeuronKind.Lif, SurrogateKind.ATan, SoftReset: false, DetachReset: false);
        var detached = attached with { DetachReset = true };
        var lib = HostKernels.For(attached.Program);
        var p = NeuronParams.Create(1, 0, 2, 2);
        var x = F(Gaussian(T * N, 21, 1.5));
        var gS = F(Gaussian(T * N, 22, 1));
        float[] s = new float[T * N], h = new float[T * N], s2 = new float[T * N], h2 = new float[T * N];
        lib.Run(attached.Variant, "lif_fwd_f32", Launch, T, (long)N, x, null, s, h, null, null, p);
        lib.Run(detached.Variant, "lif_fwd_f32", Launch, T, (long)N, x, null, s2, h2, null, null, p);
        s2.Should().Equal(s, "detach_reset does not change the forward pass");
        float[] g1 = new float[T * N], g2 = new float[T * N];
        lib.Run(attached.Variant, "lif_bwd_f32", Launch, T, (long)N, gS, null, h, g1, null, p);
        lib.Run(detached.Variant, "lif_bwd_f32", Launch, T, (long)N, gS, null, h, g2, null, p);
        // The last step's gradient has no future, so only earlier steps can differ.
        g1.Skip((T - 1) * N).Should().Equal(g2.Skip((T - 1) * N));
        g1.Take((T - 1) * N).Zip(g2.Take((T - 1) * N)).Count(z => z.First != z.Second).Should().BeGreaterThan(10);
    }

    [Test]
    public void HalfKernelsTrackFloatWithinHalfPrecision()
    {
        var o = new NeuronKernelOptions(NeuronKind.Lif, SurrogateKind.Sigmoid, SoftReset: true, DetachReset: false, DecayInput: false);
        var lib = HostKernels.For(o.Program);
        var p = NeuronParams.Create(1, null, 2, 4);
        // Inputs exactly representable in half, so both kernels see the same x.
        var x = Gaussian(T * N, 31, 1.5).Select(v => (float)(Half)v).ToArray();
        var gS = Gaussian(T * N, 32, 1).Select(v => (float)(Half)v).ToArray();
        ushort[] Hx(float[] a) => a.Select(v => BitConverter.HalfToUInt16Bits((Half)v)).ToArray();
        float[] Fx(ushort[] a) => a.Select(v => (float)BitConverter.UInt16BitsToHalf(v)).ToArray();

        float[] s = new float[T * N], h = new float[T * N];
        ushort[] sh = new ushort[T * N], hh = new ushort[T * N];
        lib.Run(o.Variant, "lif_fwd_f32", Launch, T, (long)N, x, null, s, h, null, null, p);
        lib.Run(o.Variant, "lif_fwd_f16", Launch, T, (long)N, Hx(x), null, sh, hh, null, null, p);
        var hf = Fx(hh);
        for (int k = 0; k < T * N; k++)
        {
            hf[k].Should().BeApproximately(h[k], 4e-3f * (1 + Math.Abs(h[k])), $"h at {k}");
            if (Math.Abs(h[k] - 1) > 0.02) Fx(sh)[k].Should().Be(s[k], $"spike at {k}");
        }
        float[] g = new float[T * N];
        ushort[] gh = new ushort[T * N];
        lib.Run(o.Variant, "lif_bwd_f32", Launch, T, (long)N, gS, null, h, g, null, p);
        lib.Run(o.Variant, "lif_bwd_f16", Launch, T, (long)N, Hx(gS), null, hh, gh, null, p);
        var gf = Fx(gh);
        for (int k = 0; k < T * N; k++) gf[k].Should().BeApproximately(g[k], 0.03f * (1 + Math.Abs(g[k])), $"grad at {k}");
    }
}
