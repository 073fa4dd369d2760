using System.Globalization;
using System.Text.Json;
using Spike.Nn;

namespace Spike.Cli.Training;

/// <summary>
/// Everything a run needs to continue exactly where it stopped, in one safetensors file written atomically:
/// model weights ("model.*"), optimizer state ("optim.*"), and as metadata the finished epoch, best accuracy,
/// optimizer step count, learning rate, generator offset and the run's options (so `spike eval` can rebuild the model).
/// </summary>
public sealed record Checkpoint(int Epoch, double MaxTestAcc, long OptimizerSteps, double Lr, ulong GeneratorOffset, TrainOptions Options)
{
    public const string Latest = "checkpoint_latest.safetensors";
    public const string Max = "checkpoint_max.safetensors";
    const string Format = "spike-checkpoint-2";

    IReadOnlyList<KeyValuePair<string, Tensor>> _tensors = [];

    public void Save(string path, Module model, Optimizer optimizer)
    {
        var tensors = model.StateDict().Select(kv => KeyValuePair.Create("model." + kv.Key, kv.Value))
            .Concat(optimizer.StateTensors().Select(kv => KeyValuePair.Create("optim." + kv.Key, kv.Value)));
        var meta = new Dictionary<string, string>
        {
            ["format"] = Format,
            ["epoch"] = Epoch.ToString(CultureInfo.InvariantCulture),
            ["max_test_acc"] = MaxTestAcc.ToString("R", CultureInfo.InvariantCulture),
            ["optimizer_steps"] = OptimizerSteps.ToString(CultureInfo.InvariantCulture),
            ["lr"] = Lr.ToString("R", CultureInfo.InvariantCulture),
            ["generator_offset"] = GeneratorOffset.ToString(CultureInfo.InvariantCulture),
            ["options"] = JsonSerializer.Serialize(Options),
        };
        SafeTensors.Save(path, tensors, meta);
    }

    /// <summary>Reads a checkpoint's metadata and tensors; <see cref="LoadInto"/> then restores a model and optimizer.</summary>
    public static Checkpoint Read(string path)
    {
        var (tensors, meta) = SafeTensors.Load(path);
        string Meta(string key) => meta.TryGetValue(key, out var v) ? v
            : throw new InvalidDataException($"checkpoint {path}: metadata '{key}' is missing");
        if (Meta("format") != Format) throw new InvalidDataException($"checkpoint {path}: format '{meta["format"]}', expected '{Format}'");
        TrainOptions options;
        try
        {
            options = JsonSerializer.Deserialize<TrainOptions>(Meta("options")) ?? throw new JsonException("null");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"checkpoint {path}: metadata 'options' is not a valid options record ({e.Message})");
        }
        return new Checkpoint(
            int.Parse(Meta("epoch"), CultureInfo.InvariantCulture),
            double.Parse(Meta("max_test_acc"), CultureInfo.InvariantCulture),
            long.Parse(Meta("optimizer_steps"), CultureInfo.InvariantCulture),
            double.Parse(Meta("lr"), CultureInfo.InvariantCulture),
            ulong.Parse(Meta("generator_offset"), CultureInfo.InvariantCulture),
            options) { _tensors = tensors };
    }

    /// <summary>Loads the weights into <paramref name="model"/> and, when given, the state, step count and learning
    /// rate into <paramref name="optimizer"/>.</summary>
    public void LoadInto(Module model, Optimizer? optimizer)
    {
        model.LoadStateDict(Prefixed("model."));
        if (optimizer is null) return;
        optimizer.LoadStateTensors(Prefixed("optim."));
        optimizer.StepCount = OptimizerSteps;
        optimizer.Lr = Lr;
    }

    IEnumerable<KeyValuePair<string, Tensor>> Prefixed(string prefix) => _tensors
        .Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal))
        .Select(kv => KeyValuePair.Create(kv.Key[prefix.Length..], kv.Value));
}
