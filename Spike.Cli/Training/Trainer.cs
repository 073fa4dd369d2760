using System.Diagnostics;
using Spike.Datasets;
using Spike.Nn;

namespace Spike.Cli.Training;

/// <summary>
/// The training loop of the tutorial scripts: per epoch, train on shuffled batches (firing rate over T, MSE to
/// the one-hot label), evaluate, print the seed's epoch line, append metrics.csv, and write checkpoint_latest
/// (and checkpoint_max on a new best). All randomness comes from one generator seeded by --seed (initial
/// weights, encoders, dropout) plus the loader's per-epoch shuffle, so a resumed run repeats the uninterrupted one.
/// </summary>
public sealed class Trainer(TrainOptions options, TextWriter log)
{
    public string RunDir { get; } = Path.Combine(options.OutDir, options.Model, options.RunName);

    public IReadOnlyList<EpochMetrics> Run(IDataset train, IDataset test)
    {
        var spec = Models.Get(options.Model);
        var g = new Generator(options.Seed);
        var model = spec.Build(g);
        model.To(CudaCommands.Resolve(options.Device)); // before the optimizer takes the parameters
        Optimizer opt = options.Opt switch
        {
            "sgd" => new Sgd(model.Parameters(), options.Lr, options.Momentum),
            "adam" => new Adam(model.Parameters(), options.Lr),
            _ => throw new ArgumentException($"--opt must be sgd or adam, got '{options.Opt}'"),
        };
        LrScheduler? sched = options.LrScheduler switch
        {
            null or "" or "none" => null,
            "cosine" => new CosineAnnealingLR(opt, options.TMax),
            "step" => new StepLR(opt, options.StepSize, options.Gamma),
            _ => throw new ArgumentException($"--lr-scheduler must be step or cosine, got '{options.LrScheduler}'"),
        };

        Directory.CreateDirectory(RunDir);
        int startEpoch = 0;
        double maxAcc = 0;
        if (options.Resume is { } resume)
        {
            var path = resume == "latest" ? Path.Combine(RunDir, Checkpoint.Latest) : resume;
            var ckpt = Checkpoint.Load(path, model, opt);
            if (ckpt.Fingerprint != options.Fingerprint)
                throw new ArgumentException($"--resume: {path} was written with options '{ckpt.Fingerprint}', not '{options.Fingerprint}'");
            startEpoch = ckpt.Epoch + 1;
            maxAcc = ckpt.MaxTestAcc;
            g.Offset = ckpt.GeneratorOffset;
            sched?.SetEpoch(startEpoch);
            log.WriteLine($"resumed from {path} after epoch {ckpt.Epoch}");
        }

        var trainLoader = DataLoader.Create(train, options.BatchSize, shuffle: true, seed: (int)options.Seed, dropLast: false, workers: options.Workers);
        var testLoader = DataLoader.Create(test, options.BatchSize, workers: options.Workers);
        var history = new List<EpochMetrics>();
        var clock = Stopwatch.StartNew();
        for (int epoch = startEpoch; epoch < options.Epochs; epoch++)
        {
            trainLoader.Epoch = epoch;
            model.Train();
            var (trainLoss, trainAcc) = RunEpoch(model, spec, trainLoader, g, opt, $"epoch {epoch} train");
            sched?.Step();
            model.Eval();
            double testLoss, testAcc;
            using (Autograd.NoGrad()) (testLoss, testAcc) = RunEpoch(model, spec, testLoader, g, null, $"epoch {epoch} test");
            bool best = testAcc > maxAcc;
            maxAcc = Math.Max(maxAcc, testAcc);
            var m = new EpochMetrics(epoch, trainLoss, trainAcc, testLoss, testAcc, maxAcc, clock.Elapsed.TotalSeconds);
            log.WriteLine(m);
            EpochMetrics.Append(Path.Combine(RunDir, "metrics.csv"), m);
            var ckpt = new Checkpoint(epoch, maxAcc, opt.StepCount, opt.Lr, g.Offset, options.Fingerprint);
            ckpt.Save(Path.Combine(RunDir, Checkpoint.Latest), model, opt);
            if (best) ckpt.Save(Path.Combine(RunDir, Checkpoint.Max), model, opt);
            history.Add(m);
        }
        return history;
    }

    (double Loss, double Acc) RunEpoch(Module model, ModelSpec spec, DataLoader<Batch> loader, Generator g, Optimizer? opt, string label)
    {
        double lossSum = 0;
        long correct = 0, seen = 0;
        int batches = opt is null ? loader.BatchCount : Math.Min(loader.BatchCount, options.MaxBatches ?? int.MaxValue);
        var clock = Stopwatch.StartNew();
        using var progress = new ProgressLine(log, label, batches);
        int b = 0;
        var device = CudaCommands.Resolve(options.Device);
        foreach (var (cpuX, cpuY) in loader)
        {
            if (b++ >= batches) break;
            // On CUDA every intermediate of the step is freed at its end; what the model and optimizer keep survives.
            using var scope = device.Kind == DeviceKind.Cuda ? new Spike.Cuda.CudaScope() : null;
            var (x, y) = (cpuX.To(device), cpuY.To(device));
            int n = x.Size(0);
            var target = y.OneHot(spec.Classes).To(DType.Float32);
            var rate = model.Forward(spec.Encode(x, options.T, g)).Mean(0);
            var loss = rate.MseLoss(target);
            if (opt is not null)
            {
                opt.ZeroGrad();
                loss.Backward();
                opt.Step();
            }
            Functional.ResetNet(model);
            lossSum += loss.Item() * n;
            correct += rate.ArgMax(1).Eq(y).Sum().Item<long>();
            seen += n;
            scope?.Keep(model.StateDict().Select(kv => kv.Value).Concat(opt?.StateTensors().Select(kv => kv.Value) ?? []));
            progress.Report(b, seen / clock.Elapsed.TotalSeconds);
        }
        return (lossSum / Math.Max(seen, 1), correct / (double)Math.Max(seen, 1));
    }
}

/// <summary>A progress bar with samples/s: redrawn in place on a terminal, a line per 10 % otherwise.</summary>
sealed class ProgressLine(TextWriter log, string label, int total) : IDisposable
{
    readonly bool _interactive = !Console.IsOutputRedirected && ReferenceEquals(log, Console.Out);
    int _lastDecile = -1;

    public void Report(int done, double samplesPerSecond)
    {
        string text = $"{label} [{new string('#', 30 * done / Math.Max(total, 1)).PadRight(30)}] {done}/{total} {samplesPerSecond:F0} samples/s";
        if (_interactive) { log.Write("\r" + text); return; }
        int decile = 10 * done / Math.Max(total, 1);
        if (decile != _lastDecile) { _lastDecile = decile; log.WriteLine(text); }
    }

    public void Dispose()
    {
        if (_interactive) log.WriteLine();
    }
}
