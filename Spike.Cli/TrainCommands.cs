using System.CommandLine;
using Spike.Cli.Training;
using Spike.Datasets;
using Spike.Nn;

namespace Spike.Cli;

/// <summary>`spike train` (the tutorial scripts' options) and `spike eval`.</summary>
public static class TrainCommands
{
    public static Command Train()
    {
        var model = new Argument<string>("model") { Description = $"one of: {string.Join(", ", Models.All.Keys)}", DefaultValueFactory = _ => "lif-fc" };
        var t = new Option<int?>("-T") { Description = "simulating time-steps (event frames per sample for the event-camera models); model default when omitted" };
        var b = new Option<int?>("-b") { Description = "batch size (model default when omitted)" };
        var channels = new Option<int?>("--channels") { Description = "channels of the convolutions (conv models; default 128)" };
        var epochs = new Option<int>("--epochs") { DefaultValueFactory = _ => 1, Description = "number of total epochs to run" };
        var j = new Option<int>("-j") { DefaultValueFactory = _ => 2, Description = "data-loading workers" };
        var dataDir = new Option<string?>("--data-dir") { Description = "Fashion-MNIST: folder with the IDX files (default: Debian's, else the embedded subset); N-MNIST, DVS128 Gesture: the dataset root with the archives in download/" };
        var skipMd5 = new Option<bool>("--skip-md5") { Description = "do not check the MD5 of the neuromorphic archives" };
        var outDir = new Option<string>("--out-dir") { DefaultValueFactory = _ => "runs", Description = "root dir for run folders (<out-dir>/<model>/<run>)" };
        var resume = new Option<string?>("--resume") { Description = "checkpoint file to continue from, or 'latest' (this run folder's checkpoint_latest)" };
        var opt = new Option<string?>("--opt") { Description = "sgd or adam (model default when omitted)" };
        var lr = new Option<double?>("--lr") { Description = "learning rate (model default when omitted)" };
        var momentum = new Option<double>("--momentum") { DefaultValueFactory = _ => 0.9, Description = "momentum for SGD" };
        var sched = new Option<string?>("--lr-scheduler") { Description = "step, cosine or none (model default when omitted)" };
        var stepSize = new Option<int>("--step-size") { DefaultValueFactory = _ => 32, Description = "step_size for StepLR" };
        var gamma = new Option<double>("--gamma") { DefaultValueFactory = _ => 0.1, Description = "gamma for StepLR" };
        var tMax = new Option<int?>("--t-max") { Description = "T_max for CosineAnnealingLR, in epochs (default: --epochs, so the rate anneals over the run)" };
        var device = new Option<string>("--device") { DefaultValueFactory = _ => "cpu", Description = "cpu, cuda or cuda:N" };
        var seed = new Option<ulong>("--seed") { DefaultValueFactory = _ => 2020UL, Description = "seed of weights, spikes, dropout and shuffling" };
        var maxBatches = new Option<int?>("--max-batches") { Description = "stop each training epoch after this many batches" };
        var cmd = new Command("train", "train one of the tutorial networks")
            { model, t, b, channels, epochs, j, dataDir, skipMd5, outDir, resume, opt, lr, momentum, sched, stepSize, gamma, tMax, device, seed, maxBatches };
        cmd.SetAction(r =>
        {
            var spec = Models.Get(r.GetValue(model)!);
            CudaCommands.Resolve(r.GetValue(device)!); // fails here, with the reason, when CUDA is asked for and absent
            if (r.GetValue(channels) is not null && spec.Channels is null)
                throw new ArgumentException($"--channels: {spec.Name} has no convolutions");
            var o = new TrainOptions
            {
                Model = spec.Name, T = r.GetValue(t) ?? spec.T, BatchSize = r.GetValue(b) ?? spec.BatchSize,
                Channels = r.GetValue(channels) ?? spec.Channels, Epochs = r.GetValue(epochs), Workers = r.GetValue(j),
                DataDir = r.GetValue(dataDir), SkipMd5 = r.GetValue(skipMd5), OutDir = r.GetValue(outDir)!, Resume = r.GetValue(resume),
                Opt = (r.GetValue(opt) ?? spec.Opt).ToLowerInvariant(), Lr = r.GetValue(lr) ?? spec.Lr, Momentum = r.GetValue(momentum),
                LrScheduler = Scheduler(r.GetValue(sched) ?? spec.Scheduler), StepSize = r.GetValue(stepSize), Gamma = r.GetValue(gamma),
                TMax = r.GetValue(tMax) ?? r.GetValue(epochs), Device = r.GetValue(device)!, Seed = r.GetValue(seed), MaxBatches = r.GetValue(maxBatches),
            };
            if (o.T < 1 || o.BatchSize < 1 || o.Channels < 1 || o.Epochs < 0 || o.Workers < 0 || o.TMax < 1 || o.StepSize < 1 || o.MaxBatches < 1)
                throw new ArgumentException("-T, -b, --channels, --t-max, --step-size and --max-batches must be positive; --epochs and -j not negative");
            _ = o.RunName; // validates --opt and --lr-scheduler before any data is read
            var data = DataSource.For(spec.Data, o.T, o.DataDir, o.SkipMd5, Console.Out);
            Console.WriteLine(data.Description);
            var trainer = new Trainer(o, Console.Out, IPassProgress.For(Console.Out));
            Console.WriteLine($"model {spec.Name}: {spec.Description}; run folder {trainer.RunDir}");
            trainer.Run(data);
            return 0;
        });
        return cmd;
    }

