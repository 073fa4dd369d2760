using System.CommandLine;
using Spike.Cli.Plots;
using Spike.Cli.Training;
using Spike.Nn;

namespace Spike.Cli;

/// <summary>The `spike` command line: train, eval, plot (and the commands other parts of Spike add).</summary>
public static class Commands
{
    public static int Run(string[] args)
    {
        var root = new RootCommand("Spike: spiking neural networks for .NET");
        root.Subcommands.Add(Train());
        root.Subcommands.Add(Eval());
        root.Subcommands.Add(Plot());
        root.Subcommands.Add(DatasetCommands.Build());
        root.Subcommands.Add(BenchCommand.Build());
        root.Subcommands.Add(CudaCommands.KernelsCommand());
        root.Subcommands.Add(CudaCommands.DeviceCommand());
        var parsed = root.Parse(args);
        try
        {
            return parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or InvalidOperationException or UnauthorizedAccessException)
        {
            // Bad input gets one clear line, not a stack trace.
            Console.Error.WriteLine($"spike: error: {e.Message}");
            return 1;
        }
    }

    static Command Train()
    {
        var model = new Argument<string>("model") { Description = $"one of: {string.Join(", ", Models.All.Keys)}", DefaultValueFactory = _ => "lif-fc" };
        var t = new Option<int?>("-T") { Description = "simulation time steps (model default when omitted)" };
        var b = new Option<int?>("-b") { Description = "batch size" };
        var epochs = new Option<int>("--epochs") { DefaultValueFactory = _ => 1, Description = "epochs to train" };
        var j = new Option<int>("-j") { DefaultValueFactory = _ => 2, Description = "data-loading workers" };
        var dataDir = new Option<string?>("--data-dir") { Description = "folder with the IDX files (default: Debian's Fashion-MNIST, else the embedded subset)" };
        var outDir = new Option<string>("--out-dir") { DefaultValueFactory = _ => "runs", Description = "where run folders are created" };
        var resume = new Option<string?>("--resume") { Description = "checkpoint file to continue from, or 'latest'" };
        var opt = new Option<string?>("--opt") { Description = "sgd or adam" };
        var lr = new Option<double?>("--lr") { Description = "learning rate" };
        var momentum = new Option<double>("--momentum") { DefaultValueFactory = _ => 0.9 };
        var sched = new Option<string?>("--lr-scheduler") { Description = "step, cosine or none" };
        var stepSize = new Option<int>("--step-size") { DefaultValueFactory = _ => 32 };
        var gamma = new Option<double>("--gamma") { DefaultValueFactory = _ => 0.1 };
        var tMax = new Option<int>("--t-max") { DefaultValueFactory = _ => 64 };
        var device = new Option<string>("--device") { DefaultValueFactory = _ => "cpu", Description = "cpu, cuda or cuda:N" };
        var seed = new Option<ulong>("--seed") { DefaultValueFactory = _ => 2020UL };
        var maxBatches = new Option<int?>("--max-batches") { Description = "stop each training epoch after this many batches" };
        var cmd = new Command("train", "train one of the tutorial networks") { model, t, b, epochs, j, dataDir, outDir, resume, opt, lr, momentum, sched, stepSize, gamma, tMax, device, seed, maxBatches };
        cmd.SetAction(r =>
        {
            var spec = Models.Get(r.GetValue(model)!);
            CudaCommands.Resolve(r.GetValue(device)!); // fails here, with the reason, when CUDA is asked for and absent
            var o = new TrainOptions
            {
                Model = spec.Name, T = r.GetValue(t) ?? spec.T, BatchSize = r.GetValue(b) ?? spec.BatchSize, Epochs = r.GetValue(epochs),
                Workers = r.GetValue(j), DataDir = r.GetValue(dataDir), OutDir = r.GetValue(outDir)!, Resume = r.GetValue(resume),
                Opt = r.GetValue(opt) ?? spec.Opt, Lr = r.GetValue(lr) ?? spec.Lr, Momentum = r.GetValue(momentum),
                LrScheduler = r.GetValue(sched) ?? spec.Scheduler, StepSize = r.GetValue(stepSize), Gamma = r.GetValue(gamma),
                TMax = r.GetValue(tMax), Device = r.GetValue(device)!, Seed = r.GetValue(seed), MaxBatches = r.GetValue(maxBatches),
            };
            var (train, test, description) = DataSource.FashionMnist(o.DataDir);
            Console.WriteLine(description);
            var trainer = new Trainer(o, Console.Out);
            Console.WriteLine($"model {spec.Name}: {spec.Description}; run folder {trainer.RunDir}");
            trainer.Run(train, test);
            return 0;
        });
        return cmd;
    }

    static Command Eval()
    {
        var run = new Argument<string>("run-folder") { Description = "a folder written by `spike train`" };
        var which = new Option<string>("--checkpoint") { DefaultValueFactory = _ => "max", Description = "max or latest" };
        var dataDir = new Option<string?>("--data-dir");
        var cmd = new Command("eval", "test accuracy of a run's checkpoint") { run, which, dataDir };
        cmd.SetAction(r =>
        {
            var folder = r.GetValue(run)!;
            var file = Path.Combine(folder, r.GetValue(which) == "latest" ? Checkpoint.Latest : Checkpoint.Max);
            var modelName = Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(folder).TrimEnd('/')))!;
            var spec = Models.Get(modelName);
            var net = spec.Build(new Generator(0));
            Checkpoint.Load(file, net, null);
            var (_, test, _) = DataSource.FashionMnist(r.GetValue(dataDir));
            net.Eval();
            int T = TStepsFromRunName(folder) ?? spec.T;
            long correct = 0;
            var g = new Generator(1);
            using (Autograd.NoGrad())
                foreach (var (x, y) in Spike.Datasets.DataLoader.Create(test, 256))
                {
                    correct += net.Forward(spec.Encode(x, T, g)).Mean(0).ArgMax(1).Eq(y).Sum().Item<long>();
                    Functional.ResetNet(net);
                }
            Console.WriteLine($"test_acc={correct / (double)test.Count:G6} ({correct}/{test.Count}) from {file}");
            return 0;
        });
        return cmd;
    }

    static int? TStepsFromRunName(string folder)
    {
        var parts = Path.GetFileName(Path.GetFullPath(folder).TrimEnd('/')).Split('_');
        return parts.Length > 1 && parts[0] == "T" && int.TryParse(parts[1], out int t) ? t : null;
    }

    static Command Plot()
    {
        var cmd = new Command("plot", "SVG plots");
        var run = new Argument<string>("run-folder");
        var curves = new Command("curves", "loss and accuracy curves from a run's metrics.csv") { run };
        curves.SetAction(r =>
        {
            var folder = r.GetValue(run)!;
            var (loss, acc) = Curves.FromMetricsCsv(Path.Combine(folder, "metrics.csv"));
            loss.Save(Path.Combine(folder, "loss.svg"));
            acc.Save(Path.Combine(folder, "accuracy.svg"));
            Console.WriteLine($"wrote {Path.Combine(folder, "loss.svg")} and accuracy.svg");
            return 0;
        });
        cmd.Subcommands.Add(curves);
        return cmd;
    }
}
