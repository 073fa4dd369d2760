using FluentAssertions;
using NUnit.Framework;
using Spike.Nn;
using Sigmoid = Spike.Nn.Sigmoid;

namespace Spike.Tests.Nn;

public sealed class RnnCellTests
{
    static T Primitive<T>(T s) where T : Surrogate { s.Spiking = false; return s; }

    static Tensor Weights(int seed, params int[] shape) =>
        Tensor.FromArray(TestUtil.Values(Layout.NumelOf(shape), seed).Select(v => v * 0.4).ToArray(), shape);

    // Three steps of the cell's own gate function on Float64 leaves: x [3, 2, 3], h0 and c0 [2, 4], W_ih, b_ih, W_hh, b_hh.
    [Test]
    public void LstmCellPassesFloat64GradCheckInPrimitiveMode()
    {
        var sf1 = Primitive(new Sigmoid());
        var sf2 = Primitive(new ATan());
        TestUtil.CheckGrad(a =>
        {
            var s = new RnnState(a[1], a[2]);
            var outs = new List<Tensor>();
            for (int t = 0; t < 3; t++)
            {
                s = SpikingLstmCell.Gates(a[0].Select(0, t).Linear(a[3], a[4]), s.H.Linear(a[5], a[6]), s.C!, sf1, sf2);
                outs.Add(Tensor.Cat([s.H, s.C!], 1));
            }
            return Tensor.Stack(outs.ToArray());
        }, TestUtil.RandomF64(1, 3, 2, 3), TestUtil.RandomF64(2, 2, 4), TestUtil.RandomF64(3, 2, 4),
           Weights(4, 16, 3), Weights(5, 16), Weights(6, 16, 4), Weights(7, 16));
    }

    [Test]
    public void GruCellPassesFloat64GradCheckInPrimitiveMode()
    {
        var sf1 = Primitive(new Erf());
        var sf2 = Primitive(new Sigmoid());
        TestUtil.CheckGrad(a =>
        {
            var h = a[1];
            var outs = new List<Tensor>();
            for (int t = 0; t < 3; t++)
                outs.Add(h = SpikingGruCell.Gates(a[0].Select(0, t).Linear(a[2], a[3]), h.Linear(a[4], a[5]), h, sf1, sf2));
            return Tensor.Stack(outs.ToArray());
        }, TestUtil.RandomF64(1, 3, 2, 3), TestUtil.RandomF64(2, 2, 4), Weights(4, 12, 3), Weights(5, 12), Weights(6, 12, 4), Weights(7, 12));
    }

    [Test]
    public void VanillaCellPassesFloat64GradCheckInPrimitiveMode()
    {
        var sf = Primitive(new Erf());
        TestUtil.CheckGrad(a =>
        {
            var h = a[1];
            var outs = new List<Tensor>();
            for (int t = 0; t < 3; t++) outs.Add(h = SpikingVanillaRnnCell.Gates(a[0].Select(0, t).Linear(a[2], a[3]), h.Linear(a[4], a[5]), sf));
            return Tensor.Stack(outs.ToArray());
        }, TestUtil.RandomF64(1, 3, 2, 3), TestUtil.RandomF64(2, 2, 4), Weights(4, 4, 3), Weights(5, 4), Weights(6, 4, 4), Weights(7, 4));
    }

    [Test]
    public void LstmCellFollowsItsGateEquationsInFloat64()
    {
        // Independent scalar evaluation of i, f, g, o = Θ(·), c' = c·f + i·g, h' = c'·o with the cell's own weights.
        var cell = new SpikingLstmCell(3, 2, generator: new Generator(11));
        var x = Tensor.FromArray(new[] { 0.9f, -1.3f, 0.4f, -0.2f, 0.8f, 1.1f }, 2, 3);
        var h = Tensor.FromArray(new[] { 1f, 0f, 0f, 1f }, 2, 2);
        var c = Tensor.FromArray(new[] { 0.5f, -1f, 2f, 0.25f }, 2, 2);
        var next = cell.Forward(x, new RnnState(h, c));
        double[] wi = F64(cell.WeightIh), bi = F64(cell.BiasIh!), wh = F64(cell.WeightHh), bh = F64(cell.BiasHh!);
        double[] xs = F64(x), hs = F64(h), cs = F64(c);
        for (int n = 0; n < 2; n++)
            for (int k = 0; k < 2; k++)
            {
                double Gate(int gate)
                {
                    int row = gate * 2 + k;
                    double z = bi[row] + bh[row];
                    for (int j = 0; j < 3; j++) z += wi[row * 3 + j] * xs[n * 3 + j];
                    for (int j = 0; j < 2; j++) z += wh[row * 2 + j] * hs[n * 2 + j];
                    return z >= 0 ? 1 : 0;
                }
                double cNext = cs[n * 2 + k] * Gate(1) + Gate(0) * Gate(2);
                F64(next.C!)[n * 2 + k].Should().BeApproximately(cNext, 1e-6);
                F64(next.H)[n * 2 + k].Should().BeApproximately(cNext * Gate(3), 1e-6);
            }
    }

