using FluentAssertions;
using NUnit.Framework;
using Spike.Cuda;
using CudaInfo = Spike.Cuda.Cuda;

namespace Spike.Tests.Cuda;

/// <summary>
/// Base of the CUDA backend parity suites. Each suite runs twice: on the host runtime (the kernel sources built with
/// g++, always available where g++ is) and on a real GPU (skipped with the reason when there is none). Either way
/// <see cref="CudaBackend"/> serves cuda:0, and every test compares it with the CPU backend.
/// </summary>
[NonParallelizable]
public abstract class DeviceFixture(string runtime)
{
    protected static readonly Device Gpu = Device.Cuda(0);
    IDeviceRuntime? _runtime;

    protected CudaBackend Backend { get; private set; } = null!;

    /// <summary>The host runtime when the fixture runs on it, else null.</summary>
    private protected HostRuntime? Host => _runtime as HostRuntime;

    /// <summary>True on the host runtime, where a launch runs g++-built code (keep sizes small).</summary>
    protected bool OnHost => runtime == "host";

    [OneTimeSetUp]
    public void OpenDevice()
    {
        if (runtime == "gpu")
        {
            if (!CudaInfo.IsAvailable) Assert.Ignore($"no usable GPU: {CudaInfo.UnavailableReason}");
            if (!CudaInfo.IsNvrtcAvailable) Assert.Ignore($"NVRTC is not available: {CudaInfo.Describe()}");
            _runtime = new CudaRuntime(0);
        }
        else
        {
            _ = HostKernels.For("elementwise.cu"); // ignores the fixture without g++
            _runtime = new HostRuntime();
        }
        Backend = CudaBackend.Use(_runtime);
    }

    [OneTimeTearDown]
    public void CloseDevice()
    {
        CudaBackend.Forget(0);
        if (_runtime is null) return;
        Backend.Synchronize();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Backend.Allocator.ReleaseCache();
        _runtime.Dispose();
    }

    protected static Tensor Dev(Tensor cpu) => Raw.ToDevice(cpu, Gpu);

    protected static Tensor Back(Tensor device) => Raw.ToCpu(device);

    /// <summary>Runs <paramref name="op"/> on the CPU inputs and on their device copies and compares the results:
    /// exactly for integers and Bool (and for reals when <paramref name="tol"/> is 0), else to tol·(1 + |expected|);
    /// NaN must match NaN.</summary>
    protected static void Same(double tol, Func<Tensor[], Tensor> op, params Tensor[] inputs)
    {
        var expected = op(inputs);
        var actual = op(inputs.Select(Dev).ToArray());
        actual.Device.Should().Be(Gpu);
        ShouldMatch(Back(actual), expected, tol);
    }

    /// <summary><see cref="Same"/> for an op with several results (null results must be null on both devices).</summary>
    protected static void SameAll(double tol, Func<Tensor[], Tensor?[]> op, params Tensor[] inputs)
    {
        var expected = op(inputs);
        var actual = op(inputs.Select(Dev).ToArray());
        for (int k = 0; k < expected.Length; k++)
        {
            if (expected[k] is null) { actual[k].Should().BeNull($"result {k}"); continue; }
            ShouldMatch(Back(actual[k]!), expected[k]!, tol, $"result {k}");
        }
    }

