using FluentAssertions;
using NUnit.Framework;
using Spike.Nn;
using Sigmoid = Spike.Nn.Sigmoid;

namespace Spike.Tests.Nn;

/// <summary>The fused multi-step path equals the composition of single steps: spikes exactly, V and gradients to 1e-5.</summary>
public sealed class FusedNeuronTests
{
    public static IEnumerable<TestCaseData> Neurons()
    {
        foreach (double? vr in new double?[] { 0.0, -0.3, null })
            foreach (bool detach in new[] { false, true })
            {
                string tag = $"vr={vr?.ToString() ?? "soft"},detach={detach}";
                yield return new TestCaseData((Func<BaseNode>)(() => new IFNode(1.0, vr, new ATan(), detach))).SetArgDisplayNames("IF," + tag);
                foreach (bool decay in new[] { true, false })
                {
                    yield return new TestCaseData((Func<BaseNode>)(() => new LifNode(3.0, decay, 1.0, vr, new Sigmoid(), detach))).SetArgDisplayNames($"LIF,decay={decay}," + tag);
                    yield return new TestCaseData((Func<BaseNode>)(() => new ParametricLifNode(2.5, decay, 1.0, vr, new ATan(), detach))).SetArgDisplayNames($"PLIF,decay={decay}," + tag);
                }
                yield return new TestCaseData((Func<BaseNode>)(() => new QifNode(2.0, 0.8, 1.0, 1.0, -0.2, vr, new Erf(), detach))).SetArgDisplayNames("QIF," + tag);
                yield return new TestCaseData((Func<BaseNode>)(() => new EifNode(2.0, 1.0, 0.8, 1.0, 0.0, vr, new PiecewiseExp(), detach))).SetArgDisplayNames("EIF," + tag);
            }
    }

    [TestCaseSource(nameof(Neurons))]
    public void FusedEqualsStepByStep(Func<BaseNode> make) => Compare(make, T: 6, shape: [3, 7], seed: 11);

    [Test]
    public void FusedEqualsStepByStepOverManyBlocksInParallel() =>
        // 2·5000 neurons: 10 blocks of 1024 plus a ragged tail, large enough for the parallel path.
        Compare(() => new ParametricLifNode(2.0, true, 1.0, null, new Sigmoid(), false), T: 8, shape: [2, 5000], seed: 3);

    public static IEnumerable<TestCaseData> StreamedNeurons()
    {
        // Streaming, PLIF and LIF (decay_input, Vr = 0) and IF take the one-pass forward step, LIF with Vr ≠ 0 the staged
        // rows; IF and LIF (ATan, no parameter gradient) take the one-pass backward step, PLIF the staged rows.
        yield return new TestCaseData((Func<BaseNode>)(() => new ParametricLifNode(2.0, true, 1.0, 0.0, new ATan(), false))).SetArgDisplayNames("PLIF");
        yield return new TestCaseData((Func<BaseNode>)(() => new LifNode(3.0, true, 0.5, 0.0, new ATan()) { StoreVSeq = true })).SetArgDisplayNames("LIF,V_seq");
        yield return new TestCaseData((Func<BaseNode>)(() => new IFNode(1.0, null, new ATan()))).SetArgDisplayNames("IF,soft");
        yield return new TestCaseData((Func<BaseNode>)(() => new IFNode(1.0, 0.0, new ATan(), true))).SetArgDisplayNames("IF,detach");
        yield return new TestCaseData((Func<BaseNode>)(() => new LifNode(3.0, true, 0.5, -0.3, new ATan()))).SetArgDisplayNames("LIF,vr=-0.3");
    }

