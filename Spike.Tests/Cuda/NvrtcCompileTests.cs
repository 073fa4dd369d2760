using FluentAssertions;
using NUnit.Framework;
using Spike.Cuda;
using CudaRuntime = Spike.Cuda.Cuda;

namespace Spike.Tests.Cuda;

/// <summary>Every kernel program and -D variant compiles with NVRTC (no GPU needed). Skipped when libnvrtc is absent
/// (Debian: libnvrtc11.2 from non-free; or set SPIKE_LIBNVRTC).</summary>
[NonParallelizable]
public class NvrtcCompileTests
{
    static string _cacheDir = "";

    [OneTimeSetUp]
    public void RequireNvrtc()
    {
        if (!CudaRuntime.IsNvrtcAvailable)
            Assert.Ignore($"NVRTC not available, kernel compilation is not checked: {CudaRuntime.Describe()}");
        _cacheDir = Path.Combine(Path.GetTempPath(), $"spike-kernel-cache-test-{Environment.ProcessId}");
    }

    [OneTimeTearDown]
    public void RemoveCache()
    {
        if (_cacheDir != "" && Directory.Exists(_cacheDir)) Directory.Delete(_cacheDir, recursive: true);
    }

    /// <summary>Uses the machine's kernel cache: an entry there is keyed by the hash of these exact sources, options and
    /// NVRTC version, so a hit proves the same compilation succeeded before (failures are never cached).</summary>
    [Test]
    public void CompileAllCompilesEveryProgramAndVariant()
    {
        var cache = new KernelCache(KernelCache.DefaultDirectory);
        var report = KernelCompiler.CompileAll(cache: cache);
        report.Failures.Should().BeEmpty();
        // The programs without variants once, the neuron program once per built-in surrogate plus the example expression.
        report.Count.Should().Be(KernelCatalog.All.Count).And.Be(KernelSources.Programs.Count - 1 + Enum.GetValues<SurrogateKind>().Length);
        report.Architecture.Should().Be(NvrtcCompiler.SupportedArchitectures()[^1]);
        TestContext.Out.WriteLine($"NVRTC {CudaRuntime.NvrtcVersion}: {report.Count} variants, {report.Kernels} kernels compiled for compute_{report.Architecture}");

        // Every kernel the source declares is an entry of the PTX, under its unmangled name.
        foreach (var variant in KernelCatalog.All)
        {
            var ptx = System.Text.Encoding.UTF8.GetString(cache.GetOrCompile(variant, report.Architecture).Image);
            ptx.Should().Contain($".target sm_{report.Architecture}");
            foreach (var name in KernelSources.KernelNames(variant.Program))
                ptx.Should().MatchRegex($@"\.entry\s+{name}\s*\(", $"{variant} declares {name}");
        }
        (cache.Compilations + cache.DiskHits).Should().Be(report.Count);
        cache.MemoryHits.Should().Be(report.Count);
        TestContext.Out.WriteLine($"compiled now: {cache.Compilations}, from the disk cache: {cache.DiskHits}");
    }

    [Test]
    public void EveryProgramHasKernelsNamedOpDtype()
    {
        foreach (var p in KernelSources.Programs)
        {
            var names = KernelSources.KernelNames(p);
            names.Should().NotBeEmpty(p);
            names.Should().OnlyContain(n => System.Text.RegularExpressions.Regex.IsMatch(n, "^[a-z0-9_]+_(f32|f16|f16x2|f64|i32|i64|u8|u16|u32|b8)$"), p);
        }
        var neurons = KernelSources.KernelNames(NeuronKernels.Program);
        foreach (var model in Enum.GetValues<NeuronModel>())
        {
            string prefix = NeuronKernels.Prefix(model);
            foreach (var kind in new[] { "fwd", "bwd", "step" })
                neurons.Should().Contain([$"{prefix}_{kind}_f32", $"{prefix}_{kind}_f16"]);
            neurons.Should().Contain([$"{prefix}_fwd_f16x2", $"{prefix}_bwd_f16x2"], "multi-step half kernels also move two neurons per thread");
        }
        neurons.Should().HaveCount(6 * 3 * 2 + 6 * 2);
        // Float16 reaches every other dtype and back through one cast each.
        var casts = KernelSources.KernelNames("copy.cu");
        foreach (var other in new[] { "f32", "f64", "i32", "i64", "u8" })
            casts.Should().Contain([$"cast_f16_{other}", $"cast_{other}_f16"]);
        casts.Should().Contain("cast_f16_b8");
    }