    /// <summary>
    /// Calls one contract member on the CPU backend and on the device with the same inputs (moved to the device) and
    /// outputs made by <paramref name="outputs"/> on each device, then compares every output. Strided operands are made
    /// inside <paramref name="call"/> (views of the inputs and outputs), so both backends see the same layouts.
    /// When the CPU backend rejects the call with NotSupportedException, the device must reject it too.
    /// </summary>
    protected void Contract(double tol, Tensor[] inputs, Func<Device, Tensor[]> outputs, Action<IBackend, Tensor[], Tensor[]> call, string because = "")
    {
        var cpuOut = outputs(Device.Cpu);
        try { call(Spike.Cpu.CpuBackend.Instance, inputs, cpuOut); }
        catch (NotSupportedException)
        {
            var devIn = inputs.Select(Dev).ToArray();
            var rejected = () => call(Backend, devIn, outputs(Gpu));
            rejected.Should().Throw<NotSupportedException>(because);
            return;
        }
        var devOut = outputs(Gpu);
        call(Backend, inputs.Select(Dev).ToArray(), devOut);
        for (int k = 0; k < cpuOut.Length; k++) ShouldMatch(Back(devOut[k]), cpuOut[k], tol, $"output {k} {because}");
    }

    /// <summary>Element-by-element comparison of two CPU tensors (shape, dtype, values).</summary>
    protected static void ShouldMatch(Tensor actual, Tensor expected, double tol, string because = "")
    {
        actual.Layout.Shape.Should().Equal(expected.Layout.Shape, because);
        actual.DType.Should().Be(expected.DType, because);
        if (!expected.DType.IsFloating() || tol == 0)
        {
            Bits(actual).Should().Equal(Bits(expected), because);
            return;
        }
        var a = Raw.ToDType(actual, DType.Float64).ToArray<double>();
        var e = Raw.ToDType(expected, DType.Float64).ToArray<double>();
        for (int i = 0; i < e.Length; i++)
        {
            if (double.IsNaN(e[i])) { double.IsNaN(a[i]).Should().BeTrue($"element {i} is NaN on the CPU {because}"); continue; }
            if (double.IsInfinity(e[i])) { a[i].Should().Be(e[i], $"element {i} {because}"); continue; }
            a[i].Should().BeApproximately(e[i], tol * (1 + Math.Abs(e[i])), $"element {i} {because}");
        }
    }

    /// <summary>Values as comparable 64-bit patterns (reals by bits, so -0 and NaN payloads count).</summary>
    static long[] Bits(Tensor t) => t.DType switch
    {
        DType.Float32 => t.ToArray<float>().Select(v => (long)BitConverter.SingleToInt32Bits(v)).ToArray(),
        DType.Float64 => t.ToArray<double>().Select(BitConverter.DoubleToInt64Bits).ToArray(),
        DType.Int32 => t.ToArray<int>().Select(v => (long)v).ToArray(),
        DType.Int64 => t.ToArray<long>(),
        DType.UInt8 => t.ToArray<byte>().Select(v => (long)v).ToArray(),
        DType.Float16 => t.ToArray<Half>().Select(v => (long)BitConverter.HalfToUInt16Bits(v)).ToArray(),
        _ => t.ToArray<bool>().Select(v => v ? 1L : 0L).ToArray(),
    };

    /// <summary>Deterministic test values of a dtype: reals in [-3, 3) away from 0, integers in [-9, 9] (UInt8: [0, 18]),
    /// Bool alternating by a seeded draw.</summary>
    protected static Tensor Values(DType dtype, int seed, params int[] shape)
    {
        var r = new Random(seed);
        var v = Enumerable.Range(0, Layout.NumelOf(shape)).Select(_ => dtype switch
        {
            DType.Float32 or DType.Float64 or DType.Float16 => Math.Round(r.NextDouble() * 6 - 3, 4) + 1e-5,
            DType.UInt8 => r.Next(0, 19),
            DType.Bool => r.Next(2),
            _ => r.Next(-9, 10),
        }).ToArray();
        return Raw.ToDType(Tensor.FromArray(v, shape), dtype);
    }

    protected static readonly DType[] AllTypes = [DType.Float32, DType.Float64, DType.Int32, DType.Int64, DType.UInt8, DType.Bool];
    protected static readonly DType[] Numeric = [DType.Float32, DType.Float64, DType.Int32, DType.Int64, DType.UInt8];
    protected static readonly DType[] Reals = [DType.Float32, DType.Float64];
}
