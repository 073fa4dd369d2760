using FluentAssertions;
using NUnit.Framework;
using Spike.Nn;
using Sigmoid = Spike.Nn.Sigmoid;

namespace Spike.Tests.Nn;

public sealed class RnnModuleTests
{
    static Tensor Seq(int seed, params int[] shape) => Tensor.Randn(shape, new Generator((ulong)seed), std: 1.5);

    static float[] F(Tensor t) => t.ToArray<float>();

    [Test]
    public void UnidirectionalLayersReadThePreviousStepOfTheLayerBelow()
    {
        // Reference loop over the module's own cells: layer i at step t takes layer i−1's h from step t−1.
        var rnn = new SpikingGru(3, 4, numLayers: 3, generator: new Generator(1));
        var x = Seq(2, 6, 2, 3);
        var (y, states) = rnn.Forward(x, null);
        var h = Enumerable.Range(0, 3).Select(_ => Tensor.Zeros(2, 4)).ToArray();
        for (int t = 0; t < 6; t++)
        {
            var next = new Tensor[3];
            next[0] = rnn.Cells[0].Forward(x.Select(0, t), new RnnState(h[0])).H;
            for (int i = 1; i < 3; i++) next[i] = rnn.Cells[i].Forward(h[i - 1], new RnnState(h[i])).H;
            F(y.Select(0, t)).Should().Equal(F(next[2]), $"step {t}");
            h = next;
        }
        y.Shape.Should().Equal(6, 2, 4);
        states.C.Should().BeNull();
        for (int i = 0; i < 3; i++) F(states.H.Select(0, i)).Should().Equal(F(h[i]));
        // The stack delays by num_layers − 1 steps: the top layer has seen nothing but zeros at t = 0.
        F(y.Select(0, 0)).Should().Equal(F(rnn.Cells[2].Forward(Tensor.Zeros(2, 4), null).H));
    }

    [Test]
    public void BidirectionalLayersReadBothWaysAndKeepEveryLayersFinalState()
    {
        var rnn = new SpikingLstm(3, 4, numLayers: 2, bidirectional: true, generator: new Generator(3));
        var x = Seq(4, 5, 2, 3);
        var h0 = Seq(5, 4, 2, 4);
        var c0 = Seq(6, 4, 2, 4);
        var (y, states) = rnn.Forward(x, new RnnState(h0, c0));
        var input = x;
        for (int i = 0; i < 2; i++)
        {
            RnnState f = new(h0.Select(0, i), c0.Select(0, i)), r = new(h0.Select(0, i + 2), c0.Select(0, i + 2));
            var outF = new Tensor[5];
            var outR = new Tensor[5];
            for (int t = 0; t < 5; t++) outF[t] = (f = rnn.Cells[i].Forward(input.Select(0, t), f)).H;
            for (int t = 4; t >= 0; t--) outR[t] = (r = rnn.CellsReverse![i].Forward(input.Select(0, t), r)).H;
            input = Tensor.Stack(Enumerable.Range(0, 5).Select(t => Tensor.Cat([outF[t], outR[t]], 1)).ToArray());
            F(states.H.Select(0, i)).Should().Equal(F(f.H), $"forward h of layer {i}");
            F(states.C!.Select(0, i + 2)).Should().Equal(F(r.C!), $"reverse c of layer {i}");
        }
        y.Shape.Should().Equal(5, 2, 8);
        F(y).Should().Equal(F(input));
    }

    [TestCase(1)]
    [TestCase(2)]
    public void ReturnedStatesContinueASequence(int layers)
    {
        var rnn = new SpikingLstm(3, 4, layers, generator: new Generator(7));
        var x = Seq(8, 7, 2, 3);
        var (whole, end) = rnn.Forward(x, null);
        var (first, mid) = rnn.Forward(x.Narrow(0, 0, 3), null);
        var (rest, end2) = rnn.Forward(x.Narrow(0, 3, 4), mid);
        F(Tensor.Cat([first, rest], 0)).Should().Equal(F(whole));
        F(end2.H).Should().Equal(F(end.H));
        F(end2.C!).Should().Equal(F(end.C!));
        end.H.Shape.Should().Equal(layers, 2, 4);
    }

    [Test]
    public void InvariantDropoutKeepsOneMaskPerCallAcrossSteps()
    {
        // Primitive σ keeps every h in (0, 1), so a zero in layer 1's input can only come from the dropout mask.
        var rnn = new SpikingVanillaRnn(3, 16, 2, dropoutP: 0.5, invariantDropoutMask: true,
            surrogateFunction: new Sigmoid { Spiking = false }, generator: new Generator(9));
        var inputs = Capture(rnn.Cells[1]);
        var x = Seq(10, 4, 4, 3);
        rnn.Forward(x);
        // Layer 1 at step 1 reads layer 0's h from step 0, kept values scaled by 1/(1 − p) = 2.
        var h0 = F(rnn.Cells[0].Forward(x.Select(0, 0), null).H);
        F(inputs[1]).Select((v, i) => v == 0 || Math.Abs(v - 2 * h0[i]) < 1e-6).Should().OnlyContain(ok => ok);
        var first = DroppedPattern(inputs);
        rnn.Forward(x);
        var second = DroppedPattern(inputs);
        first.Should().Contain(true).And.Contain(false);
        first.Should().NotEqual(second, "a new mask is drawn for each call");

        rnn.Eval();
        rnn.Forward(x);
        DroppedPattern(inputs).Should().NotContain(true, "evaluation does not drop");
    }

