namespace Spike.Cuda;

/// <summary>The outcome of compiling every kernel variant: how many compiled, and one message per failure
/// (the variant, the options and NVRTC's log).</summary>
public sealed record KernelCompileReport(int Count, IReadOnlyList<string> Failures, int Kernels, int Architecture)
{
    public bool Succeeded => Failures.Count == 0;
}

/// <summary>Entry point for <c>spike kernels compile</c>: compiles the whole <see cref="KernelCatalog"/> with NVRTC.</summary>
public static class KernelCompiler
{
    /// <summary>
    /// Compiles every program and every -D variant to PTX for <paramref name="architecture"/> (default: the highest
    /// this NVRTC supports). No GPU is needed. Throws <see cref="CudaUnavailableException"/> when NVRTC is missing.
    /// Programs compile concurrently (NVRTC is thread-safe across programs); entries already in the cache are reused,
    /// which is sound because the cache key hashes the sources, options and NVRTC version.
    /// </summary>
    public static KernelCompileReport CompileAll(int? architecture = null, KernelCache? cache = null)
    {
        int arch = architecture ?? NvrtcCompiler.ChooseArchitecture();
        cache ??= KernelCache.Shared;
        var variants = KernelCatalog.All;
        var errors = new string?[variants.Count];
        Parallel.For(0, variants.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            try { cache.GetOrCompile(variants[i], arch); }
            catch (NvrtcException e) { errors[i] = $"{variants[i]}: {e.Message}"; }
        });
        var failures = errors.OfType<string>().ToArray();
        int kernels = variants.Where((_, i) => errors[i] is null).Sum(v => KernelSources.KernelNames(v.Program).Count);
        return new KernelCompileReport(variants.Count - failures.Length, failures, kernels, arch);
    }
}
