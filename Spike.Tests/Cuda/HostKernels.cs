using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using NUnit.Framework;
using Spike.Cuda;

namespace Spike.Tests.Cuda;

/// <summary>
/// Runs the kernel sources on the CPU: every program of <see cref="KernelCatalog"/> is compiled by g++ as C++ against
/// kernels/host_shim.h into one shared library holding all its -D variants (each variant in its own namespace, its
/// kernels renamed name__v{i} by macros, headers re-included per variant), then launched through the same
/// <see cref="KernelArgs"/> array cuLaunchKernel takes. Libraries are built once per source hash (kept in the temp
/// directory) and all programs build in parallel on first use.
/// </summary>
internal sealed unsafe class HostKernels
{
    static readonly ConcurrentDictionary<string, Lazy<Task<HostKernels>>> Libraries = new();
    static readonly Lazy<string?> Compiler = new(FindCompiler);

    readonly nint _handle;
    readonly KernelVariant[] _variants;

    HostKernels(nint handle, KernelVariant[] variants) { _handle = handle; _variants = variants; }

    /// <summary>The host library for a program, or Assert.Ignore when g++ is absent.</summary>
    public static HostKernels For(string program)
    {
        if (Compiler.Value is null) Assert.Ignore("g++ not found on PATH: host execution of the CUDA kernel sources is skipped");
        foreach (var p in KernelSources.Programs) _ = Libraries.GetOrAdd(p, Start).Value; // build all programs concurrently
        return Libraries[program].Value.GetAwaiter().GetResult();
    }

    /// <summary>The library holding a variant: its program's for catalog variants, else one built for it alone (a
    /// user-defined surrogate expression).</summary>
    public static HostKernels For(KernelVariant variant)
    {
        if (KernelCatalog.All.Contains(variant)) return For(variant.Program);
        if (Compiler.Value is null) Assert.Ignore("g++ not found on PATH: host execution of the CUDA kernel sources is skipped");
        return Libraries.GetOrAdd(variant.ToString(), _ => new(() => Task.Run(() => Build(variant.Program, [variant])))).Value.GetAwaiter().GetResult();
    }

    static Lazy<Task<HostKernels>> Start(string program) =>
        new(() => Task.Run(() => Build(program, KernelCatalog.All.Where(v => v.Program == program).ToArray())));

    /// <summary>Launches kernel <paramref name="name"/> of <paramref name="variant"/> over grid × block threads.
    /// Cooperative runs each block's threads concurrently (needed by __syncthreads).</summary>
    public void Launch(KernelVariant variant, string name, int grid, int block, KernelArgs args, bool cooperative = false)
    {
        int v = Array.IndexOf(_variants, variant);
        if (v < 0) throw new ArgumentException($"{variant} is not in this host library");
        var fn = (delegate* unmanaged<LaunchDims*, nint, int>)NativeLibrary.GetExport(_handle, $"spk_host_{name}__v{v}");
        var launch = new LaunchDims { GridX = (uint)grid, GridY = 1, GridZ = 1, BlockX = (uint)block, BlockY = 1, BlockZ = 1, Cooperative = cooperative ? 1 : 0 };
        int rc = fn(&launch, args.Pointers);
        if (rc != 0) throw new InvalidOperationException($"host launch of {name} ({variant}) failed with code {rc} (1: __syncthreads in a sequential launch)");
    }

    public void Launch(string program, string name, int grid, int block, KernelArgs args, bool cooperative = false) =>
        Launch(new KernelVariant(program), name, grid, block, args, cooperative);

    /// <summary>Launches with parameters given as values: arrays are pinned and passed as pointers, null is a null
    /// pointer, other values must have the kernel parameter's exact C type.</summary>
    public void Run(KernelVariant variant, string name, (int Grid, int Block, bool Cooperative) shape, params object?[] parameters)
    {
        using var pins = new Pins();
        using var args = new KernelArgs();
        foreach (var p in parameters)
        {
            switch (p)
            {
                case null: args.Add((nint)0); break;
                case Array a: args.Add(pins.Of(a)); break;
                case int v: args.Add(v); break;
                case long v: args.Add(v); break;
                case ulong v: args.Add(v); break;
                case float v: args.Add(v); break;
                case double v: args.Add(v); break;
                case byte v: args.Add(v); break;
                case ushort v: args.Add(v); break;
                case nint v: args.Add(v); break;
                case KernelLayout v: args.Add(v); break;
                case NeuronParams v: args.Add(v); break;
                default: throw new ArgumentException($"no kernel parameter type for {p.GetType().Name}");
            }
        }
        Launch(variant, name, shape.Grid, shape.Block, args, shape.Cooperative);
    }

