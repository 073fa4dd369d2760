using NUnit.Framework;
using Spike.Nn;

namespace Spike.Tests.Cuda;

/// <summary>
/// End to end: the same seeded spiking networks trained for a few steps on the CPU and, after
/// <c>Module.To(Device.Cuda(0))</c>, on the CUDA backend; losses, parameters and optimizer state must agree. This runs
/// conv, batch norm, pooling, dropout, linear, neurons, losses and the optimizers' elementwise updates, forward and
/// backward, through the device.
/// </summary>
[TestFixture("host")]
[TestFixture("gpu")]
public class TrainingParityTests(string runtime) : DeviceFixture(runtime)
{
    static Module ConvNet(Generator g) => new Sequential(
        new Conv2d(1, 4, 3, padding: 1, bias: false, generator: g),
        new BatchNorm2d(4),
        new MaxPool2d(2),
        new Flatten(1),
        new Dropout(0.2, generator: g),
        new Linear(4 * 6 * 6, 10, generator: g));

    static Module SpikingNet(Generator g) => new Sequential(
        new Flatten(2),
        new Linear(36, 16, generator: g),
        new LifNode(tau: 2.0, surrogate: new ATan(), stepMode: StepMode.Multi),
        new Linear(16, 5, bias: false, generator: g),
        new IFNode(surrogate: new Sigmoid(), stepMode: StepMode.Multi));

    /// <summary>Trains a copy on each device from the same seed and compares after every step.</summary>
    void TrainBoth(Func<Generator, Module> build, Func<Module, Tensor, Tensor, Tensor> loss, Func<Module, Optimizer> optimizer, Tensor x, Tensor y, double tol)
    {
        var cpu = build(new Generator(3));
        var dev = build(new Generator(3)).To(Gpu);
        var (optCpu, optDev) = (optimizer(cpu), optimizer(dev));
        var (xd, yd) = (Dev(x), Dev(y));
        for (int step = 0; step < 3; step++)
        {
            var lc = loss(cpu, x, y);
            var ld = loss(dev, xd, yd);
            ShouldMatch(Back(ld), lc, tol, $"loss at step {step}");
            foreach (var (o, l) in new[] { (optCpu, lc), (optDev, ld) }) { o.ZeroGrad(); l.Backward(); o.Step(); }
            Functional.ResetNet(cpu);
            Functional.ResetNet(dev);
            var pc = cpu.StateDict().ToArray();
            var pd = dev.StateDict().ToArray();
            for (int k = 0; k < pc.Length; k++) ShouldMatch(Back(pd[k].Value), pc[k].Value, tol, $"{pc[k].Key} after step {step}");
            foreach (var (sc, sd) in optCpu.StateTensors().Zip(optDev.StateTensors())) ShouldMatch(Back(sd.Value), sc.Value, tol, sc.Key);
        }
    }

    [Test]
    public void ConvNetWithBatchNormPoolingDropoutAndCrossEntropyUnderAdam()
    {
        var x = Tensor.Rand([3, 1, 12, 12], new Generator(1));
        var y = Tensor.FromArray(new long[] { 3, 7, 0 });
        TrainBoth(ConvNet, (m, xi, yi) => m.Forward(xi).CrossEntropy(yi), m => new Adam(m.Parameters(), 1e-2), x, y, 1e-4);
    }

    [Test]
    public void SpikingNetThroughTimeUnderSgdWithMomentum()
    {
        var x = Tensor.Rand([4, 3, 6, 6], new Generator(2), 0, 1.5);            // [T, N, H, W]
        var y = Tensor.FromArray(new long[] { 1, 4, 2 }).OneHot(5).To(DType.Float32);
        TrainBoth(SpikingNet, (m, xi, yi) => m.Forward(xi).Mean(0).MseLoss(yi), m => new Sgd(m.Parameters(), 0.5, 0.9), x, y, 1e-4);
    }
}
