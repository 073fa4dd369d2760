using FluentAssertions;
using NUnit.Framework;
using Spike.Cli.Training;

namespace Spike.Tests.Cli;

/// <summary>`spike train` and `spike eval` as a user runs them, on tiny datasets in the real archive formats.</summary>
public class CliModelTests
{
    string _dir = "";

    [SetUp] public void SetUp() => Directory.CreateDirectory(_dir = Path.Combine(Path.GetTempPath(), "spike-cli-" + Guid.NewGuid().ToString("N")));
    [TearDown] public void TearDown() => Directory.Delete(_dir, recursive: true);

    /// <summary>Runs the `spike` command in-process and returns its exit code and what it printed.</summary>
    public static (int Code, string Out, string Err) RunSpike(params string[] args)
    {
        var (oldOut, oldErr) = (Console.Out, Console.Error);
        var (o, e) = (new StringWriter(), new StringWriter());
        Console.SetOut(o);
        Console.SetError(e);
        try { return (global::Spike.Cli.Commands.Run(args), o.ToString(), e.ToString()); }
        finally { Console.SetOut(oldOut); Console.SetError(oldErr); }
    }

    [TestCase("dvs-gesture", 11)]
    [TestCase("nmnist", 10)]
    public void EventCameraModelTrainsAndEvaluatesFromTheArchives(string model, int classes)
    {
        var root = Path.Combine(_dir, model);
        if (model == "nmnist") TinyDatasets.NMnist(root); else TinyDatasets.DvsGesture(root);
        var outDir = Path.Combine(_dir, "runs");

        var (code, output, err) = RunSpike("train", model, "--data-dir", root, "--skip-md5", "--channels", "4", "-T", "4", "-b", "4",
            "--epochs", "2", "-j", "0", "--out-dir", outDir);
        (code, err).Should().Be((0, ""));
        var runDir = Path.Combine(outDir, model, "T_4_b_4_c_4_Adam_lr_0.001_CosALR_2"); // T_max defaults to --epochs
        output.Should().Contain($"run folder {runDir}").And.Contain("frames ");
        // The frames cache the dataset class built: samples [T, 2, H, W] in class folders.
        Directory.GetFiles(Path.Combine(root, "frames_number_4_split_by_number", "train"), "*.npz", SearchOption.AllDirectories).Should().HaveCount(model == "nmnist" ? 16 : 8);

        var lines = output.Split('\n').Where(l => l.StartsWith("epoch=", StringComparison.Ordinal)).ToArray();
        lines.Should().HaveCount(2);
        lines[1].Should().MatchRegex(@"^epoch=1, train_loss=[0-9.e-]+, train_acc=[0-9.e-]+, test_loss=[0-9.e-]+, test_acc=[0-9.e-]+, max_test_acc=[0-9.e-]+, total_time=[0-9.e-]+\s*$");
        var csv = File.ReadAllLines(Path.Combine(runDir, "metrics.csv"));
        csv.Should().HaveCount(3);
        var last = EpochMetrics.Parse(csv[2]);
        lines[1].Trim().Should().Be(last.ToString());
        last.TrainLoss.Should().BeInRange(0, 1.0 / classes + 1e-6, "MSE of rates in [0, 1] to a one-hot over the classes");

        var ckpt = Checkpoint.Read(Path.Combine(runDir, Checkpoint.Max));
        ckpt.Options.Should().Be(ckpt.Options with { Model = model, T = 4, BatchSize = 4, Channels = 4, DataDir = root });
        // Frames need no random encoding and evaluation has no dropout, so eval reproduces the best epoch exactly.
        var (evalCode, evalOut, _) = RunSpike("eval", runDir);
        evalCode.Should().Be(0);
        evalOut.Should().Contain($"test_acc={TrainOptions.PyFloat(ckpt.MaxTestAcc)}");
    }

    [Test]
    public void BadOptionsGetOneClearLine()
    {
        TinyDatasets.FashionMnist(Path.Combine(_dir, "fm"));
        string[] common = ["--data-dir", Path.Combine(_dir, "fm"), "--out-dir", Path.Combine(_dir, "runs"), "-j", "0"];
        RunSpike(["train", "lif-fc", "--device", "tpu", .. common]).Err.Should().Contain("--device tpu: expected cpu, cuda or cuda:N");
        RunSpike(["train", "lif-fc", "--opt", "rmsprop", .. common]).Err.Should().Contain("--opt must be sgd or adam");
        RunSpike(["train", "lif-fc", "--lr-scheduler", "exp", .. common]).Err.Should().Contain("--lr-scheduler must be step, cosine or none");
        RunSpike(["train", "lif-fc", "--channels", "8", .. common]).Err.Should().Contain("lif-fc has no convolutions");
        RunSpike(["train", "lif-fc", "-b", "1000", .. common]).Err.Should().Contain("-b 1000 is larger than the 64 training samples");
        RunSpike(["train", "resnet", .. common]).Err.Should().Contain("unknown model 'resnet'");
        RunSpike("train", "nmnist", "--out-dir", Path.Combine(_dir, "runs")).Err.Should().Contain("nmnist needs --data-dir");
        var missing = RunSpike("train", "dvs-gesture", "--data-dir", Path.Combine(_dir, "nothing"));
        missing.Code.Should().Be(1);
        missing.Err.Should().Contain("DvsGesture.tar.gz").And.Contain("8a5c71fb11e24e5ca5b11866ca6c00a1");
        RunSpike("eval", Path.Combine(_dir, "runs", "nope")).Err.Should().Contain("checkpoint_max.safetensors");
    }

    [Test]
    public void LiveProgressDrawsABarWithSamplesPerSecond()
    {
        var screen = new StringWriter();
        var console = Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings
        {
            Ansi = Spectre.Console.AnsiSupport.Yes, Interactive = Spectre.Console.InteractionSupport.Yes,
            Out = new Spectre.Console.AnsiConsoleOutput(screen),
        });
        int result = new LiveProgress(console).Run("epoch 0 train", 4, report =>
        {
            for (int b = 1; b <= 4; b++) { Thread.Sleep(30); report(b, 16L * b); }
            return 7;
        });
        result.Should().Be(7);
        var text = screen.ToString();
        text.Should().Contain("epoch 0 train").And.Contain("100%").And.Contain("samples/s").And.Contain("\u001b[", "it draws with ANSI sequences");
        // Redirected output gets plain lines instead: one per tenth of the pass.
        var log = new StringWriter();
        new PlainProgress(log).Run("epoch 0 test", 20, report => { for (int b = 1; b <= 20; b++) report(b, 8L * b); return 0; });
        log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().HaveCount(10)
            .And.Contain(l => l.StartsWith("epoch 0 test 20/20 batches, 160 samples, ") && l.EndsWith(" samples/s"));
    }

    [Test]
    public void EmbeddedSubsetServesAFreshMachine()
    {
        var data = DataSource.EmbeddedFashionMnist();
        (data.Train.Count, data.Test.Count).Should().Be((4000, 1000));
        Enumerable.Range(0, data.Test.Count).Select(i => data.Test.LabelOf(i)).Distinct().Should().HaveCount(10);
        data.Train.Get(0).X.Shape.Should().Equal(1, 28, 28);
    }
}
