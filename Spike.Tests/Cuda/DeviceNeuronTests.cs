using FluentAssertions;
using NUnit.Framework;
using Spike.Nn;
using Spike.Tests.Nn.Golden;

namespace Spike.Tests.Cuda;

/// <summary>
/// Spike.Nn's neurons on CUDA (the fused kernels behind <c>DeviceNeuron</c>) against the same modules on the CPU
/// (FusedNeuron, or step by step where the CPU has no fused kernel): spikes exactly, V, V_seq, H and gradients (input,
/// PLIF's w) to 1e-5; SpikingJelly's golden neuron cases on the device; the fused Poisson encoder bit for bit.
/// </summary>
[TestFixture("host")]
[TestFixture("gpu")]
public class DeviceNeuronTests(string runtime) : DeviceFixture(runtime)
{
    static IEnumerable<Func<Surrogate, BaseNode>> Factories() =>
    [
        sg => new IFNode(surrogate: sg, stepMode: StepMode.Multi),
        sg => new LifNode(tau: 3, decayInput: false, vReset: -0.1, surrogate: sg, stepMode: StepMode.Multi),
        sg => new LifNode(tau: 2, vReset: null, detachReset: true, surrogate: sg, stepMode: StepMode.Multi),
        sg => new ParametricLifNode(initTau: 2.5, surrogate: sg, stepMode: StepMode.Multi),
        sg => new ParametricLifNode(initTau: 3, decayInput: false, vReset: null, surrogate: sg, stepMode: StepMode.Multi),
        sg => new QifNode(surrogate: sg, stepMode: StepMode.Multi),
        sg => new EifNode(surrogate: sg, stepMode: StepMode.Multi),
        sg => new IzhikevichNode(a: 0.3, b: 0.2, surrogate: sg, stepMode: StepMode.Multi),
    ];

    /// <summary>Runs x [T, 3, 5] through a CPU and a device copy of one neuron (V_seq stored) with loss
    /// Σ S·g + Σ V_seq·h, and compares everything; returns the device output.</summary>
    static Tensor CompareWithCpu(Func<Surrogate, BaseNode> make, Func<Surrogate> surrogate, Tensor? threshold = null, int seed = 1)
    {
        var cpu = make(surrogate());
        var dev = make(surrogate());
        dev.To(Gpu);
        foreach (var n in new[] { cpu, dev }) { n.StoreVSeq = true; n.VThresholdTensor = threshold is null ? null : threshold.To(n == cpu ? Device.Cpu : Gpu); }
        var x = Tensor.Randn([6, 3, 5], new Generator((ulong)seed), 0.4, 0.8);
        var g = Tensor.Randn([6, 3, 5], new Generator((ulong)seed + 1));
        var h = Tensor.Randn([6, 3, 5], new Generator((ulong)seed + 2));
        var (xc, xd) = (x.RequiresGrad_(), Dev(x).RequiresGrad_());
        var sc = cpu.Forward(xc);
        var sd = dev.Forward(xd);
        string name = cpu.GetType().Name;
        ShouldMatch(Back(sd), sc, 0, $"{name} spikes");
        ShouldMatch(Back(dev.VSeq!), cpu.VSeq!, 1e-5, $"{name} v_seq");
        ShouldMatch(Back(dev.V), cpu.V, 1e-5, $"{name} v");
        ShouldMatch(Back(dev.HLast!), cpu.HLast!, 1e-5, $"{name} h");
        ((sc * g).Sum() + (cpu.VSeq! * h).Sum()).Backward();
        ((sd * Dev(g)).Sum() + (dev.VSeq! * Dev(h)).Sum()).Backward();
        ShouldMatch(Back(xd.Grad!), xc.Grad!, 1e-5, $"{name} grad x");
        if (cpu is ParametricLifNode pc) ShouldMatch(Back(((ParametricLifNode)dev).W.Grad!), pc.W.Grad!, 1e-4, $"{name} grad w");
        if (cpu is IzhikevichNode ic) ShouldMatch(Back(((IzhikevichNode)dev).WState), ic.WState, 1e-5, "w state");
        Raw.ToDType(sc, DType.Float64).ToArray<double>().Should().Contain(1).And.Contain(0);
        return sd;
    }

