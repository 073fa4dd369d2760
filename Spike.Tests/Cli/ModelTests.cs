using FluentAssertions;
using NUnit.Framework;
using Spike.Cli.Training;
using Spike.Nn;

namespace Spike.Tests.Cli;

/// <summary>Each model against the layers, shapes and neurons of its SpikingJelly script (5c10225d).</summary>
public class ModelTests
{
    static int[][] ParameterShapes(Module m) => m.Parameters().Select(p => p.Shape.ToArray()).ToArray();

    static Module Build(string model, int t, int? c) => Models.Get(model).Build(t, c, new Generator(1));

    [Test]
    public void LifFcIsTheFcMnistTutorial()
    {
        var net = Build("lif-fc", 5, null);
        ParameterShapes(net).Should().BeEquivalentTo(new[] { new[] { 10, 784 } }, o => o.WithStrictOrdering());
        var lif = net.Modules().OfType<LifNode>().Single();
        (lif.Tau, lif.VThreshold, lif.VReset, lif.DetachReset, lif.DecayInput).Should().Be((2.0, 1.0, (double?)0.0, false, true));
        lif.SurrogateFunction.Should().BeOfType<Sigmoid>("LIFNode's default surrogate at 5c10225d");
        var rate = net.Forward(Tensor.Rand([3, 1, 28, 28], new Generator(2)));
        rate.Shape.Should().Equal(3, 10);
        rate.ToArray<float>().Should().OnlyContain(r => Math.Abs(r * 5 - Math.Round(r * 5)) < 1e-5, "rates over T = 5 steps");
        var spec = Models.Get("lif-fc");
        (spec.T, spec.BatchSize, spec.Opt, spec.Lr, spec.Scheduler).Should().Be((100, 64, "adam", 1e-3, "none"));
    }

    [Test]
    public void ConvFashionMnistIsTheTutorialNet()
    {
        var net = Build("conv-fashion-mnist", 4, 128);
        ParameterShapes(net).Should().BeEquivalentTo(new[]
        {
            new[] { 128, 1, 3, 3 }, [128], [128],          // static Conv + BN
            [128, 128, 3, 3], [128], [128],                  // Conv + BN
            [2048, 6272], [10, 2048],                        // Linear(128·7·7, 128·4·4), Linear(2048, 10), no biases
        }, o => o.WithStrictOrdering());
        var ifs = net.Modules().OfType<IFNode>().ToArray();
        ifs.Should().HaveCount(4);
        ifs.Should().OnlyContain(n => n.SurrogateFunction is ATan && !n.DetachReset && n.VReset == 0.0 && n.VThreshold == 1.0);
        Build("conv-fashion-mnist", 3, 4).Forward(Tensor.Rand([2, 1, 28, 28], new Generator(2))).Shape.Should().Equal(2, 10);
        var spec = Models.Get("conv-fashion-mnist");
        (spec.T, spec.BatchSize, spec.Opt, spec.Lr, spec.Scheduler).Should().Be((4, 16, "sgd", 0.1, "cosine"));
    }

    [Test]
    public void DvsGestureIsTheTutorial14Net()
    {
        var net = Build("dvs-gesture", 16, 128);
        List<int[]> expected = [[128, 2, 3, 3], [128], [128]];
        for (int i = 0; i < 4; i++) expected.AddRange([[128, 128, 3, 3], [128], [128]]);
        expected.AddRange([[512, 2048], [110, 512]]);
        ParameterShapes(net).Should().BeEquivalentTo(expected, o => o.WithStrictOrdering());
        // The tutorial's PythonNet(128) has 2·128·9 + 4·128²·9 conv weights, 5·2·128 BN parameters, 2048·512 + 512·110 FC weights.
        net.Parameters().Sum(p => p.Numel).Should().Be(2 * 128 * 9 + 4 * 128 * 128 * 9 + 5 * 2 * 128 + 2048 * 512 + 512 * 110);
        var lifs = net.Modules().OfType<LifNode>().ToArray();
        lifs.Should().HaveCount(7);
        lifs.Should().OnlyContain(n => n.Tau == 2.0 && n.SurrogateFunction is ATan && n.DetachReset && n.VReset == 0.0);
        net.Modules().OfType<Dropout>().Should().HaveCount(2).And.OnlyContain(d => d.P == 0.5);
        net.Modules().OfType<VotingLayer>().Single().VotingSize.Should().Be(10);
        Build("dvs-gesture", 2, 4).Forward(Tensor.Rand([2, 3, 2, 128, 128], new Generator(2))).Shape.Should().Equal(3, 11);
        var spec = Models.Get("dvs-gesture");
        (spec.T, spec.BatchSize, spec.Opt, spec.Lr, spec.Scheduler, spec.Classes).Should().Be((16, 16, "adam", 1e-3, "cosine", 11));
    }

    [Test]
    public void NMnistIsThePlifPaperNet()
    {
        var net = Build("nmnist", 10, 128);
        var shapes = ParameterShapes(net);
        // parametric_lif_net.NMNISTNet: biased FC layers, one learnable w per PLIF layer (four, 0-d).
        shapes.Where(s => s.Length > 0).Should().BeEquivalentTo(new[]
        {
            new[] { 128, 2, 3, 3 }, [128], [128], [128, 128, 3, 3], [128], [128], [2048, 8192], [2048], [100, 2048], [100],
        }, o => o.WithStrictOrdering());
        var plifs = net.Modules().OfType<ParametricLifNode>().ToArray();
        plifs.Should().HaveCount(4);
        plifs.Should().OnlyContain(n => Math.Abs(n.Tau - 2.0) < 1e-9 && n.SurrogateFunction is ATan && n.DetachReset);
        shapes.Count(s => s.Length == 0).Should().Be(4);
        Build("nmnist", 2, 4).Forward(Tensor.Rand([2, 3, 2, 34, 34], new Generator(2))).Shape.Should().Equal(3, 10);
        Models.Get("nmnist").T.Should().Be(10);
    }

    [Test]
    public void StaticLayersRunOnceAndRepeatOverTime()
    {
        var conv = new Conv2d(1, 2, 3, padding: 1, bias: false, generator: new Generator(3));
        var layers = new StaticLayers(3, conv);
        var x = Tensor.Rand([2, 1, 5, 5], new Generator(4));
        var y = layers.Forward(x);
        y.Shape.Should().Equal(3, 2, 2, 5, 5);
        var once = conv.Forward(x).ToArray<float>();
        for (int t = 0; t < 3; t++) y.Select(0, t).ToArray<float>().Should().Equal(once);
        // Gradients of the three steps add up: d(sum y)/dW = 3 · d(sum conv(x))/dW.
        y.Sum().Backward();
        var g3 = conv.Parameters().Single().Grad!.ToArray<float>();
        conv.ZeroGrad();
        conv.Forward(x).Sum().Backward();
        g3.Should().Equal(conv.Parameters().Single().Grad!.ToArray<float>().Select(v => 3 * v), (a, b) => Math.Abs(a - b) < 1e-4);
    }
}
