using System.Collections.Concurrent;
using Spike.Cuda.Native;

namespace Spike.Cuda;

/// <summary>
/// A compiled kernel program loaded into a context (PTX is JIT-compiled by the driver for the device), with its
/// functions looked up once. <see cref="Load"/> compiles through the <see cref="KernelCache"/> for the device's
/// compute capability.
/// </summary>
public sealed unsafe class CudaModule : IDisposable
{
    readonly CudaContext _context;
    readonly ConcurrentDictionary<string, nint> _functions = new();
    nint _module;

    CudaModule(CudaContext context, CompiledKernel image)
    {
        _context = context;
        Image = image;
        context.MakeCurrent();
        // PTX from NVRTC already ends in NUL (its size counts it); cuModuleLoadData needs that terminator.
        fixed (byte* p = image.Image)
            CuDriver.Check(CuDriver.cuModuleLoadData(out _module, (nint)p), "cuModuleLoadData", $"{image.Variant} for arch {image.Architecture}");
    }

    public CompiledKernel Image { get; }

    /// <summary>Loads PTX; when the driver cannot JIT it (PTX newer than the driver, e.g. a newer NVRTC than libcuda),
    /// falls back to a CUBIN compiled by NVRTC for the device's architecture itself.</summary>
    public static CudaModule Load(CudaContext context, KernelVariant variant, KernelCache? cache = null)
    {
        cache ??= KernelCache.Shared;
        int arch = NvrtcCompiler.ChooseArchitecture(context.Info.ComputeCapability);
        try { return new CudaModule(context, cache.GetOrCompile(variant, arch)); }
        catch (CudaException e) when (e.Code is (int)CuResult.UnsupportedPtxVersion or (int)CuResult.InvalidPtx)
        {
            return new CudaModule(context, cache.GetOrCompile(variant, arch, KernelImageKind.Cubin));
        }
    }

    nint Function(string name) => _functions.GetOrAdd(name, n =>
    {
        _context.MakeCurrent();
        CuDriver.Check(CuDriver.cuModuleGetFunction(out nint f, _module, n), "cuModuleGetFunction", $"{n} in {Image.Variant}");
        return f;
    });

    /// <summary>Queues kernel <paramref name="name"/> on the context's stream (1-D grid and block).</summary>
    public void Launch(string name, int grid, int block, KernelArgs args, int sharedBytes = 0)
    {
        ObjectDisposedException.ThrowIf(_module == 0, this);
        var f = Function(name);
        _context.MakeCurrent();
        CuDriver.Check(CuDriver.cuLaunchKernel(f, (uint)grid, 1, 1, (uint)block, 1, 1, (uint)sharedBytes, _context.Stream, args.Pointers, 0),
            "cuLaunchKernel", $"{name} ({Image.Variant}) grid {grid} block {block}");
    }

    /// <summary>A 1-D grid for n elements: ceil(n / block) blocks, capped at 32 waves of the device's SMs (the kernels
    /// loop over the rest).</summary>
    public static int GridFor(long n, int block, CudaDeviceInfo device) =>
        (int)Math.Clamp((n + block - 1) / block, 1, Math.Max(1, device.Multiprocessors) * 32L);

    public void Dispose()
    {
        if (_module == 0) return;
        _context.MakeCurrent();
        CuDriver.cuModuleUnload(_module);
        _module = 0;
    }
}