    /// <summary>The scripts' scheduler names (CosALR, StepLR) are accepted as well.</summary>
    static string Scheduler(string name) => name.ToLowerInvariant() switch
    {
        "cosalr" => "cosine",
        "steplr" => "step",
        var s => s,
    };

    public static Command Eval()
    {
        var run = new Argument<string>("run-folder") { Description = "a folder written by `spike train`" };
        var which = new Option<string>("--checkpoint") { DefaultValueFactory = _ => "max", Description = "max, latest, or a checkpoint file" };
        var dataDir = new Option<string?>("--data-dir") { Description = "dataset location (default: the one the run used)" };
        var b = new Option<int>("-b") { DefaultValueFactory = _ => 64, Description = "batch size" };
        var cmd = new Command("eval", "test loss and accuracy of a run's checkpoint") { run, which, dataDir, b };
        cmd.SetAction(r =>
        {
            var file = CheckpointPath(r.GetValue(run)!, r.GetValue(which)!);
            var (ckpt, spec, net) = LoadModel(file);
            var o = ckpt.Options;
            var data = DataSource.For(spec.Data, o.T, r.GetValue(dataDir) ?? o.DataDir, o.SkipMd5, Console.Out);
            var loader = DataLoader.Create(data.Test, r.GetValue(b), timeFirst: data.TimeFirst);
            net.Eval();
            double loss, acc;
            using (Autograd.NoGrad())
                (loss, acc) = IPassProgress.For(Console.Out).Run("test", loader.BatchCount,
                    report => Trainer.Pass(net, spec.Classes, loader, loader.BatchCount, report));
            Console.WriteLine($"test_loss={TrainOptions.PyFloat(loss)}, test_acc={TrainOptions.PyFloat(acc)} on {data.Test.Count} samples, {file} (epoch {ckpt.Epoch})");
            return 0;
        });
        return cmd;
    }

    /// <summary>"max" or "latest" name a run folder's checkpoint; anything else is a file.</summary>
    public static string CheckpointPath(string runFolder, string which) => which switch
    {
        "max" => Path.Combine(runFolder, Checkpoint.Max),
        "latest" => Path.Combine(runFolder, Checkpoint.Latest),
        _ => which,
    };

    /// <summary>Rebuilds a checkpoint's network from the options stored in it and loads its weights.</summary>
    public static (Checkpoint Checkpoint, ModelSpec Spec, Module Net) LoadModel(string file)
    {
        var ckpt = Checkpoint.Read(file);
        var spec = Models.Get(ckpt.Options.Model);
        var net = spec.Build(ckpt.Options.T, ckpt.Options.Channels, new Generator(ckpt.Options.Seed));
        ckpt.LoadInto(net, null);
        return (ckpt, spec, net);
    }
}
