using System.Globalization;

namespace Spike.Cli.Training;

/// <summary>The options of <c>spike train</c>, named after the tutorial scripts' arguments.</summary>
public sealed record TrainOptions
{
    public required string Model { get; init; }
    public int T { get; init; } = 4;
    public int BatchSize { get; init; } = 64;
    /// <summary>Convolution width of the conv models (the scripts' <c>-channels</c>); null for models without one.</summary>
    public int? Channels { get; init; }
    public int Epochs { get; init; } = 1;
    public int Workers { get; init; } = 2;
    public string? DataDir { get; init; }
    /// <summary>Skip the MD5 check of neuromorphic archives (repacked or hand-made archives).</summary>
    public bool SkipMd5 { get; init; }
    public string OutDir { get; init; } = "runs";
    public string? Resume { get; init; }
    /// <summary>"sgd" or "adam".</summary>
    public string Opt { get; init; } = "sgd";
    public double Lr { get; init; } = 0.1;
    public double Momentum { get; init; } = 0.9;
    /// <summary>"step", "cosine" or "none".</summary>
    public string LrScheduler { get; init; } = "none";
    public int StepSize { get; init; } = 32;
    public double Gamma { get; init; } = 0.1;
    public int TMax { get; init; } = 64;
    public string Device { get; init; } = "cpu";
    public ulong Seed { get; init; } = 2020;
    /// <summary>Stop each epoch after this many training batches (quick runs and tests); null = the whole set.</summary>
    public int? MaxBatches { get; init; }

    /// <summary>The optimizer as the scripts spell it in run names: SGD or Adam.</summary>
    public string OptName => Opt switch
    {
        "sgd" => "SGD",
        "adam" => "Adam",
        _ => throw new ArgumentException($"--opt must be sgd or adam, got '{Opt}'"),
    };

    /// <summary>
    /// The run folder's name, built as the tutorial scripts build it (with Python's float formatting):
    /// T_4_b_128_SGD_lr_0.1_CosALR_64, T_16_b_16_c_128_Adam_lr_0.001_CosALR_64, ..._StepLR_32.0_0.1;
    /// c_&lt;channels&gt; appears where the model's script names it, or when the width is not the model's default.
    /// </summary>
    public string RunName
    {
        get
        {
            var spec = Models.All.GetValueOrDefault(Model);
            bool named = Channels is int c && (spec is null || spec.ChannelsInRunName || c != spec.Channels);
            var name = $"T_{T}_b_{BatchSize}" + (named ? $"_c_{Channels}" : "") + $"_{OptName}_lr_{PyFloat(Lr)}";
            return LrScheduler switch
            {
                "cosine" => name + $"_CosALR_{TMax}",
                // The scripts parse step_size as a float, so their folders read StepLR_32.0_0.1.
                "step" => name + $"_StepLR_{PyFloat(StepSize)}_{PyFloat(Gamma)}",
                "none" => name,
                _ => throw new ArgumentException($"--lr-scheduler must be step, cosine or none, got '{LrScheduler}'"),
            };
        }
    }

    /// <summary>Options a resumed run must share with the run that wrote the checkpoint (the rest may change).</summary>
    public string Fingerprint => string.Create(CultureInfo.InvariantCulture,
        $"{Model}|T={T}|b={BatchSize}|c={Channels}|opt={Opt}|lr={Lr}|momentum={Momentum}|sched={LrScheduler}|step_size={StepSize}|gamma={Gamma}|t_max={TMax}|seed={Seed}|max_batches={MaxBatches}");

    /// <summary>Python's repr of a float: shortest round-trip digits, ".0" on integers, "1e-05" style exponents.</summary>
    public static string PyFloat(double v)
    {
        var s = v.ToString("R", CultureInfo.InvariantCulture);
        if (s.Contains('E')) return s.Replace("E", "e");
        return s.Contains('.') || !double.IsFinite(v) ? s : s + ".0";
    }
}
