using FluentAssertions;
using NUnit.Framework;
using Spike.Nn;

namespace Spike.Tests.Nn;

public sealed class ModuleTests
{
    /// <summary>y = x·a + b with a learnable scale and a buffer, and a memory counting calls.</summary>
    sealed class Affine : Module
    {
        public Affine(double a)
        {
            RegisterParameter("a", Tensor.Scalar(a));
            RegisterBuffer("b", Tensor.Scalar(1));
            RegisterMemory("calls", 0.0);
        }

        public Tensor A => Parameter("a");

        protected override Tensor OnForward(Tensor x)
        {
            SetMemory("calls", GetMemory("calls") + 1);
            return x * A + Buffer("b");
        }
    }

    [Test]
    public void ParametersBuffersAndChildrenHaveDottedNames()
    {
        var net = new Sequential(new Affine(2), new Sequential(new Flatten(), new Affine(3)), new LifNode());
        net.NamedParameters().Select(p => p.Name).Should().Equal("0.a", "1.1.a");
        net.NamedBuffers().Select(p => p.Name).Should().Equal("0.b", "1.1.b");
        net.NamedModules().Select(m => m.Name).Should().Equal("", "0", "1", "1.0", "1.1", "2", "2.surrogate_function");
        net.Parameters().Should().OnlyContain(p => p.RequiresGrad && p.IsLeaf);
        new ParametricLifNode().NamedParameters().Single().Name.Should().Be("w");
    }

    [Test]
    public void DuplicateNamesAreRejected()
    {
        var act = () => new Duplicate();
        act.Should().Throw<ArgumentException>().WithMessage("*Duplicate*'a'*already registered*");
    }

    sealed class Duplicate : Module
    {
        public Duplicate() { RegisterParameter("a", Tensor.Scalar(1)); RegisterBuffer("a", Tensor.Scalar(1)); }
        protected override Tensor OnForward(Tensor x) => x;
    }

    [Test]
    public void TrainAndEvalReachEveryModule()
    {
        var net = new Sequential(new Affine(1), new Sequential(new IFNode()));
        net.Eval();
        net.Modules().Should().OnlyContain(m => !m.Training);
        net.Train();
        net.Modules().Should().OnlyContain(m => m.Training);
    }

    [Test]
    public void ForwardHooksSeeInputAndOutputAndCanBeRemoved()
    {
        var layer = new Affine(2);
        var seen = new List<(double In, double Out)>();
        var handle = layer.RegisterForwardHook((m, i, o) => seen.Add((i.Item(), o.Item())));
        layer.Forward(Tensor.Scalar(3));
        handle.Dispose();
        layer.Forward(Tensor.Scalar(4));
        seen.Should().Equal((3.0, 7.0));
    }

    [Test]
    public void ResetNetRestoresEveryMemory()
    {
        var a = new Affine(1);
        var node = new LifNode(vReset: -0.5);
        var net = new Sequential(a, new Sequential(node));
        net.Forward(Tensor.FromArray([3f, 0.1f]));
        a.GetMemory("calls").Item().Should().Be(1);
        // LIF input (4, 1.1), V = −0.5: H = V + (X − (V − Vr))/2 = (1.5, 0.05); the first fires and resets to −0.5.
        node.V.ToArray<float>().ShouldBeClose([-0.5f, 0.05f]);
        Functional.ResetNet(net);
        a.GetMemory("calls").Item().Should().Be(0);
        node.V.Rank.Should().Be(0);
        node.V.Item().Should().Be(-0.5);
    }

    [Test]
    public void SetStepModeReachesNestedNeurons()
    {
        var a = new IFNode();
        var b = new LifNode();
        var net = new Sequential(new Flatten(), new Sequential(a), b);
        Functional.SetStepMode(net, StepMode.Multi);
        a.StepMode.Should().Be(StepMode.Multi);
        b.StepMode.Should().Be(StepMode.Multi);
    }

    [Test]
    public void MultiStepContainerLoopsOverTimeWithState()
    {
        var x = Tensor.FromArray([0.6f, 0.6f, 0.6f, 0.6f], 4, 1);
        var y = new MultiStepContainer(new IFNode()).Forward(x);
        // IF: V = 0.6 → 1.2 (fire, reset 0) → 0.6 → 1.2 (fire).
        y.ToArray<float>().Should().Equal(0f, 1f, 0f, 1f);
        y.Shape.Should().Equal(4, 1);
    }

    [Test]
    public void MultiStepContainerPassesGradientsToEveryStep()
    {
        var x = Tensor.FromArray([0.5, -1.0, 2.0, 0.25], 4, 1).RequiresGrad_();
        new MultiStepContainer(new Affine(3)).Forward(x).Sum().Backward();
        x.Grad!.ToArray<double>().Should().Equal(3.0, 3.0, 3.0, 3.0);
    }

    [Test]
    public void SeqToAnnContainerFoldsTimeIntoBatch()
    {
        var seen = new List<int[]>();
        var flat = new Flatten();
        flat.RegisterForwardHook((m, i, o) => seen.Add([.. i.Shape]));
        var x = Tensor.Arange(0, 2 * 3 * 4 * 5).Reshape(2, 3, 4, 5);
        var y = new SeqToANNContainer(flat).Forward(x);
        seen.Single().Should().Equal(6, 4, 5);
        y.Shape.Should().Equal(2, 3, 20);
        y.ToArray<float>().Should().Equal(x.ToArray<float>());
    }