    [Test]
    public void PlainDropoutDrawsAMaskPerStepAndBidirectionalDropsTheSecondLayer()
    {
        var plain = new SpikingVanillaRnn(3, 16, 2, dropoutP: 0.5, surrogateFunction: new Sigmoid { Spiking = false }, generator: new Generator(11));
        var inputs = Capture(plain.Cells[1]);
        plain.Forward(Seq(12, 4, 4, 3));
        var steps = inputs.Skip(1).Select(t => F(t).Select(v => v == 0).ToArray()).ToList();   // step 0 sees h = 0
        steps[0].Should().Contain(true);
        steps[0].Should().NotEqual(steps[1]);

        var bi = new SpikingVanillaRnn(3, 16, 2, dropoutP: 0.5, invariantDropoutMask: true, bidirectional: true,
            surrogateFunction: new Sigmoid { Spiking = false }, generator: new Generator(13));
        var biInputs = Capture(bi.Cells[1]);
        bi.Forward(Seq(14, 4, 4, 3));
        biInputs.Should().HaveCount(4);
        var pattern = F(biInputs[0]).Select(v => v == 0).ToArray();
        pattern.Should().Contain(true, "layer 1 of a bidirectional stack gets dropout too");
        biInputs.Should().OnlyContain(t => F(t).Select(v => v == 0).SequenceEqual(pattern));
    }

    [Test]
    public void ModulesComposeAndNameTheirParametersAsUpstream()
    {
        var rnn = new SpikingVanillaRnn(3, 4, 2, bidirectional: true);
        rnn.NamedParameters().Select(p => p.Name).Should().StartWith(["cells.0.linear_ih.weight", "cells.0.linear_ih.bias"])
            .And.Contain("cells.1.linear_ih.weight").And.EndWith("cells_reverse.1.linear_hh.bias");
        rnn.Cells[1].InputSize.Should().Be(8);
        var net = new Sequential(new SpikingLstm(3, 4, 1), new Linear(4, 2));
        net.Forward(Seq(15, 5, 2, 3)).Shape.Should().Equal(5, 2, 2);
        new SpikingGru(3, 4, 1).Cells[0].Should().BeOfType<SpikingGruCell>().Which.SurrogateFunction1.Should().BeOfType<Erf>();
    }

    [Test]
    public void BadInputsAreRefusedWithShapes()
    {
        var rnn = new SpikingLstm(3, 4, 2);
        var flat = () => rnn.Forward(Tensor.Zeros(2, 3));
        flat.Should().Throw<ArgumentException>().WithMessage("*SpikingLstm*[T ≥ 1, N, input_size=3]*[2, 3]*");
        var states = () => rnn.Forward(Tensor.Zeros(5, 2, 3), new RnnState(Tensor.Zeros(1, 2, 4), Tensor.Zeros(1, 2, 4)));
        states.Should().Throw<ArgumentException>().WithMessage("*SpikingLstm*state h*[2, 2, 4]*[1, 2, 4]*");
        var noC = () => rnn.Forward(Tensor.Zeros(5, 2, 3), new RnnState(Tensor.Zeros(2, 2, 4)));
        noC.Should().Throw<ArgumentException>().WithMessage("*SpikingLstm*c*");
        var p = () => new SpikingGru(3, 4, 2, dropoutP: 1);
        p.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*SpikingGru*dropout_p=1*");
        var layers = () => new SpikingVanillaRnn(3, 4, 0);
        layers.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*SpikingVanillaRnn*num_layers=0*");
    }

    /// <summary>Records every input the cell's linear_ih sees (one per step; cleared on each read of the pattern).</summary>
    static List<Tensor> Capture(SpikingRnnCellBase cell)
    {
        var seen = new List<Tensor>();
        cell.LinearIh.RegisterForwardHook((_, x, _) => seen.Add(x));
        return seen;
    }

    /// <summary>Which inputs of layer 1 were dropped at steps 1 … (step 0 reads the zero initial state); the same for
    /// every step, or the test fails.</summary>
    static bool[] DroppedPattern(List<Tensor> inputs)
    {
        var patterns = inputs.Skip(1).Select(t => F(t).Select(v => v == 0).ToArray()).ToList();
        inputs.Clear();
        patterns.Should().OnlyContain(p => p.SequenceEqual(patterns[0]), "one mask for every step of a call");
        return patterns[0];
    }
}
