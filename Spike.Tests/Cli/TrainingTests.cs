using System.Diagnostics;
using FluentAssertions;
using NUnit.Framework;
using Spike.Cli.Training;
using Spike.Datasets;
using Spike.Datasets.Formats;
using Spike.Nn;

namespace Spike.Tests.Cli;

/// <summary>The training loop end to end on a tiny Fashion-MNIST-format set written in the real IDX format.</summary>
public class TrainingTests
{
    string _dir = "";

    [SetUp]
    public void SetUp()
    {
        _dir = Path.Combine(Path.GetTempPath(), "spike-train-" + Guid.NewGuid().ToString("N"));
        var data = Path.Combine(_dir, "data");
        Directory.CreateDirectory(data);
        // 64 train and 32 test images: class k is a bright horizontal band at rows 2k..2k+3, plus noise.
        foreach (var (prefix, n, seed) in new[] { ("train", 64, 1UL), ("t10k", 32, 2UL) })
        {
            var noise = Tensor.Rand([n, 28, 28], new Generator(seed)).ToArray<float>();
            var pixels = new byte[n * 784];
            var labels = new byte[n];
            for (int i = 0; i < n; i++)
            {
                labels[i] = (byte)(i % 10);
                for (int p = 0; p < 784; p++)
                {
                    int row = p / 28;
                    bool band = row >= 2 * labels[i] + 2 && row < 2 * labels[i] + 6;
                    pixels[i * 784 + p] = (byte)((band ? 200 : 0) + 50 * noise[i * 784 + p]);
                }
            }
            Idx.Write(Path.Combine(data, $"{prefix}-images-idx3-ubyte.gz"), Tensor.FromArray(pixels, n, 28, 28), gzip: true);
            Idx.Write(Path.Combine(data, $"{prefix}-labels-idx1-ubyte.gz"), Tensor.FromArray(labels, n), gzip: true);
        }
    }

    [TearDown] public void TearDown() => Directory.Delete(_dir, recursive: true);

    TrainOptions Options(int epochs, string? resume = null) => new()
    {
        Model = "lif-fc", T = 4, BatchSize = 16, Epochs = epochs, Workers = 0, OutDir = Path.Combine(_dir, "runs"),
        Opt = "adam", Lr = 0.01, LrScheduler = "cosine", TMax = 4, Seed = 7, Resume = resume,
    };

    (IDataset, IDataset) Data() { var (tr, te, _) = DataSource.FashionMnist(Path.Combine(_dir, "data")); return (tr, te); }

    [Test]
    public void ResumedRunEqualsUninterruptedRun()
    {
        var (train, test) = Data();
        var uninterrupted = new Trainer(Options(3), TextWriter.Null).Run(train, test);
        var runDir = new Trainer(Options(3), TextWriter.Null).RunDir;
        var csv = File.ReadAllLines(Path.Combine(runDir, "metrics.csv"));
        csv[0].Should().Be(EpochMetrics.CsvHeader);
        csv.Should().HaveCount(4);
        Directory.Delete(runDir, recursive: true);

        new Trainer(Options(1), TextWriter.Null).Run(train, test).Should().HaveCount(1);
        var log = new StringWriter();
        var resumed = new Trainer(Options(3, resume: "latest"), log).Run(train, test);
        log.ToString().Should().Contain("resumed from").And.Contain("after epoch 0");
        resumed.Select(m => m.Epoch).Should().Equal(1, 2);
        foreach (var (a, b) in uninterrupted.Skip(1).Zip(resumed))
        {
            b.TrainLoss.Should().Be(a.TrainLoss);
            b.TrainAcc.Should().Be(a.TrainAcc);
            b.TestLoss.Should().Be(a.TestLoss);
            b.TestAcc.Should().Be(a.TestAcc);
            b.MaxTestAcc.Should().Be(a.MaxTestAcc);
        }
        File.ReadAllLines(Path.Combine(runDir, "metrics.csv")).Should().HaveCount(4, "the resumed run continues the same history");
        // The tiny task is learnable: the network beats chance clearly.
        uninterrupted[^1].TestAcc.Should().BeGreaterThan(0.3);
        // A checkpoint from other options is refused.
        FluentActions.Invoking(() => new Trainer(Options(3, resume: Path.Combine(runDir, Checkpoint.Latest)) with { Lr = 0.5 }, TextWriter.Null).Run(train, test))
            .Should().Throw<ArgumentException>().WithMessage("*was written with options*");
    }

    [Test]
    public void KillingARunWhileItWritesCheckpointsLeavesTheLastOneLoadable()
    {
        var cli = typeof(Spike.Cli.Commands).Assembly.Location;
        var outDir = Path.Combine(_dir, "killed");
        var runName = new TrainOptions { Model = "lif-fc", T = 2, BatchSize = 8, Opt = "adam", Lr = 0.001, LrScheduler = "none" }.RunName;
        runName.Should().Be("T_2_b_8_ADAM_lr_0.001");
        var ckpt = Path.Combine(outDir, "lif-fc", runName, Checkpoint.Latest);
        var rng = new Random(3);
        for (int round = 0; round < 4; round++)
        {
            var psi = new ProcessStartInfo("dotnet", [cli, "train", "lif-fc", "-T", "2", "-b", "8", "--epochs", "100000", "--max-batches", "1",
                "-j", "0", "--data-dir", Path.Combine(_dir, "data"), "--out-dir", outDir, "--lr-scheduler", "none"])
            { RedirectStandardOutput = true, RedirectStandardError = true };
            using var p = Process.Start(psi)!;
            p.BeginOutputReadLine();
            p.BeginErrorReadLine();
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (!File.Exists(ckpt) && DateTime.UtcNow < deadline && !p.HasExited) Thread.Sleep(20);
            File.Exists(ckpt).Should().BeTrue($"the run writes {ckpt}");
            Thread.Sleep(rng.Next(50, 400)); // checkpoints are written every few milliseconds now
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
            var model = Models.Get("lif-fc").Build(new Generator(0));
            var loaded = Checkpoint.Load(ckpt, model, null);
            loaded.Epoch.Should().BeGreaterThanOrEqualTo(0);
        }
    }
}