    [Test]
    public void SpikingGatesGiveBinaryStatesAndSurrogateGradients()
    {
        // Vanilla: h' = Θ(z) with dh'/dz = g'(z); check against the surrogate's derivative on the pre-activation.
        var cell = new SpikingVanillaRnnCell(3, 4, surrogateFunction: new ATan(), generator: new Generator(2));
        var x = Tensor.Randn([5, 3], new Generator(3)).RequiresGrad_();
        var h = cell.Forward(x, null).H;
        h.ToArray<float>().Should().OnlyContain(v => v == 0f || v == 1f);
        h.Sum().Backward();
        var z = x.Detach().Linear(cell.WeightIh.Detach(), cell.BiasIh!.Detach()) + cell.BiasHh!.Detach();
        var expected = new ATan().DerivativeOf(z).Linear(cell.WeightIh.Detach().Transpose(0, 1));
        x.Grad!.ToArray<float>().ShouldBeClose(expected.ToArray<float>(), 1e-5f);
    }

    [Test]
    public void ParametersAreUniformInPlusMinusOneOverRootHiddenAndSeeded()
    {
        var a = new SpikingGruCell(3, 16, generator: new Generator(5));
        var b = new SpikingGruCell(3, 16, generator: new Generator(5));
        a.NamedParameters().Select(p => p.Name).Should().Equal("linear_ih.weight", "linear_ih.bias", "linear_hh.weight", "linear_hh.bias");
        a.WeightIh.Shape.Should().Equal(48, 3);
        a.WeightHh.Shape.Should().Equal(48, 16);
        var all = a.Parameters().SelectMany(p => p.ToArray<float>()).ToArray();
        all.Should().OnlyContain(v => Math.Abs(v) <= 0.25f);
        all.Max().Should().BeGreaterThan(0.24f, "U(−1/√16, 1/√16) fills its range, including the input weights");
        a.Parameters().Zip(b.Parameters()).Should().OnlyContain(p => p.First.ToArray<float>().SequenceEqual(p.Second.ToArray<float>()));
        new SpikingLstmCell(3, 4, bias: false).NamedParameters().Select(p => p.Name).Should().Equal("linear_ih.weight", "linear_hh.weight");
    }

    [Test]
    public void BadInputsAreRefusedWithShapes()
    {
        var cell = new SpikingLstmCell(3, 4);
        var wide = () => cell.Forward(Tensor.Zeros(2, 5), null);
        wide.Should().Throw<ArgumentException>().WithMessage("*SpikingLstmCell*input_size=3*[2, 5]*");
        var state = () => cell.Forward(Tensor.Zeros(2, 3), new RnnState(Tensor.Zeros(3, 4), Tensor.Zeros(2, 4)));
        state.Should().Throw<ArgumentException>().WithMessage("*SpikingLstmCell*state h*[2, 4]*[3, 4]*");
        var noC = () => cell.Forward(Tensor.Zeros(2, 3), new RnnState(Tensor.Zeros(2, 4)));
        noC.Should().Throw<ArgumentException>().WithMessage("*SpikingLstmCell*c*");
        var modes = () => new SpikingGruCell(3, 4, surrogateFunction1: new Erf(), surrogateFunction2: Primitive(new Erf()));
        modes.Should().Throw<ArgumentException>().WithMessage("*SpikingGruCell*spiking=True*spiking=False*");
        var extraC = () => new SpikingVanillaRnnCell(3, 4).Forward(Tensor.Zeros(2, 3), new RnnState(Tensor.Zeros(2, 4), Tensor.Zeros(2, 4)));
        extraC.Should().Throw<ArgumentException>().WithMessage("*SpikingVanillaRnnCell*no cell state*");
    }

    static double[] F64(Tensor t) => Raw.ToDType(t.Detach(), DType.Float64).ToArray<double>();
}
