using FluentAssertions;
using NUnit.Framework;
using Spike.Cuda;
using CudaRuntime = Spike.Cuda.Cuda;

namespace Spike.Tests.Cuda;

/// <summary>
/// Raw kernel launches on a real GPU against the C# references (the backend suites run on the GPU through their
/// "gpu" fixtures); skipped with the reason when no GPU is usable.
/// Without one, the no-GPU path itself is checked: a clear exception, never a crash.
/// </summary>
[NonParallelizable]
public class GpuParityTests
{
    [Test]
    public void WithoutAGpuContextCreationExplainsWhy()
    {
        if (CudaRuntime.IsAvailable) Assert.Ignore("a GPU is present");
        var act = () => new CudaContext(0);
        act.Should().Throw<CudaUnavailableException>().WithMessage("CUDA is not available: *libcuda*");
    }

    [Test]
    public void GridIsCappedAtThirtyTwoWavesOfTheMultiprocessors()
    {
        var device = new CudaDeviceInfo(0, "test", 8, 6, 1L << 30, Multiprocessors: 10);
        CudaModule.GridFor(1, 256, device).Should().Be(1);
        CudaModule.GridFor(256 * 7 + 1, 256, device).Should().Be(8);
        CudaModule.GridFor(1L << 40, 256, device).Should().Be(320);
        device.ComputeCapability.Should().Be(86);
    }

    static CudaContext Context()
    {
        if (!CudaRuntime.IsAvailable) Assert.Ignore($"no usable GPU: {CudaRuntime.UnavailableReason}");
        if (!CudaRuntime.IsNvrtcAvailable) Assert.Ignore("NVRTC not available");
        return new CudaContext(0);
    }

    [Test]
    public void PhiloxAndUniformAreBitIdenticalOnTheGpu()
    {
        using var ctx = Context();
        using var module = CudaModule.Load(ctx, new KernelVariant("random.cu"));
        const int n = 4099;
        const ulong seed = 77, offset = (1UL << 32) - 1000;
        using var words = new DeviceBuffer(ctx, 16L * n);
        using var uniform = new DeviceBuffer(ctx, 4L * n);
        using (var a = new KernelArgs().Add((long)n).Add(seed).Add(offset).Add(3UL).Add(words.Pointer))
            module.Launch("philox_u32", CudaModule.GridFor(n, 256, ctx.Info), 256, a);
        using (var a = new KernelArgs().Add((long)n).Add(seed).Add(offset).Add(0.0).Add(1.0).Add(uniform.Pointer))
            module.Launch("uniform_f32", CudaModule.GridFor(n, 256, ctx.Info), 256, a);
        var w = new uint[4 * n];
        var u = new float[n];
        words.CopyTo<uint>(w);
        uniform.CopyTo<float>(u);
        for (int i = 0; i < n; i++)
        {
            var (a0, a1, a2, a3) = Philox.Generate(seed, offset + (ulong)i, 3);
            w.AsSpan(4 * i, 4).ToArray().Should().Equal([a0, a1, a2, a3]);
            u[i].Should().Be(Philox.UniformFloat(seed, offset + (ulong)i));
        }
    }
}