    /// <summary>The op behind the spikes (the fused node's output is packed, so the spikes are a view of it).</summary>
    static string Producer(Tensor spikes) => spikes.GradFn!.Name == "Narrow" ? spikes.GradFn.Inputs[0].GradFn!.Name : spikes.GradFn.Name;

    [Test]
    public void EveryFusedNeuronMatchesItsCpuModule()
    {
        foreach (var make in Factories())
        {
            var s = CompareWithCpu(make, () => new ATan());
            Producer(s).Should().EndWith("Fused", "the device ran the fused kernel");
            CompareWithCpu(make, () => new Sigmoid(), Tensor.FromArray([0.9f, 1.1f, 1.0f, 0.8f, 1.2f]), seed: 5);
        }
    }

    [Test]
    public void EverySurrogateFusesOnTheDevice()
    {
        Func<Surrogate>[] surrogates = [() => new Erf(), () => new SoftSign(), () => new PiecewiseQuadratic(), () => new PiecewiseExp(),
            () => new NonzeroSignLogAbs(), () => new PiecewiseLeakyReLU(0.8, 0.02), () => new SquarewaveFourierSeries(3, 6), () => new S2NN(),
            () => new QPseudoSpike(2.5)];
        foreach (var sg in surrogates)
            Producer(CompareWithCpu(s => new LifNode(surrogate: s, stepMode: StepMode.Multi), sg)).Should().EndWith("Fused", sg().GetType().Name);
    }

    [Test]
    public void UserSurrogatesFuseWithACudaExpressionAndRunUnfusedWithout()
    {
        static Tensor Primitive(Tensor x) => x.Atan() / Math.PI + 0.5;
        static double Derivative(double x) => 1 / (Math.PI * (1 + x * x));
        var fused = CompareWithCpu(s => new IFNode(surrogate: s, stepMode: StepMode.Multi),
            () => new CustomSurrogate(Primitive, Derivative, "cauchy", "0.31830988f / (1.0f + x * x)"));
        Producer(fused).Should().EndWith("Fused");
        var unfused = CompareWithCpu(s => new IFNode(surrogate: s, stepMode: StepMode.Multi), () => new CustomSurrogate(Primitive, Derivative, "cauchy"));
        Producer(unfused).Should().NotEndWith("Fused", "without a device derivative the step-by-step graph runs");
    }

    [Test]
    public void SingleStepInferenceUsesTheStepKernelAndMatchesTheCpu()
    {
        foreach (var make in Factories())
        {
            var cpu = make(new ATan());
            var dev = make(new ATan());
            cpu.StepMode = dev.StepMode = StepMode.Single;
            dev.To(Gpu);
            using var _ = Autograd.NoGrad();
            for (int t = 0; t < 5; t++)
            {
                var x = Tensor.Randn([4, 3], new Generator((ulong)t), 0.5, 0.8);
                ShouldMatch(Back(dev.Forward(Dev(x))), cpu.Forward(x), 0, $"{cpu.GetType().Name} spikes at t = {t}");
                ShouldMatch(Back(dev.V), cpu.V, 1e-5, $"{cpu.GetType().Name} v at t = {t}");
            }
        }
    }

    [Test]
    public void PoissonEncoderDrawsTheCpuSpikesInOneKernel()
    {
        var x = Tensor.Rand([3, 4], new Generator(9));
        foreach (var mode in new[] { StepMode.Single, StepMode.Multi })
            foreach (var dtype in Reals)
            {
                var (gc, gd) = (new Generator(42), new Generator(42));
                var cpu = new PoissonEncoder(gc, t: 7) { StepMode = mode };
                var dev = new PoissonEncoder(gd, t: 7) { StepMode = mode };
                ShouldMatch(Back(dev.Forward(Dev(x.To(dtype)))), cpu.Forward(x.To(dtype)), 0, $"{mode} {dtype}");
                gd.Offset.Should().Be(gc.Offset);
            }
    }

    [Test]
    public void SpikingJellyGoldenNeuronCasesOnTheDevice() => GoldenSet.RunAll("neuron", c => NeuronGoldenTests.Check(c, Gpu));
}