    [TestCaseSource(nameof(StreamedNeurons))]
    public void StreamedOutputsEqualCachedOnes(Func<BaseNode> make)
    {
        // 2 × 4.2·10⁶ neurons: each [T, N] output is 33.6 MB, past the streaming threshold; each half alone stays below
        // it and takes the plain stores. Neurons are independent, so the halves must reproduce the whole bit for bit.
        // N is not a multiple of 16, so the rows start at every alignment.
        const int t = 2, n = 4_200_003;
        var x = Tensor.Rand([t, n], new Generator(21), 0, 2.0);
        var gy = Tensor.Randn([t, n], new Generator(22));
        int h1 = n / 2, h2 = n - n / 2;
        float[] Run(Tensor input, Tensor seed, out float[] grad, out float[] hLast)
        {
            var leaf = Raw.Clone(input).RequiresGrad_();
            var node = make();
            node.StepMode = StepMode.Multi;
            var spikes = node.Forward(leaf);
            hLast = node.HLast!.ToArray<float>();
            float[] vSeq = node.StoreVSeq ? node.VSeq!.ToArray<float>() : [];
            spikes.Backward(seed);
            grad = leaf.Grad!.ToArray<float>();
            return [.. spikes.ToArray<float>(), .. node.V.ToArray<float>(), .. vSeq];
        }
        var whole = Run(x, gy, out var gWhole, out var hWhole);
        var first = Run(Raw.Narrow(x, 1, 0, h1), Raw.Narrow(gy, 1, 0, h1), out var g1, out var hFirst);
        var second = Run(Raw.Narrow(x, 1, h1, h2), Raw.Narrow(gy, 1, h1, h2), out var g2, out var hSecond);
        void Halves(float[] all, float[] a, float[] b, int rows, string what)
        {
            for (int step = 0; step < rows; step++)
            {
                var row = all.AsSpan(step * n, n);
                row[..h1].SequenceEqual(a.AsSpan(step * h1, h1)).Should().BeTrue($"{what} row {step}, first half");
                row[h1..].SequenceEqual(b.AsSpan(step * h2, h2)).Should().BeTrue($"{what} row {step}, second half");
            }
        }
        Halves(whole, first, second, whole.Length / n, "spikes, V (and V_seq)");
        Halves(hWhole, hFirst, hSecond, t, "H");
        Halves(gWhole, g1, g2, t, "gradient");
        whole.Take(t * n).Should().Contain(1f).And.Contain(0f);
    }

    [Test]
    public void CustomSurrogateRunsInTheFusedPath() =>
        Compare(() => new LifNode(2.0, true, 1.0, 0.0, new CustomSurrogate(x => (x * 3).Tanh() * 0.5 + 0.5, x => 1.5 * (1 - Math.Tanh(3 * x) * Math.Tanh(3 * x)))),
            T: 5, shape: [4, 9], seed: 5);

    [Test]
    public void PerNeuronThresholdsInTheFusedPath() =>
        Compare(() => new LifNode(2.0, true, 1.0, null, new ATan()) { VThresholdTensor = Tensor.FromArray([0.5f, 0.8f, 1.0f, 1.2f, 1.5f], 5) },
            T: 6, shape: [3, 5], seed: 9);

    [TestCaseSource(nameof(Neurons))]
    public void SingleStepForwardEqualsTheComposedStep(Func<BaseNode> make)
    {
        // Forward in single-step mode runs the fused kernel with T = 1; SingleStep is the op composition.
        const int T = 4;
        var x = RandomInput([T, 3, 5], 31);
        var g = RandomInput([T, 3, 5], 32);
        var results = new List<(float[] S, double[] V, double[] H, double[] Gx)>();
        foreach (bool fused in new[] { true, false })
        {
            var node = make();
            node.StepMode = StepMode.Single;
            var xs = Raw.Clone(x).RequiresGrad_();
            Tensor loss = Tensor.Scalar(0);
            var spikes = new List<float>();
            for (int t = 0; t < T; t++)
            {
                var s = fused ? node.Forward(xs.Select(0, t)) : node.SingleStep(xs.Select(0, t));
                s.Shape.Should().Equal(3, 5);
                spikes.AddRange(s.ToArray<float>());
                loss = loss + (s * g.Select(0, t)).Sum();
            }
            node.HLast!.Shape.Should().Equal(3, 5);
            (loss + node.V.Sum()).Backward();
            results.Add((spikes.ToArray(), F64(node.V), F64(node.HLast!), F64(xs.Grad!)));
        }
        results[0].S.Should().Equal(results[1].S, "spikes must match exactly");
        results[0].V.ShouldBeClose(results[1].V, 1e-5);
        results[0].H.ShouldBeClose(results[1].H, 1e-5);
        results[0].Gx.ShouldBeClose(results[1].Gx, 1e-5);
    }

