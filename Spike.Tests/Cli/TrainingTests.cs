using FluentAssertions;
using NUnit.Framework;
using Spike.Cli.Training;

namespace Spike.Tests.Cli;

/// <summary>The training loop, checkpoints and resume, on tiny datasets written in the real file formats.</summary>
public class TrainingTests
{
    string _dir = "";

    [SetUp] public void SetUp() => Directory.CreateDirectory(_dir = Path.Combine(Path.GetTempPath(), "spike-train-" + Guid.NewGuid().ToString("N")));
    [TearDown] public void TearDown() => Directory.Delete(_dir, recursive: true);

    /// <summary>Options for each model small enough to train in well under a second per epoch.</summary>
    TrainOptions Options(string model, int epochs, string? resume = null) => (model switch
    {
        "lif-fc" => new TrainOptions { Model = model, T = 4, BatchSize = 16, Opt = "adam", Lr = 0.01, LrScheduler = "cosine", TMax = 4 },
        "conv-fashion-mnist" => new() { Model = model, T = 2, BatchSize = 16, Channels = 4, Opt = "sgd", Lr = 0.1, Momentum = 0.9, LrScheduler = "step", StepSize = 1, Gamma = 0.5 },
        "nmnist" => new() { Model = model, T = 3, BatchSize = 4, Channels = 4, Opt = "adam", Lr = 1e-3, LrScheduler = "cosine", TMax = 3 },
        _ => throw new ArgumentException(model),
    }) with { Epochs = epochs, Workers = 0, OutDir = Path.Combine(_dir, "runs"), Seed = 7, Resume = resume, SkipMd5 = true, DataDir = Data(model) };

    string Data(string model)
    {
        var dir = Path.Combine(_dir, "data", model);
        if (Directory.Exists(dir)) return dir;
        if (model == "nmnist") TinyDatasets.NMnist(dir);
        else TinyDatasets.FashionMnist(dir);
        return dir;
    }

    static TrainTestData Load(TrainOptions o) => DataSource.For(Models.Get(o.Model).Data, o.T, o.DataDir, o.SkipMd5);

    // lif-fc draws Poisson spikes, nmnist dropout masks, conv-fashion-mnist carries SGD momentum and batch-norm
    // statistics: a resumed run repeats the uninterrupted one only if every piece of state is restored.
    [TestCase("lif-fc")]
    [TestCase("conv-fashion-mnist")]
    [TestCase("nmnist")]
    public void ResumedRunEqualsUninterruptedRun(string model)
    {
        var data = Load(Options(model, 3));
        var uninterrupted = new Trainer(Options(model, 3), TextWriter.Null).Run(data);
        var runDir = new Trainer(Options(model, 3), TextWriter.Null).RunDir;
        var csv = File.ReadAllLines(Path.Combine(runDir, "metrics.csv"));
        csv[0].Should().Be(EpochMetrics.CsvHeader);
        csv.Should().HaveCount(4);
        var uninterruptedWeights = Weights(Path.Combine(runDir, Checkpoint.Latest));
        Directory.Delete(runDir, recursive: true);

        new Trainer(Options(model, 1), TextWriter.Null).Run(data).Should().HaveCount(1);
        var log = new StringWriter();
        var resumed = new Trainer(Options(model, 3, resume: "latest"), log).Run(data);
        log.ToString().Should().Contain("resumed from").And.Contain("after epoch 0");
        resumed.Select(m => m.Epoch).Should().Equal(1, 2);
        foreach (var (a, b) in uninterrupted.Skip(1).Zip(resumed))
            (b with { TotalTime = 0 }).Should().Be(a with { TotalTime = 0 });
        Weights(Path.Combine(runDir, Checkpoint.Latest)).Should().Equal(uninterruptedWeights);
        File.ReadAllLines(Path.Combine(runDir, "metrics.csv")).Should().HaveCount(4, "the resumed run continues the same history");
        // A checkpoint from other options is refused.
        FluentActions.Invoking(() => new Trainer(Options(model, 3, resume: Path.Combine(runDir, Checkpoint.Latest)) with { Lr = 0.5 }, TextWriter.Null).Run(data))
            .Should().Throw<ArgumentException>().WithMessage($"*was written with other options: lr={Options(model, 3).Lr} (now lr=0.5);*");
    }

    /// <summary>Every tensor of a checkpoint (weights, optimizer state) flattened in file order.</summary>
    static float[] Weights(string checkpoint) =>
        Spike.Nn.SafeTensors.Load(checkpoint).Tensors.SelectMany(kv => Raw.ToDType(kv.Value, DType.Float32).ToArray<float>()).ToArray();

    [Test]
    public void TinyTasksAreLearned()
    {
        // The bands are easy: both a linear LIF layer and the PLIF conv net beat chance (10 % and 25 %) clearly.
        new Trainer(Options("lif-fc", 3), TextWriter.Null).Run(Load(Options("lif-fc", 3)))[^1].TestAcc.Should().BeGreaterThan(0.3);
        var o = Options("nmnist", 4) with { BatchSize = 2, LrScheduler = "none", Lr = 0.01 };
        new Trainer(o, TextWriter.Null).Run(Load(o)).Max(m => m.TestAcc).Should().BeGreaterThanOrEqualTo(0.75);
    }

    [Test]
    public void RunNamesFollowTheTutorialScripts()
    {
        var conv = new TrainOptions { Model = "conv-fashion-mnist", T = 4, BatchSize = 128, Channels = 128, Opt = "sgd", Lr = 0.1, LrScheduler = "cosine", TMax = 64 };
        conv.RunName.Should().Be("T_4_b_128_SGD_lr_0.1_CosALR_64");
        (conv with { Channels = 16 }).RunName.Should().Be("T_4_b_128_c_16_SGD_lr_0.1_CosALR_64", "a width other than the script's is named");
        new TrainOptions { Model = "dvs-gesture", T = 16, BatchSize = 16, Channels = 128, Opt = "adam", Lr = 0.001, LrScheduler = "cosine", TMax = 64 }
            .RunName.Should().Be("T_16_b_16_c_128_Adam_lr_0.001_CosALR_64");
        // argparse reads step_size as a float; Python prints 1e-05 for 0.00001.
        new TrainOptions { Model = "lif-fc", T = 100, BatchSize = 64, Opt = "adam", Lr = 1e-5, LrScheduler = "step", StepSize = 32, Gamma = 0.1 }
            .RunName.Should().Be("T_100_b_64_Adam_lr_1e-05_StepLR_32.0_0.1");
        new TrainOptions { Model = "lif-fc", Opt = "adam", Lr = 1, LrScheduler = "none" }.RunName.Should().Be("T_4_b_64_Adam_lr_1.0");
        FluentActions.Invoking(() => new TrainOptions { Model = "lif-fc", Opt = "rmsprop" }.RunName).Should().Throw<ArgumentException>().WithMessage("*--opt*rmsprop*");
    }
}
