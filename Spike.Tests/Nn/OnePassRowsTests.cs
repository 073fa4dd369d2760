using FluentAssertions;
using NUnit.Framework;
using Spike.Nn;

namespace Spike.Tests.Nn;

/// <summary>
/// The one-pass neuron steps against the staged rows they replace (charge, then fire/reset; surrogate row, then reset
/// backward): bit for bit, with and without streaming stores, at every start alignment and with ragged ends.
/// </summary>
public sealed unsafe class OnePassRowsTests
{
    static readonly (string Name, NeuronKernel Kernel)[] Kernels =
    [
        ("IF", new IfKernel()),
        ("LIF τ=3 (÷τ)", new LifKernel(true, 0f, 3f, 1f / 3f, divideByTau: true, paramGrad: false)),
        ("PLIF k=0.4 (·k)", new LifKernel(true, 0f, 2.5f, 0.4f, divideByTau: false, paramGrad: false)),
    ];

    static readonly ResetRule[] Rules = [new(true, 0f, false), new(true, -0.3f, false), new(false, 0f, false), new(true, 0f, true)];

    [Test]
    public void ForwardStepEqualsTheStagedRows([Values(0, 1, 2, 3)] int rule, [Values(true, false)] bool stream, [Values(true, false)] bool scalarVth)
    {
        var rng = new Random(7);
        foreach (var (name, kernel) in Kernels)
            foreach (int n in new[] { 1, 15, 16, 37, 300 })
                foreach (int offset in new[] { 0, 3, 8, 15 })
                {
                    float[] x = Random(rng, n + 16, 0, 2), th = Vth(rng, n + 16, scalarVth), v0 = Random(rng, n + 16, -0.5f, 1);
                    var (vStaged, hStaged, sStaged) = ((float[])v0.Clone(), new float[n], new float[n]);
                    var xs = x.AsSpan(offset, n);
                    var ths = th.AsSpan(offset, n);
                    var vs = vStaged.AsSpan(offset, n);
                    kernel.Forward(vs, xs, hStaged);
                    NeuronRows.FireReset(hStaged, ths, sStaged, vs, Rules[rule]);

                    // h and s `offset` floats past a 64-byte boundary each (so streaming stores after a head of plain ones).
                    var vOne = (float[])v0.Clone();
                    var (hOne, hAt) = Aligned(n, offset);
                    var (sOne, sAt) = Aligned(n, offset);
                    fixed (float* xp = x, tp = th, vp = vOne, hp = hOne, sp = sOne)
                        kernel.ChargeFireReset(vp + offset, xp + offset, xp + offset, Threshold(scalarVth, tp + offset), Rules[rule], hp + hAt, sp + sAt,
                            n, stream);
                    string at = $"{name}, n = {n}, offset {offset}";
                    hOne.AsSpan(hAt, n).ToArray().Should().Equal(hStaged, at);
                    sOne.AsSpan(sAt, n).ToArray().Should().Equal(sStaged, at);
                    vOne.Should().Equal(vStaged, at);
                }
    }

    [Test]
    public void BackwardStepEqualsTheStagedRows([Values(0, 1, 2, 3)] int rule, [Values(true, false)] bool stream, [Values(true, false)] bool withGS,
        [Values(true, false)] bool scalarVth)
    {
        var rng = new Random(11);
        var surrogate = new ATan(2.5);
        foreach (var (toX, toV) in new[] { (1f, 1f), (1f / 3f, 2f / 3f) })
            foreach (int n in new[] { 1, 15, 16, 37, 300 })
                foreach (int offset in new[] { 0, 5, 15 })
                {
                    float[] h = Random(rng, n + 16, -0.5f, 2), th = Vth(rng, n + 16, scalarVth);
                    float[] gS = Random(rng, n + 16, -1, 1), gv0 = Random(rng, n + 16, -1, 1);
                    var hs = h.AsSpan(offset, n);
                    var ths = th.AsSpan(offset, n);
                    var (gvStaged, gxStaged, sg) = ((float[])gv0.Clone(), new float[n], new float[n]);
                    surrogate.DerivativeAt(hs, ths, sg);
                    NeuronRows.ResetBackward(hs, ths, withGS ? gS.AsSpan(offset, n) : default, gvStaged.AsSpan(offset, n), sg, Rules[rule],
                        gxStaged, toX, gvStaged.AsSpan(offset, n), toV);

                    var gvOne = (float[])gv0.Clone();
                    var (gxOne, gxAt) = Aligned(n, offset);
                    fixed (float* hp = h, tp = th, gsp = gS, gvp = gvOne, gxp = gxOne)
                        surrogate.ResetBackwardOnePass(hp + offset, hp + offset, Threshold(scalarVth, tp + offset), withGS ? gsp + offset : null, withGS ? gsp + offset : null,
                            gvp + offset, Rules[rule], gxp + gxAt, toX, toV, n, stream);
                    string at = $"∂h/∂x = {toX}, n = {n}, offset {offset}";
                    gxOne.AsSpan(gxAt, n).ToArray().Should().Equal(gxStaged, at);
                    gvOne.Should().Equal(gvStaged, at);
                }
    }

    /// <summary>Thresholds: one value for every neuron (0.8, kept in a register by the one-pass step) or per neuron.</summary>
    static float[] Vth(Random rng, int n, bool scalar) => scalar ? Enumerable.Repeat(0.8f, n).ToArray() : Random(rng, n, 0.5f, 1.2f);

    static Threshold Threshold(bool scalar, float* row) => scalar ? Spike.Nn.Threshold.Scalar(0.8f) : Spike.Nn.Threshold.PerNeuron(row);

    /// <summary>A pinned array with room for n floats starting `phase` floats past a 64-byte boundary, and that start.</summary>
    static (float[] Array, int Start) Aligned(int n, int phase)
    {
        var a = GC.AllocateArray<float>(n + 32, pinned: true);
        fixed (float* p = a) return (a, (int)((64 - ((nint)p & 63)) & 63) / sizeof(float) + phase);
    }

    static float[] Random(Random rng, int n, float lo, float hi)
    {
        var a = new float[n];
        for (int i = 0; i < n; i++) a[i] = lo + (float)rng.NextDouble() * (hi - lo);
        return a;
    }
}
