using FluentAssertions;
using NUnit.Framework;
using Spike.Cuda;
using CudaRuntime = Spike.Cuda.Cuda;

namespace Spike.Tests.Cuda;

/// <summary>
/// The kernels on a real GPU against the C# references; skipped with the reason when no GPU is usable.
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

    [Test]
    public void FusedLifMatchesTheFloat64ReferenceOnTheGpu()
    {
        using var ctx = Context();
        const int T = 8, N = 1000;
        foreach (var o in NeuronKernelOptions.All.Where(o => o.Kind == NeuronKind.Lif))
        {
            using var module = CudaModule.Load(ctx, o.Variant);
            var p = NeuronParams.Create(1, o.SoftReset ? null : -0.5, 3, o.Surrogate == SurrogateKind.ATan ? 2 : 4);
            var r = new Random(3);
            var x = Enumerable.Range(0, T * N).Select(_ => (float)(r.NextDouble() * 3 - 1)).ToArray();
            var gS = Enumerable.Range(0, T * N).Select(_ => (float)(r.NextDouble() * 2 - 1)).ToArray();
            using var dx = new DeviceBuffer(ctx, 4L * T * N);
            using var ds = new DeviceBuffer(ctx, 4L * T * N);
            using var dh = new DeviceBuffer(ctx, 4L * T * N);
            using var dg = new DeviceBuffer(ctx, 4L * T * N);
            using var dgx = new DeviceBuffer(ctx, 4L * T * N);
            dx.CopyFrom<float>(x);
            dg.CopyFrom<float>(gS);
            int grid = CudaModule.GridFor(N, 128, ctx.Info);
            using (var a = new KernelArgs().Add(T).Add((long)N).Add(dx.Pointer).Add(0UL).Add(ds.Pointer).Add(dh.Pointer).Add(0UL).Add(0UL).Add(p))
                module.Launch("lif_fwd_f32", grid, 128, a);
            using (var a = new KernelArgs().Add(T).Add((long)N).Add(dg.Pointer).Add(0UL).Add(dh.Pointer).Add(dgx.Pointer).Add(0UL).Add(p))
                module.Launch("lif_bwd_f32", grid, 128, a);
            float[] s = new float[T * N], h = new float[T * N], gx = new float[T * N];
            ds.CopyTo<float>(s);
            dh.CopyTo<float>(h);
            dgx.CopyTo<float>(gx);

            var reference = NeuronReference.Forward(o, p, T, N, x.Select(v => (double)v).ToArray(), null);
            var (rgx, _) = NeuronReference.Backward(o, p, T, N, h.Select(v => (double)v).ToArray(), gS.Select(v => (double)v).ToArray(), null);
            for (int k = 0; k < T * N; k++)
            {
                // FMA contraction on the GPU moves H by an ulp; only spikes decided that close to Vth may differ.
                if (Math.Abs(reference.H[k] - p.VThreshold) > 1e-4) s[k].Should().Be((float)reference.S[k], $"{o.Variant} spike {k}");
                ((double)gx[k]).Should().BeApproximately(rgx[k], 1e-5 + 1e-5 * Math.Abs(rgx[k]), $"{o.Variant} grad {k}");
            }
        }
    }
}