    public void Run(string name, (int Grid, int Block, bool Cooperative) shape, params object?[] parameters) =>
        Run(_variants.Single(), name, shape, parameters);

    [StructLayout(LayoutKind.Sequential)]
    struct LaunchDims { public uint GridX, GridY, GridZ, BlockX, BlockY, BlockZ; public int Cooperative; }

    static string? FindCompiler()
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo("g++", "--version") { RedirectStandardOutput = true, RedirectStandardError = true });
            p!.WaitForExit();
            return p.ExitCode == 0 ? "g++" : null;
        }
        catch (System.ComponentModel.Win32Exception) { return null; }
    }

    static readonly string[] Flags = ["-std=c++17", "-O0", "-shared", "-fPIC", "-pthread", "-fvisibility=hidden", "-Wall", "-Wno-unknown-pragmas", "-Wno-unused-function"];

    static HostKernels Build(string program, KernelVariant[] variants)
    {
        var wrapper = Wrapper(program, variants);
        var files = KernelSources.Programs.Concat(KernelSources.Headers).Append("host_shim.h").ToArray();
        var hashInput = new StringBuilder(wrapper).AppendJoin(' ', Flags);
        foreach (var f in files) hashInput.Append("== ").Append(f).Append('\n').Append(KernelSources.Read(f));
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(hashInput.ToString())))[..20];
        var dir = Path.Combine(Path.GetTempPath(), "spike-host-kernels", $"{Path.GetFileNameWithoutExtension(program)}-{hash}");
        var lib = Path.Combine(dir, "kernels.so");
        if (!File.Exists(lib))
        {
            var work = Path.Combine(dir, $"build-{Environment.ProcessId}-{Guid.NewGuid():N}");
            Directory.CreateDirectory(work);
            foreach (var f in files) File.WriteAllText(Path.Combine(work, f), KernelSources.Read(f));
            File.WriteAllText(Path.Combine(work, "wrapper.cpp"), wrapper);
            var psi = new ProcessStartInfo("g++") { WorkingDirectory = work, RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var a in Flags.Concat(["-I.", "-include", "host_shim.h", "wrapper.cpp", "-o", "kernels.so"])) psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            var stderr = p.StandardError.ReadToEndAsync();
            p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0) throw new InvalidOperationException($"g++ failed on {program} (host build):\n{stderr.Result}");
            File.Move(Path.Combine(work, "kernels.so"), lib, overwrite: true);
            try { Directory.Delete(work, recursive: true); } catch (IOException) { }
        }
        return new HostKernels(NativeLibrary.Load(lib), variants);
    }

    /// <summary>One translation unit with every variant of the program. common.cuh is included once at global
    /// scope (its types are shared); the other headers' guards (SPK_&lt;NAME&gt;_CUH) are reset between variants.</summary>
    static string Wrapper(string program, KernelVariant[] variants)
    {
        var names = KernelSources.KernelNames(program);
        var guards = KernelSources.Headers.Where(h => h != "common.cuh")
            .Select(h => "SPK_" + Path.GetFileNameWithoutExtension(h).ToUpperInvariant() + "_CUH").ToArray();
        var sb = new StringBuilder("#include \"common.cuh\"\n");
        var entries = new StringBuilder();
        for (int v = 0; v < variants.Length; v++)
        {
            sb.Append($"namespace spk_v{v} {{\n");
            foreach (var d in variants[v].Defines) sb.Append($"#define {d.Key} {d.Value}\n");
            foreach (var n in names) sb.Append($"#define {n} {n}__v{v}\n");
            sb.Append($"#include \"{program}\"\n");
            foreach (var d in variants[v].Defines) sb.Append($"#undef {d.Key}\n");
            foreach (var n in names) sb.Append($"#undef {n}\n");
            foreach (var g in guards) sb.Append($"#undef {g}\n");
            sb.Append("}\n");
            foreach (var n in names) entries.Append($"SPK_HOST_ENTRY({n}__v{v}, spk_v{v}::{n}__v{v})\n");
        }
        return sb.Append(entries).ToString();
    }
}

/// <summary>Pins managed arrays for the duration of a host launch; their addresses stand in for device pointers.</summary>
internal sealed class Pins : IDisposable
{
    readonly List<GCHandle> _handles = [];

    public nint Of(Array? array)
    {
        if (array is null) return 0;
        var h = GCHandle.Alloc(array, GCHandleType.Pinned);
        _handles.Add(h);
        return h.AddrOfPinnedObject();
    }

    public void Dispose()
    {
        foreach (var h in _handles) h.Free();
    }
}
