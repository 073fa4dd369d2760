using FluentAssertions;
using NUnit.Framework;
using Spike.Cuda;

namespace Spike.Tests.Cuda;

/// <summary>The binary16 neuron kernels (<c>_f16</c>: half storage, float arithmetic) on the host against the float32
/// ones: H within half precision, spikes equal away from the threshold, gradients within half precision.</summary>
public class HalfNeuronKernelTests
{
    const int T = 8, N = 37;

    [Test]
    public void HalfKernelsOfEveryModelTrackFloat32()
    {
        var lib = HostKernels.For(NeuronKernels.Program);
        var variant = NeuronKernels.For(new SurrogateSpec(SurrogateKind.Sigmoid, 4));
        var r = new Random(31);
        // Inputs exactly representable in half, so both kernels see the same values.
        float[] Draw(int n, double scale, double shift) => Enumerable.Range(0, n).Select(_ => (float)(Half)(shift + scale * (r.NextDouble() * 2 - 1))).ToArray();
        ushort[] H(float[] a) => a.Select(v => BitConverter.HalfToUInt16Bits((Half)v)).ToArray();
        float[] F(ushort[] a) => a.Select(v => (float)BitConverter.UInt16BitsToHalf(v)).ToArray();
        var (x, v0, w0, gS) = (Draw(T * N, 1.5, 0.6), Draw(N, 0.3, 0), Draw(N, 0.2, 0), Draw(T * N, 1, 0));
        float[] k = [0.4f];
        foreach (var model in Enum.GetValues<NeuronModel>())
        {
            var p = NeuronParams.From(new NeuronSpec(model, new SurrogateSpec(SurrogateKind.Sigmoid, 4), VReset: null, Tau: 2, DecayInput: false, A: 0.3, B: 0.2));
            string name = NeuronKernels.Prefix(model);
            bool izh = model == NeuronModel.Izhikevich;
            var launch = (2, 8, model == NeuronModel.ParametricLif); // PLIF's backward sums dL/dk across the block
            float[] s = new float[T * N], h = new float[T * N], last = new float[N], wLast = new float[N], g = new float[T * N];
            ushort[] sh = new ushort[T * N], hh = new ushort[T * N], lastH = new ushort[N], wLastH = new ushort[N], gh = new ushort[T * N];
            if (izh)
            {
                lib.Run(variant, $"{name}_fwd_f32", (2, 8, false), T, (long)N, x, v0, w0, null, s, h, null, last, wLast, p);
                lib.Run(variant, $"{name}_fwd_f16", (2, 8, false), T, (long)N, H(x), H(v0), H(w0), null, sh, hh, null, lastH, wLastH, p);
                lib.Run(variant, $"{name}_bwd_f32", launch, T, (long)N, gS, null, null, null, h, v0, null, g, null, null, p);
                lib.Run(variant, $"{name}_bwd_f16", launch, T, (long)N, H(gS), null, null, null, hh, H(v0), null, gh, null, null, p);
            }
            else
            {
                lib.Run(variant, $"{name}_fwd_f32", (2, 8, false), T, (long)N, x, v0, null, k, s, h, null, last, p);
                lib.Run(variant, $"{name}_fwd_f16", (2, 8, false), T, (long)N, H(x), H(v0), null, k, sh, hh, null, lastH, p);
                lib.Run(variant, $"{name}_bwd_f32", launch, T, (long)N, gS, null, null, h, v0, null, k, g, null, null, p);
                lib.Run(variant, $"{name}_bwd_f16", launch, T, (long)N, H(gS), null, null, hh, H(v0), null, k, gh, null, null, p);
            }
            var (hf, sf, gf) = (F(hh), F(sh), F(gh));
            for (int e = 0; e < T * N; e++)
            {
                // Half rounding of H feeds the next step, so the error grows with t; these tolerances hold for T = 8.
                hf[e].Should().BeApproximately(h[e], 0.02f * (1 + Math.Abs(h[e])), $"{name} h at {e}");
                if (Math.Abs(h[e] - 1) > 0.05) sf[e].Should().Be(s[e], $"{name} spike at {e}");
            }
            if (s.Zip(sf).All(z => z.First == z.Second))
                for (int e = 0; e < T * N; e++) gf[e].Should().BeApproximately(g[e], 0.05f * (1 + Math.Abs(g[e])), $"{name} grad at {e}");
            s.Should().Contain(1f, name);
        }
    }
}
