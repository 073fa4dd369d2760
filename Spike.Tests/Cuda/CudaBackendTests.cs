using FluentAssertions;
using NUnit.Framework;
using Spike.Cuda;
using CudaInfo = Spike.Cuda.Cuda;

namespace Spike.Tests.Cuda;

/// <summary>
/// The CUDA backend's memory management and device handling on the host runtime (whose capacity can be made small):
/// caching, out-of-memory recovery and the final error, scopes, and the message a machine without a GPU gets.
/// </summary>
[NonParallelizable]
public class CudaBackendTests
{
    const long KiB = 1024;

    static (CudaBackend Backend, HostRuntime Runtime) Small(long capacity)
    {
        _ = HostKernels.For("copy.cu"); // ignores the test without g++
        var runtime = new HostRuntime(capacity);
        return (CudaBackend.Use(runtime), runtime);
    }

    [TearDown]
    public void ForgetDevice() => CudaBackend.Forget(0);

    static Tensor Block(long bytes) => Tensor.Empty([(int)(bytes / 4)], DType.Float32, Device.Cuda(0));

    [Test]
    public void FreedBlocksAreReusedWithoutTheDriver()
    {
        var (backend, runtime) = Small(1 << 20);
        using (var a = Block(40 * KiB)) { }
        backend.Allocator.CachedBytes.Should().Be(40 * KiB);
        using (var b = Block(40 * KiB - 100)) backend.Allocator.InUseBytes.Should().Be(40 * KiB, "sizes round up to 512 B");
        backend.Allocator.DriverAllocations.Should().Be(1);
        runtime.LiveBlocks.Should().Be(1);
        CachingAllocator.RoundUp(1).Should().Be(512);
        CachingAllocator.RoundUp((1 << 20) + 1).Should().Be(2 << 20);
        runtime.Dispose();
    }

    [Test]
    public void OutOfMemoryReleasesTheCacheRetriesOnceThenExplains()
    {
        var (backend, runtime) = Small(64 * KiB);
        Block(40 * KiB).Dispose();                     // cached: 40 KiB still held from the driver
        var big = Block(50 * KiB);                     // 40 + 50 > 64: fails, the cache is released, the retry succeeds
        backend.Allocator.CachedBytes.Should().Be(0);
        runtime.LiveBlocks.Should().Be(1);
        var act = () => Block(30 * KiB);               // 50 + 30 > 64 even with nothing cached
        act.Should().Throw<CudaOutOfMemoryException>()
            .WithMessage("cuda:0 is out of memory: a Float32 tensor of 7680 elements needs 30.0 KiB and the allocation failed again after the cache was released; this process holds 50.0 KiB in live tensors, the device has 14.0 KiB free of 64.0 KiB*");
        big.Dispose();
        Block(60 * KiB).Dispose();                     // the memory is usable again
        runtime.Dispose();
    }

    [Test]
    public void TensorsDroppedWithoutDisposeAreReclaimedWhenMemoryRunsOut()
    {
        var (backend, runtime) = Small(64 * KiB);
        Drop();
        var second = Block(50 * KiB);                  // only fits once the GC has finalised the dropped tensor
        second.Storage.Should().BeOfType<CudaStorage>();
        backend.Allocator.InUseBytes.Should().Be(50 * KiB);
        runtime.Dispose();

        static void Drop() => _ = Block(50 * KiB);
    }

    [Test]
    public void ScopeFreesIntermediatesAndKeepsWhatItIsTold()
    {
        var (backend, runtime) = Small(1 << 20);
        var outside = Raw.ToDevice(Tensor.Ones(8), Device.Cuda(0));
        Tensor kept, dropped, inner;
        using (var scope = new CudaScope())
        {
            var y = Raw.Binary(BinaryOp.Mul, outside, Raw.ScalarFor(3, outside));
            dropped = Raw.Unary(UnaryOp.Exp, y);
            kept = scope.Keep(Raw.Binary(BinaryOp.Add, y, dropped));
            using (var nested = new CudaScope())
            {
                inner = nested.Keep(Raw.Unary(UnaryOp.Neg, kept)); // moves to the outer scope, freed with it
                nested.Count.Should().Be(0);
            }
            scope.Count.Should().BeGreaterThan(2);
            Raw.ToCpu(inner).ToArray<float>().Should().OnlyContain(v => v == -(3 + MathF.Exp(3)));
        }
        Raw.ToCpu(kept).ToArray<float>().Should().OnlyContain(v => v == 3 + MathF.Exp(3));
        Raw.ToCpu(outside).ToArray<float>().Should().OnlyContain(v => v == 1f);
        var stale = () => Raw.ToCpu(dropped);
        stale.Should().Throw<ObjectDisposedException>().WithMessage("*was freed (disposed, or its CudaScope ended)*");
        ((CudaStorage)inner.Storage).IsDisposed.Should().BeTrue();
        backend.Allocator.InUseBytes.Should().Be(2 * 512, "only the tensor made outside and the kept one remain");
        runtime.Dispose();
    }

    [Test]
    public void ScopesMustCloseInReverseOrder()
    {
        var outer = new CudaScope();
        var inner = new CudaScope();
        var act = () => outer.Dispose();
        act.Should().Throw<InvalidOperationException>().WithMessage("*reverse order*");
        inner.Dispose();
        outer.Dispose();
    }

    [Test]
    public void WithoutAGpuMovingToCudaExplainsAndTheCpuKeepsWorking()
    {
        if (CudaInfo.IsAvailable) Assert.Ignore("a GPU is present");
        CudaBackend.Forget(0);
        CudaBackend.Initialize();
        var x = Tensor.Ones(3);
        var act = () => x.To(Device.Cuda(0));
        act.Should().Throw<CudaUnavailableException>().WithMessage("CUDA is not available: *libcuda*CPU tensors and modules keep working*");
        var net = new Spike.Nn.Linear(3, 2);
        var move = () => net.To(Device.Cuda(0));
        move.Should().Throw<CudaUnavailableException>();
        (x + x).ToArray<float>().Should().Equal(2f, 2f, 2f);
    }
}