    [Test]
    public void SeqToAnnContainerRejectsARank1Input()
    {
        var act = () => new SeqToANNContainer(new Flatten()).Forward(Tensor.Zeros(5));
        act.Should().Throw<ArgumentException>().WithMessage("*seq_to_ann_forward*[5]*");
    }

    [Test]
    public void ZeroGradClearsEveryParameter()
    {
        var net = new Sequential(new Affine(2), new Affine(3));
        net.Forward(Tensor.Scalar(1)).Backward();
        net.Parameters().Should().OnlyContain(p => p.Grad != null);
        // d/da₀ (3·(x·a₀ + 1) + 1) = 3x = 3; d/da₁ = x·a₀ + 1 = 3.
        net.Parameters().Select(p => p.Grad!.Item()).Should().Equal(3.0, 3.0);
        net.ZeroGrad();
        net.Parameters().Should().OnlyContain(p => p.Grad == null);
    }

    [Test]
    public void SetStepModeReachesEveryStepAwareModuleButNotInsideContainers()
    {
        var inner = new IFNode();
        var recurrentInner = new LifNode();
        Module[] layers =
        [
            new SynapseFilter(), new NeuNorm(1, 2, 2), new Delay(1), new DropConnectLinear(2, 2), new Conv2d(1, 1, 1), new BatchNorm2d(1),
            new Dropout(), new ThresholdDependentBatchNorm1d(1, 1, 2, stepMode: StepMode.Single), new ChannelsPool(new MaxPool1d(2)),
            new ConvBatchNorm2d(1, 1, 1), new LifNode(), new PoissonEncoder(new Generator(1), 2),
            new ElementWiseRecurrentContainer(recurrentInner, (a, b) => a + b), new LinearRecurrentContainer(new Flatten(), 2, 2),
        ];
        var net = new Sequential([.. layers, new MultiStepContainer(inner)]);
        Functional.SetStepMode(net, StepMode.Multi);
        layers.Should().AllSatisfy(m => ((IStepModule)m).StepMode.Should().Be(StepMode.Multi, m.GetType().Name));
        inner.StepMode.Should().Be(StepMode.Single, "a MultiStepContainer loops its modules one step at a time");
        recurrentInner.StepMode.Should().Be(StepMode.Single);
        ((ConvBatchNorm2d)layers[9]).Conv.StepMode.Should().Be(StepMode.Single, "ConvBatchNorm2d folds time itself");
    }

    [Test]
    public void ToFloat64ConvertsParametersAndBuffersAndKeepsLeaves()
    {
        var net = new Sequential(new Linear(3, 2), new BatchNorm1d(2));
        net.To(DType.Float64);
        net.Parameters().Should().OnlyContain(p => p.DType == DType.Float64 && p.IsLeaf && p.RequiresGrad);
        net.NamedBuffers().Select(b => b.Tensor).Should().OnlyContain(b => b.DType == DType.Float64);
        ((Linear)net[0]).Weight.Should().BeSameAs(net.Parameters().First(), "properties read the registered parameter");
        net.Forward(Tensor.Zeros([4, 3], DType.Float64)).DType.Should().Be(DType.Float64);
        FluentActions.Invoking(() => net.To(DType.Int64)).Should().Throw<ArgumentException>().WithMessage("*floating*Int64*");
    }

    [Test]
    public void InitialisationIsSeededAndBoundedLikeTorch()
    {
        new Linear(50, 4, generator: new Generator(1)).Weight.ToArray<float>()
            .Should().Equal(new Linear(50, 4, generator: new Generator(1)).Weight.ToArray<float>());
        new Linear(50, 4, generator: new Generator(1)).Weight.ToArray<float>()
            .Should().NotEqual(new Linear(50, 4, generator: new Generator(2)).Weight.ToArray<float>());
        // kaiming_uniform(a = √5) and the bias: U(−1/√fan_in, 1/√fan_in), fan_in = in_channels/groups·k·k = 3·5·5.
        var conv = new Conv2d(3, 8, 5, generator: new Generator(3));
        double bound = 1 / Math.Sqrt(75);
        foreach (var p in conv.Parameters()) p.ToArray<float>().Should().OnlyContain(x => Math.Abs(x) <= bound);
        conv.Weight.ToArray<float>().Max(Math.Abs).Should().BeGreaterThan((float)(0.95 * bound), "600 draws fill the range");
        Generator.ManualSeed(7);
        var a = new Linear(4, 4).Weight.ToArray<float>();
        Generator.ManualSeed(7);
        new Linear(4, 4).Weight.ToArray<float>().Should().Equal(a, "the default generator is seeded by ManualSeed");
    }

    [Test]
    public void ToCpuKeepsParametersAsLeaves()
    {
        var net = new Sequential(new ParametricLifNode());
        net.To(Device.Cpu);
        net.Parameters().Single().IsLeaf.Should().BeTrue();
    }
}