    [Test]
    public void ArchitectureFollowsTheNvrtcVersionAndTheDevice()
    {
        var archs = NvrtcCompiler.SupportedArchitectures();
        var (major, minor) = CudaRuntime.NvrtcVersion;
        // NVRTC 11.2-11.4 stops at compute_86, 11.8 at compute_90; every NVRTC since 11.0 has compute_52..80.
        archs.Should().Contain([52, 60, 70, 75, 80]);
        if (major == 11 && minor <= 4) archs[^1].Should().Be(86);
        if (major == 11 && minor == 8) archs[^1].Should().Be(90);
        NvrtcCompiler.ChooseArchitecture(75).Should().Be(75);
        NvrtcCompiler.ChooseArchitecture(archs[^1] + 30).Should().Be(archs[^1], "a newer GPU JIT-compiles PTX of the newest arch NVRTC knows");
        NvrtcCompiler.ChooseArchitecture(null).Should().Be(archs[^1]);
        var act = () => NvrtcCompiler.ChooseArchitecture(10);
        act.Should().Throw<CudaUnavailableException>().WithMessage("*cannot target compute capability 1.0*");
    }

    [Test]
    public void CubinForARealArchitectureIsAnElfImage()
    {
        var variant = NeuronKernels.For(new SurrogateSpec(SurrogateKind.ATan, 2));
        var cubin = NvrtcCompiler.Compile(variant, 75, KernelImageKind.Cubin);
        cubin.Image.Take(4).Should().Equal(0x7f, (byte)'E', (byte)'L', (byte)'F');
        cubin.Options.Should().Contain("--gpu-architecture=sm_75").And.Contain("-DSPK_SG_ATAN");
        // ptxas assembles copy.cu's conversions too (cvt.rn.f16.f64 among them), not only NVRTC's front end.
        NvrtcCompiler.Compile(new KernelVariant("copy.cu"), 75, KernelImageKind.Cubin).Image.Take(4).Should().Equal(0x7f, (byte)'E', (byte)'L', (byte)'F');
    }

    [Test]
    public void CacheHitsMemoryThenDiskAndKeysOnEveryInput()
    {
        var dir = Path.Combine(_cacheDir, "keys");
        var variant = new KernelVariant("random.cu");
        var first = new KernelCache(dir);
        var a = first.GetOrCompile(variant, 70);
        var b = first.GetOrCompile(variant, 70);
        (first.Compilations, first.MemoryHits, first.DiskHits).Should().Be((1, 1, 0));
        b.Image.Should().BeSameAs(a.Image);
        Directory.GetFiles(dir, "random-*.ptx").Should().HaveCount(1);

        var second = new KernelCache(dir);
        var c = second.GetOrCompile(variant, 70);
        (second.Compilations, second.DiskHits).Should().Be((0, 1));
        c.Image.Should().Equal(a.Image);

        // The key changes with the arch, the image kind and the defines; not with the order defines are given in.
        var keys = new[]
        {
            KernelCache.KeyFor(variant, 70, KernelImageKind.Ptx), KernelCache.KeyFor(variant, 75, KernelImageKind.Ptx),
            KernelCache.KeyFor(variant, 70, KernelImageKind.Cubin),
            KernelCache.KeyFor(new KernelVariant("random.cu", ("X", "1")), 70, KernelImageKind.Ptx),
        };
        keys.Should().OnlyHaveUniqueItems();
        KernelCache.KeyFor(new KernelVariant("neurons.cu", ("A", "1"), ("B", null)), 70, KernelImageKind.Ptx)
            .Should().Be(KernelCache.KeyFor(new KernelVariant("neurons.cu", ("B", null), ("A", "1")), 70, KernelImageKind.Ptx));
    }

    [Test]
    public void CompileErrorCarriesTheLogAndTheOptions()
    {
        // A real program with its required define missing stops at its #error.
        var cache = new KernelCache(null);
        var missing = new KernelVariant("neurons.cu");
        var act = () => cache.GetOrCompile(missing, 70);
        var e = act.Should().Throw<NvrtcException>().Which;
        e.Message.Should().Contain("neurons.cu").And.Contain("--gpu-architecture=compute_70").And.Contain("define exactly one surrogate");
        e.Log.Should().Contain("#error");

        var both = new KernelVariant("neurons.cu", ("SPK_SG_ATAN", null), ("SPK_SG_SIGMOID", null));
        var act2 = () => NvrtcCompiler.Compile(both, 70);
        act2.Should().Throw<NvrtcException>().WithMessage("*define exactly one surrogate*").Which.Options.Should().Contain("-DSPK_SG_SIGMOID");

        // A user-defined surrogate expression that does not compile reports NVRTC's log.
        var expr = NeuronKernels.For(new SurrogateSpec(SurrogateKind.Expression, 1, Expression: "alpha * undefined_thing"));
        var act4 = () => NvrtcCompiler.Compile(expr, 70);
        act4.Should().Throw<NvrtcException>().Which.Log.Should().Contain("undefined_thing");

        var act3 = () => NvrtcCompiler.CompileSource("bad.cu", "extern \"C\" __global__ void k(float* x) { x[0] = undefined_name; }",
            new Dictionary<string, string>(), ["--gpu-architecture=compute_70"], KernelImageKind.Ptx);
        act3.Should().Throw<NvrtcException>().Which.Log.Should().Contain("undefined_name");
        cache.Compilations.Should().Be(0);
    }
}
