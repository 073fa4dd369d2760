using System.CommandLine;
using System.Diagnostics;
using Spike.Cuda;

namespace Spike.Cli;

/// <summary>The CUDA commands: <c>spike kernels compile</c> and <c>spike device check</c> (<c>spike bench --device cuda</c>
/// is part of <see cref="BenchCommand"/>); and the device a training run asks for.</summary>
public static class CudaCommands
{
    /// <summary>"cpu" or "cuda" / "cuda:N" as a device; CUDA is registered on first use (a machine without a GPU fails
    /// on the first CUDA tensor, with the reason).</summary>
    public static Device Resolve(string name)
    {
        if (name == "cpu") return Spike.Device.Cpu;
        if (name == "cuda" || (name.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(name[5..], out _)))
        {
            CudaBackend.Initialize();
            var device = Spike.Device.Cuda(name == "cuda" ? 0 : int.Parse(name[5..]));
            _ = CudaBackend.For(device.Index); // opens the device now, so a missing GPU is reported before any work
            return device;
        }
        throw new ArgumentException($"--device {name}: expected cpu, cuda or cuda:N");
    }

    public static Command KernelsCommand()
    {
        var arch = new Option<int?>("--arch") { Description = "compute capability to compile for, e.g. 80 (default: the newest this NVRTC supports)" };
        var noCache = new Option<bool>("--no-cache") { Description = "compile everything now instead of reusing the kernel cache" };
        var compile = new Command("compile", "compile every kernel and -D variant with NVRTC (no GPU needed)") { arch, noCache };
        compile.SetAction(r =>
        {
            var clock = Stopwatch.StartNew();
            var report = KernelCompiler.CompileAll(r.GetValue(arch), r.GetValue(noCache) ? new KernelCache(null) : KernelCache.Shared);
            return Report(report, clock.Elapsed, Console.Out, Console.Error);
        });
        var cmd = new Command("kernels", "the CUDA kernel sources");
        cmd.Subcommands.Add(compile);
        return cmd;
    }

    /// <summary>Prints the compile report: a count line, or each failure with its options and NVRTC log; returns the exit code.</summary>
    public static int Report(KernelCompileReport report, TimeSpan elapsed, TextWriter output, TextWriter errors)
    {
        var (major, minor) = Spike.Cuda.Cuda.NvrtcVersion;
        foreach (var f in report.Failures) errors.WriteLine(f);
        output.WriteLine($"NVRTC {major}.{minor}: {report.Count} of {report.Count + report.Failures.Count} variants compiled " +
            $"({report.Kernels} kernels) for compute_{report.Architecture} in {elapsed.TotalSeconds:F1} s");
        return report.Succeeded ? 0 : 1;
    }

    public static Command DeviceCommand()
    {
        var ordinal = new Option<int>("--ordinal") { DefaultValueFactory = _ => 0, Description = "which GPU (cuda:N)" };
        var check = new Command("check", "run every op and kernel on the GPU against the CPU backend and print the errors") { ordinal };
        check.SetAction(r =>
        {
            var device = Resolve($"cuda:{r.GetValue(ordinal)}");
            Console.WriteLine(Spike.Cuda.Cuda.Describe());
            var outcomes = DeviceCheck.Run(device, Console.Out);
            return outcomes.All(o => o.Passed) ? 0 : 1;
        });
        var cmd = new Command("device", "the GPU");
        cmd.Subcommands.Add(check);
        return cmd;
    }
}
