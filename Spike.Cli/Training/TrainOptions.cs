using System.Globalization;

namespace Spike.Cli.Training;

/// <summary>The options of <c>spike train</c>, named after the tutorial scripts' arguments.</summary>
public sealed record TrainOptions
{
    public required string Model { get; init; }
    public int T { get; init; } = 4;
    public int BatchSize { get; init; } = 64;
    public int Epochs { get; init; } = 1;
    public int Workers { get; init; } = 2;
    public string? DataDir { get; init; }
    public string OutDir { get; init; } = "runs";
    public string? Resume { get; init; }
    public string Opt { get; init; } = "sgd";
    public double Lr { get; init; } = 0.1;
    public double Momentum { get; init; } = 0.9;
    public string? LrScheduler { get; init; }
    public int StepSize { get; init; } = 32;
    public double Gamma { get; init; } = 0.1;
    public int TMax { get; init; } = 64;
    public string Device { get; init; } = "cpu";
    public ulong Seed { get; init; } = 2020;
    /// <summary>Stop each epoch after this many training batches (quick runs and tests); null = the whole set.</summary>
    public int? MaxBatches { get; init; }

    /// <summary>The run folder's name, as the tutorial scripts build it: T_4_b_128_SGD_lr_0.1_CosALR_64.</summary>
    public string RunName
    {
        get
        {
            var name = string.Create(CultureInfo.InvariantCulture, $"T_{T}_b_{BatchSize}_{Opt.ToUpperInvariant()}_lr_{Lr}");
            return LrScheduler switch
            {
                "cosine" => name + $"_CosALR_{TMax}",
                "step" => name + string.Create(CultureInfo.InvariantCulture, $"_StepLR_{StepSize}_{Gamma}"),
                _ => name,
            };
        }
    }

    /// <summary>Options a resumed run must share with the run that wrote the checkpoint (the rest may change).</summary>
    public string Fingerprint => string.Create(CultureInfo.InvariantCulture,
        $"{Model}|T={T}|b={BatchSize}|opt={Opt}|lr={Lr}|momentum={Momentum}|sched={LrScheduler}|{StepSize}|{Gamma}|{TMax}|seed={Seed}|max_batches={MaxBatches}");
}