    [Test]
    public void StateCarriesGradientAcrossCalls()
    {
        // Two multi-step calls without reset: the second call's V_init is the first call's V_final, in the graph.
        var x = RandomInput([4, 2, 6], 21);
        var g = RandomInput([8, 2, 6], 22);
        double[] Grad(bool fused)
        {
            var node = new LifNode(2.0, true, 1.0, 0.0, new ATan(), stepMode: StepMode.Multi);
            var xs = Tensor.FromArray(x.ToArray<float>(), 4, 2, 6).RequiresGrad_();
            var s1 = fused ? node.Forward(xs) : node.StepByStep(xs);
            var s2 = fused ? node.Forward(xs * 0.5) : node.StepByStep(xs * 0.5);
            ((s1 * g.Narrow(0, 0, 4)).Sum() + (s2 * g.Narrow(0, 4, 4)).Sum() + node.V.Sum()).Backward();
            return Raw.ToDType(xs.Grad!, DType.Float64).ToArray<double>();
        }
        Grad(true).ShouldBeClose(Grad(false), 1e-5);
    }

    [Test]
    public void DetachNetCutsTheGraphBetweenCalls()
    {
        var node = new IFNode(stepMode: StepMode.Multi);
        var x = RandomInput([3, 2, 4], 1).RequiresGrad_();
        node.Forward(x);
        node.V.RequiresGrad.Should().BeTrue();
        Functional.DetachNet(node);
        node.V.RequiresGrad.Should().BeFalse();
        node.Forward(x).Sum().Backward();   // only the second call's graph
        x.Grad!.ToArray<float>().Should().OnlyContain(v => float.IsFinite(v));
    }

    [Test]
    public void FusedStateWithAWrongShapeNamesTheNeuronAndShapes()
    {
        var node = new IFNode(stepMode: StepMode.Multi);
        node.Forward(RandomInput([2, 3, 4], 1));
        var act = () => node.Forward(RandomInput([2, 5, 4], 1));
        act.Should().Throw<ArgumentException>().WithMessage("*IFNode*[3, 4]*[5, 4]*");
    }

    static Tensor RandomInput(int[] shape, int seed) => Tensor.Randn(shape, new Generator((ulong)seed), std: 1.5);

    static void Compare(Func<BaseNode> make, int T, int[] shape, int seed)
    {
        var xData = RandomInput([T, .. shape], seed);
        var g = RandomInput([T, .. shape], seed + 100);
        var h = RandomInput([T, .. shape], seed + 200);
        var results = new List<(float[] S, double[] V, double[] Vf, double[] Gx, double Gw)>();
        foreach (bool fused in new[] { true, false })
        {
            var node = make();
            node.StepMode = StepMode.Multi;
            node.StoreVSeq = true;
            var x = Raw.Clone(xData).RequiresGrad_();
            var s = fused ? node.Forward(x) : node.StepByStep(x);
            ((s * g).Sum() + (node.VSeq! * h).Sum() + node.V.Sum()).Backward();
            double gw = node is ParametricLifNode p ? p.W.Grad!.Item() : 0;
            results.Add((s.ToArray<float>(), F64(node.VSeq!), F64(node.V), F64(x.Grad!), gw));
        }
        var (a, b) = (results[0], results[1]);
        a.S.Should().Equal(b.S, "spikes must match exactly");
        a.S.Should().Contain(1f).And.Contain(0f, "the test input must make some neurons fire and some not");
        a.V.ShouldBeClose(b.V, 1e-5);
        a.Vf.ShouldBeClose(b.Vf, 1e-5);
        a.Gx.ShouldBeClose(b.Gx, 1e-5);
        a.Gw.Should().BeApproximately(b.Gw, 1e-5 + 1e-5 * Math.Abs(b.Gw));
    }

    static double[] F64(Tensor t) => Raw.ToDType(t, DType.Float64).ToArray<double>();
}
