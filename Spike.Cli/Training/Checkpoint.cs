using System.Globalization;
using Spike.Nn;

namespace Spike.Cli.Training;

/// <summary>
/// Everything a run needs to continue exactly where it stopped, in one safetensors file written atomically:
/// model weights ("model.*"), optimizer state ("optim.*"), and as metadata the finished epoch, best accuracy,
/// optimizer step count, learning rate, generator offset and the options' fingerprint.
/// </summary>
public sealed record Checkpoint(int Epoch, double MaxTestAcc, long OptimizerSteps, double Lr, ulong GeneratorOffset, string Fingerprint)
{
    public const string Latest = "checkpoint_latest.safetensors";
    public const string Max = "checkpoint_max.safetensors";

    public void Save(string path, Module model, Optimizer optimizer)
    {
        var tensors = model.StateDict().Select(kv => KeyValuePair.Create("model." + kv.Key, kv.Value))
            .Concat(optimizer.StateTensors().Select(kv => KeyValuePair.Create("optim." + kv.Key, kv.Value)));
        var meta = new Dictionary<string, string>
        {
            ["format"] = "spike-checkpoint-1",
            ["epoch"] = Epoch.ToString(CultureInfo.InvariantCulture),
            ["max_test_acc"] = MaxTestAcc.ToString("R", CultureInfo.InvariantCulture),
            ["optimizer_steps"] = OptimizerSteps.ToString(CultureInfo.InvariantCulture),
            ["lr"] = Lr.ToString("R", CultureInfo.InvariantCulture),
            ["generator_offset"] = GeneratorOffset.ToString(CultureInfo.InvariantCulture),
            ["fingerprint"] = Fingerprint,
        };
        SafeTensors.Save(path, tensors, meta);
    }

    /// <summary>Reads a checkpoint and loads its weights and optimizer state into <paramref name="model"/> and
    /// <paramref name="optimizer"/> (when given).</summary>
    public static Checkpoint Load(string path, Module model, Optimizer? optimizer)
    {
        var (tensors, meta) = SafeTensors.Load(path);
        string Meta(string key) => meta.TryGetValue(key, out var v) ? v
            : throw new InvalidDataException($"checkpoint {path}: metadata '{key}' is missing");
        if (Meta("format") != "spike-checkpoint-1") throw new InvalidDataException($"checkpoint {path}: unknown format '{meta["format"]}'");
        model.LoadStateDict(tensors.Where(kv => kv.Key.StartsWith("model.", StringComparison.Ordinal))
            .Select(kv => KeyValuePair.Create(kv.Key["model.".Length..], kv.Value)));
        var ckpt = new Checkpoint(
            int.Parse(Meta("epoch"), CultureInfo.InvariantCulture),
            double.Parse(Meta("max_test_acc"), CultureInfo.InvariantCulture),
            long.Parse(Meta("optimizer_steps"), CultureInfo.InvariantCulture),
            double.Parse(Meta("lr"), CultureInfo.InvariantCulture),
            ulong.Parse(Meta("generator_offset"), CultureInfo.InvariantCulture),
            Meta("fingerprint"));
        if (optimizer is not null)
        {
            optimizer.LoadStateTensors(tensors.Where(kv => kv.Key.StartsWith("optim.", StringComparison.Ordinal))
                .Select(kv => KeyValuePair.Create(kv.Key["optim.".Length..], kv.Value)));
            optimizer.StepCount = ckpt.OptimizerSteps;
            optimizer.Lr = ckpt.Lr;
        }
        return ckpt;
    }
}
