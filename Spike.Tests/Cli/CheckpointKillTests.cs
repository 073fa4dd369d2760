using System.Diagnostics;
using System.Runtime.InteropServices;
using FluentAssertions;
using NUnit.Framework;
using Spike.Cli.Training;

namespace Spike.Tests.Cli;

/// <summary>
/// A real `spike train` process is frozen (SIGSTOP) at a moment its checkpoint_latest temp file exists and the rename
/// has not happened, i.e. in the middle of writing a checkpoint, then killed (SIGKILL). The previous checkpoint must
/// still load and resume.
/// </summary>
public partial class CheckpointKillTests
{
    const int SigStop = 19, SigCont = 18;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    [Test]
    public void KillingARunWhileItWritesACheckpointLeavesThePreviousOneLoadable()
    {
        if (!OperatingSystem.IsLinux()) Assert.Ignore("freezes the training process with SIGSTOP (Linux)");
        var dir = Path.Combine(Path.GetTempPath(), "spike-kill-" + Guid.NewGuid().ToString("N"));
        try
        {
            TinyDatasets.FashionMnist(Path.Combine(dir, "data"));
            var outDir = Path.Combine(dir, "runs");
            var runDir = Path.Combine(outDir, "lif-fc", "T_2_b_8_Adam_lr_0.001");
            var latest = Path.Combine(runDir, Checkpoint.Latest);
            var psi = new ProcessStartInfo("dotnet", [typeof(Spike.Cli.Commands).Assembly.Location, "train", "lif-fc", "-T", "2", "-b", "8",
                "--epochs", "100000", "--max-batches", "1", "-j", "0", "--data-dir", Path.Combine(dir, "data"), "--out-dir", outDir])
            { RedirectStandardOutput = true, RedirectStandardError = true };
            using var p = Process.Start(psi)!;
            p.BeginOutputReadLine();
            p.BeginErrorReadLine();
            try
            {
                var deadline = DateTime.UtcNow.AddSeconds(90);
                while (!File.Exists(latest) && DateTime.UtcNow < deadline && !p.HasExited) Thread.Sleep(10);
                File.Exists(latest).Should().BeTrue($"the run writes {latest}");

                // Catch a later write in the act: freeze the process as soon as a temp file shows up, and keep it only
                // if the temp file is still there once the process is stopped (else let it run on and wait for the next).
                string? caught = null;
                while (caught is null && DateTime.UtcNow < deadline && !p.HasExited)
                {
                    var tmp = Directory.EnumerateFiles(runDir, $".{Checkpoint.Latest}.*.tmp").FirstOrDefault();
                    if (tmp is null) { Thread.Yield(); continue; }
                    Kill(p.Id, SigStop).Should().Be(0);
                    WaitUntilStopped(p.Id);
                    if (File.Exists(tmp)) caught = tmp;
                    else Kill(p.Id, SigCont);
                }
                caught.Should().NotBeNull("a checkpoint write is caught between its temp file and its rename");
                p.Kill();
                p.WaitForExit();
                File.Exists(caught!).Should().BeTrue("the killed write never reached its rename");

                var ckpt = Checkpoint.Read(latest);
                ckpt.Options.Model.Should().Be("lif-fc");
                var net = Models.Get("lif-fc").Build(2, null, new Generator(0));
                ckpt.LoadInto(net, null);
                var resumed = new Trainer(ckpt.Options with { Epochs = ckpt.Epoch + 2, Resume = "latest" }, TextWriter.Null)
                    .Run(DataSource.FashionMnist(Path.Combine(dir, "data")));
                resumed.Select(m => m.Epoch).Should().Equal(ckpt.Epoch + 1);
            }
            finally
            {
                if (!p.HasExited) { p.Kill(); p.WaitForExit(); }
            }
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    /// <summary>Waits until /proc reports the process as stopped ('T'), so no write can still land afterwards.</summary>
    static void WaitUntilStopped(int pid)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            if (stat[(stat.LastIndexOf(')') + 2)..].StartsWith('T')) return;
            Thread.Sleep(1);
        }
        throw new TimeoutException($"process {pid} did not stop");
    }
}
