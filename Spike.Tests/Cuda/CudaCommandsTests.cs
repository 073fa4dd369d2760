using FluentAssertions;
using NUnit.Framework;
using Spike.Cli;
using Spike.Cli.Training;
using Spike.Cuda;
using CudaInfo = Spike.Cuda.Cuda;

namespace Spike.Tests.Cuda;

/// <summary>
/// The CUDA commands. Without a GPU their device logic runs on the host runtime: the device check's whole comparison
/// table, the benchmark's workloads, and `spike train --device cuda` against the same run on the CPU.
/// </summary>
[NonParallelizable]
public class CudaCommandsTests
{
    [TearDown]
    public void ForgetDevice() => CudaBackend.Forget(0);

    static (int Code, string Out, string Err) Cli(params string[] args)
    {
        var (oldOut, oldErr) = (Console.Out, Console.Error);
        var (o, e) = (new StringWriter(), new StringWriter());
        Console.SetOut(o);
        Console.SetError(e);
        try { return (Commands.Run(args), o.ToString(), e.ToString()); }
        finally { Console.SetOut(oldOut); Console.SetError(oldErr); }
    }

    static HostRuntime Host()
    {
        _ = HostKernels.For("elementwise.cu"); // ignores the test without g++
        var runtime = new HostRuntime();
        CudaBackend.Use(runtime);
        return runtime;
    }

    [Test]
    public void KernelsCompilePrintsHowManyCompiled()
    {
        if (!CudaInfo.IsNvrtcAvailable) Assert.Ignore($"NVRTC not available: {CudaInfo.Describe()}");
        var (code, output, _) = Cli("kernels", "compile");
        code.Should().Be(0);
        output.Should().MatchRegex($@"NVRTC \d+\.\d+: {KernelCatalog.All.Count} of {KernelCatalog.All.Count} variants compiled \(\d+ kernels\) for compute_\d+");
        var failed = new KernelCompileReport(1, ["neurons.cu -DSPK_SG_EXPR=oops: NVRTC could not compile neurons.cu\nlog:\nerror: identifier \"oops\" is undefined"], 36, 90);
        var err = new StringWriter();
        CudaCommands.Report(failed, TimeSpan.FromSeconds(1), TextWriter.Null, err).Should().Be(1);
        err.ToString().Should().Contain("identifier \"oops\" is undefined");
    }

    [Test]
    public void DeviceCheckWithoutAGpuSaysWhyAndFails()
    {
        if (CudaInfo.IsAvailable) Assert.Ignore("a GPU is present");
        CudaBackend.Forget(0);
        var (code, _, err) = Cli("device", "check");
        code.Should().Be(1);
        err.Should().Contain("spike: error: CUDA is not available").And.Contain("libcuda");
        Cli("bench", "--device", "cuda").Code.Should().Be(1);
        Cli("train", "--device", "cuda:x").Err.Should().Contain("expected cpu, cuda or cuda:N");
    }

    [Test]
    public void DeviceCheckComparesEveryOpAndKernelOnTheHostRuntime()
    {
        using var runtime = Host();
        var table = new StringWriter();
        var outcomes = DeviceCheck.Run(Device.Cuda(0), table);
        outcomes.Where(o => !o.Passed).Select(o => $"{o.Check.Op} {o.Check.DType}: {o.Error} {o.Problem}").Should().BeEmpty();
        outcomes.Count.Should().BeGreaterThan(300);
        var text = table.ToString();
        text.Should().Contain("fused IzhikevichNode fwd + bwd").And.Contain("matmul batch-summing destination").And.Contain($"{outcomes.Count} checks on cuda:0: {outcomes.Count} passed, 0 failed");
        outcomes.Select(o => o.Check.Op).Should().Contain(op => op.StartsWith("unary Erfc")).And.Contain(op => op.StartsWith("binary LogicalOr"));
        outcomes.Select(o => o.Check.Op).Should().Contain("copy Float16 -> Int64 (strided)");
        outcomes.Where(o => o.Check.DType == "Float16").Select(o => o.Check.Op).Should()
            .Contain(["matmul (GemmEx)", "fused LifNode fwd + bwd (half2)", "fused LifNode fwd + bwd (odd N: one per thread)"]);
        foreach (var o in outcomes.Where(o => o.Check.Op.StartsWith("fused") && o.Check.DType == "Float16"))
            TestContext.Out.WriteLine($"{o.Check.Op}: {o.Error:0.0e+00}");
    }

    [Test]
    public void BenchMeasuresEveryCudaWorkloadOnTheHostRuntime()
    {
        using var runtime = Host();
        var table = new StringWriter();
        var results = CudaBench.Run(CudaBackend.For(0), steps: 4, neurons: 512, filter: "", table, minSeconds: 0);
        results.Select(r => r.Name).Should().Contain(["lif_fwd_T4_N512", "lif_bwd_T4_N512", "lif_fwd_bwd_T4_N512", "sgemm_64",
            "lif_fwd_f16_T4_N512", "lif_bwd_f16_T4_N512", "lif_fwd_bwd_f16_T4_N512", "hgemm_64"]);
        results.Should().OnlyContain(r => r.Rate > 0 && r.Runs >= 5);
        table.ToString().Should().Contain("lif_fwd_bwd_T4_N512");
    }

    [Test]
    public void TrainingOnCudaFollowsTheCpuRun()
    {
        using var runtime = Host();
        var dir = Path.Combine(Path.GetTempPath(), "spike-train-cuda-" + Guid.NewGuid().ToString("N"));
        try
        {
            // 400 training and 200 test images in the IDX format (random pixels and labels).
            var data = Path.Combine(dir, "data");
            Directory.CreateDirectory(data);
            foreach (var (prefix, n) in new[] { ("train", 400), ("t10k", 200) })
            {
                var pixels = Raw.ToDType(Tensor.Rand([n, 28, 28], new Generator((ulong)n), 0, 256), DType.UInt8);
                var labels = Tensor.FromArray(Enumerable.Range(0, n).Select(i => (byte)(i % 10)).ToArray());
                Spike.Datasets.Formats.Idx.Write(Path.Combine(data, $"{prefix}-images-idx3-ubyte.gz"), pixels, gzip: true);
                Spike.Datasets.Formats.Idx.Write(Path.Combine(data, $"{prefix}-labels-idx1-ubyte.gz"), labels, gzip: true);
            }
            var images = DataSource.FashionMnist(data);
            TrainOptions Options(string device) => new()
            {
                Model = "lif-fc", T = 2, BatchSize = 50, Epochs = 1, Workers = 0, OutDir = Path.Combine(dir, device), Opt = "adam", Lr = 0.01,
                Seed = 3, MaxBatches = 3, Device = device,
            };
            var cpu = new Trainer(Options("cpu"), TextWriter.Null).Run(images).Single();
            var cuda = new Trainer(Options("cuda"), TextWriter.Null).Run(images).Single();
            cuda.TrainLoss.Should().BeApproximately(cpu.TrainLoss, 1e-5);
            cuda.TestLoss.Should().BeApproximately(cpu.TestLoss, 1e-5);
            cuda.TestAcc.Should().BeApproximately(cpu.TestAcc, 2.0 / images.Test.Count, "a spike decided within rounding may flip one prediction");
            File.Exists(Path.Combine(dir, "cuda", "lif-fc", Options("cuda").RunName, Checkpoint.Latest)).Should().BeTrue();
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
