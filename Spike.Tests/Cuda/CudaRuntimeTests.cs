using FluentAssertions;
using NUnit.Framework;
using Spike.Cuda;
using CudaRuntime = Spike.Cuda.Cuda;
using Spike.Cuda.Native;

namespace Spike.Tests.Cuda;

/// <summary>Library probing and the no-GPU path: never a crash, always a message that says what is missing.</summary>
[NonParallelizable]
public class CudaRuntimeTests
{
    [Test]
    public void DescribeAlwaysReportsDriverNvrtcAndCublas()
    {
        var text = CudaRuntime.Describe();
        text.Should().Contain("driver:").And.Contain("nvrtc:").And.Contain("cublas:");
        if (!CudaRuntime.IsAvailable)
        {
            CudaRuntime.UnavailableReason.Should().NotBeEmpty();
            CudaRuntime.Devices.Should().BeEmpty();
            var act = CudaRuntime.Require;
            act.Should().Throw<CudaUnavailableException>().WithMessage("CUDA is not available: *");
        }
        TestContext.Out.WriteLine(text);
    }

    [Test]
    public void MissingDriverNamesEveryCandidateAndTheOverride()
    {
        if (NativeLibraries.TryLoad(CudaLibrary.Driver, out _, out _)) Assert.Ignore("a CUDA driver is installed here");
        CudaRuntime.IsAvailable.Should().BeFalse();
        CudaRuntime.UnavailableReason.Should().Contain("libcuda.so.1").And.Contain("/usr/local/cuda/lib64").And.Contain("SPIKE_LIBCUDA");
    }

    [Test]
    public void CandidatesCoverCuda11To13AndTheOverrideIsExclusive()
    {
        var old = Environment.GetEnvironmentVariable("SPIKE_LIBNVRTC");
        try
        {
            Environment.SetEnvironmentVariable("SPIKE_LIBNVRTC", null);
            var names = NativeLibraries.Candidates(CudaLibrary.Nvrtc);
            if (OperatingSystem.IsLinux())
            {
                names.Take(4).Should().Equal("libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so.11.2", "libnvrtc.so");
                names.Should().Contain("/usr/local/cuda/lib64/libnvrtc.so.12");
                NativeLibraries.Candidates(CudaLibrary.Cublas).Take(3).Should().Equal("libcublas.so.13", "libcublas.so.12", "libcublas.so.11");
                NativeLibraries.Candidates(CudaLibrary.Driver)[0].Should().Be("libcuda.so.1");
            }

            Environment.SetEnvironmentVariable("SPIKE_LIBNVRTC", "/nonexistent/libnvrtc-custom.so");
            NativeLibraries.Candidates(CudaLibrary.Nvrtc).Should().Equal("/nonexistent/libnvrtc-custom.so");
            var (handle, detail) = NativeLibraries.Probe(CudaLibrary.Nvrtc);
            handle.Should().Be(0);
            detail.Should().Contain("/nonexistent/libnvrtc-custom.so").And.Contain("SPIKE_LIBNVRTC");
        }
        finally
        {
            Environment.SetEnvironmentVariable("SPIKE_LIBNVRTC", old);
        }
    }

    [Test]
    public void KernelLayoutMatchesTheCStructAndCoalesces()
    {
        // spk_layout: int rank, int pad, long long offset, long long shape[8], long long stride[8].
        System.Runtime.CompilerServices.Unsafe.SizeOf<KernelLayout>().Should().Be(4 + 4 + 8 + 64 + 64);
        System.Runtime.CompilerServices.Unsafe.SizeOf<NeuronParams>().Should().Be(14 * 4 + 4 * 4, "spk_neuron_params: 14 floats, 4 ints");

        var contiguous = KernelLayout.From(Layout.Contiguous([2, 3, 4]));
        (contiguous.Rank, contiguous.Shape[0], contiguous.Stride[0]).Should().Be((1, 24L, 1L));
        var transposed = KernelLayout.From(Layout.Contiguous([2, 3, 4]).Transpose(0, 2)); // [4,3,2] strides [1,4,12]
        (transposed.Rank, transposed.Shape[0], transposed.Shape[2], transposed.Stride[2]).Should().Be((3, 4L, 2L, 12L));
        var broadcast = KernelLayout.From(Layout.Contiguous([1, 3]).Expand([5, 3]));
        (broadcast.Rank, broadcast.Stride[0], broadcast.Stride[1]).Should().Be((2, 0L, 1L));
        var scalar = KernelLayout.From(Layout.Contiguous([]));
        (scalar.Rank, scalar.Shape[0]).Should().Be((1, 1L));
        var p = NeuronParams.From(new NeuronSpec(NeuronModel.Lif, new SurrogateSpec(SurrogateKind.ATan, 2), VReset: null, Tau: 3));
        p.Decay.Should().Be((float)(2.0 / 3.0), "1 − 1/τ is rounded once from double");
        (p.SoftReset, p.DecayInput, p.Alpha).Should().Be((1, 1, 2f));
    }
}
