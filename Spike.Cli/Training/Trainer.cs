using System.Diagnostics;
using Spike.Datasets;
using Spike.Nn;

namespace Spike.Cli.Training;

/// <summary>
/// The training loop of the tutorial scripts: per epoch, train on shuffled batches (dropping the last partial one)
/// while stepping the schedule, evaluate, print the scripts' epoch line, append metrics.csv, and write checkpoint_latest (and
/// checkpoint_max on a new best). All randomness comes from one generator seeded by --seed (initial weights, Poisson
/// spikes, dropout masks) plus the loader's per-epoch shuffle, so a resumed run repeats the uninterrupted one.
/// </summary>
public sealed class Trainer(TrainOptions options, TextWriter log, IPassProgress? progress = null)
{
    readonly IPassProgress _progress = progress ?? new PlainProgress(log);

    public string RunDir { get; } = Path.Combine(options.OutDir, options.Model, options.RunName);

    public IReadOnlyList<EpochMetrics> Run(TrainTestData data)
    {
        var spec = Models.Get(options.Model);
        var g = new Generator(options.Seed);
        var model = spec.Build(options.T, options.Channels, g);
        var device = CudaCommands.Resolve(options.Device);
        model.To(device); // before the optimizer takes the parameters
        Optimizer opt = options.Opt switch
        {
            "sgd" => new Sgd(model.Parameters(), options.Lr, options.Momentum),
            "adam" => new Adam(model.Parameters(), options.Lr),
            _ => throw new UnreachableException(), // RunName (the RunDir above) has rejected other values
        };
        var trainLoader = DataLoader.Create(data.Train, options.BatchSize, shuffle: true, seed: (int)options.Seed, dropLast: true,
            workers: options.Workers, timeFirst: data.TimeFirst);
        var testLoader = DataLoader.Create(data.Test, options.BatchSize, workers: options.Workers, timeFirst: data.TimeFirst);
        if (trainLoader.BatchCount == 0)
            throw new ArgumentException($"-b {options.BatchSize} is larger than the {data.Train.Count} training samples (the last partial batch is dropped)");
        int batches = Math.Min(trainLoader.BatchCount, options.MaxBatches ?? int.MaxValue);
        // Schedules advance after every batch with periods counted in batches: StepLR changes the rate exactly at
        // the scripts' epoch boundaries, and the cosine curve of T_max epochs is followed within each epoch too.
        LrScheduler? sched = options.LrScheduler switch
        {
            "none" => null,
            "cosine" => new CosineAnnealingLR(opt, options.TMax * batches),
            "step" => new StepLR(opt, options.StepSize * batches, options.Gamma),
            _ => throw new UnreachableException(),
        };

        Directory.CreateDirectory(RunDir);
        int startEpoch = 0;
        double maxAcc = 0;
        if (options.Resume is { } resume)
        {
            var path = resume == "latest" ? Path.Combine(RunDir, Checkpoint.Latest) : resume;
            var ckpt = Checkpoint.Read(path);
            if (ckpt.Options.Fingerprint != options.Fingerprint)
            {
                var differ = ckpt.Options.Fingerprint.Split('|').Zip(options.Fingerprint.Split('|')).Where(p => p.First != p.Second)
                    .Select(p => $"{p.First} (now {p.Second})");
                throw new ArgumentException($"--resume: {path} was written with other options: {string.Join(", ", differ)}; " +
                    "pass the run's options again (--t-max defaults to --epochs, so give the run's --t-max when adding epochs)");
            }
            ckpt.LoadInto(model, opt);
            startEpoch = ckpt.Epoch + 1;
            maxAcc = ckpt.MaxTestAcc;
            g.Offset = ckpt.GeneratorOffset;
            sched?.SetEpoch(startEpoch * batches);
            log.WriteLine($"resumed from {path} after epoch {ckpt.Epoch}");
        }

        var history = new List<EpochMetrics>();
        for (int epoch = startEpoch; epoch < options.Epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            trainLoader.Epoch = epoch;
            model.Train();
            var (trainLoss, trainAcc) = _progress.Run($"epoch {epoch} train", batches,
                report => Pass(model, spec.Classes, trainLoader, batches, report, opt, sched));
            model.Eval();
            double testLoss, testAcc;
            using (Autograd.NoGrad())
                (testLoss, testAcc) = _progress.Run($"epoch {epoch} test", testLoader.BatchCount,
                    report => Pass(model, spec.Classes, testLoader, testLoader.BatchCount, report));
            bool best = testAcc > maxAcc;
            maxAcc = Math.Max(maxAcc, testAcc);
            var m = new EpochMetrics(epoch, trainLoss, trainAcc, testLoss, testAcc, maxAcc, clock.Elapsed.TotalSeconds);
            log.WriteLine(m);
            EpochMetrics.Append(Path.Combine(RunDir, "metrics.csv"), m);
            var ckpt = new Checkpoint(epoch, maxAcc, opt.StepCount, opt.Lr, g.Offset, options);
            if (best) ckpt.Save(Path.Combine(RunDir, Checkpoint.Max), model, opt);
            ckpt.Save(Path.Combine(RunDir, Checkpoint.Latest), model, opt);
            history.Add(m);
        }
        return history;
    }

    /// <summary>
    /// One pass over at most <paramref name="batches"/> batches: firing rates, MSE to the one-hot label, and (when
    /// <paramref name="opt"/> is given) a gradient step and a schedule step per batch. Returns the sample-weighted
    /// mean loss and accuracy.
    /// </summary>
    public static (double Loss, double Acc) Pass(Module model, int classes, DataLoader<Batch> loader, int batches, Action<int, long> report,
        Optimizer? opt = null, LrScheduler? sched = null)
    {
        double lossSum = 0;
        long correct = 0, seen = 0;
        int b = 0;
        var device = model.Parameters().FirstOrDefault()?.Device ?? Device.Cpu; // batches go where the model is
        foreach (var (cpuX, cpuY) in loader)
        {
            if (b++ >= batches) break;
            // On CUDA every intermediate of the step is freed at its end; what the model and optimizer keep survives.
            using var scope = device.Kind == DeviceKind.Cuda ? new Spike.Cuda.CudaScope() : null;
            var (x, y) = (cpuX.To(device), cpuY.To(device));
            int n = y.Size(0);
            var rate = model.Forward(x);
            var loss = rate.MseLoss(y.OneHot(classes).To(DType.Float32));
            if (opt is not null)
            {
                opt.ZeroGrad();
                loss.Backward();
                opt.Step();
                sched?.Step();
            }
            Functional.ResetNet(model);
            lossSum += loss.Item() * n;
            correct += rate.ArgMax(1).Eq(y).Sum().Item<long>();
            seen += n;
            scope?.Keep(model.StateDict().Select(kv => kv.Value).Concat(opt?.StateTensors().Select(kv => kv.Value) ?? []));
            report(b, seen);
        }
        return (lossSum / Math.Max(seen, 1), correct / (double)Math.Max(seen, 1));
    }
}
