namespace Spike.Datasets;

/// <summary>
/// Progress of one stage of preparing a dataset, e.g. <c>download Train.zip</c> (bytes), <c>extract</c> (archives),
/// <c>events</c> or <c>frames</c> (files). <see cref="Total"/> is negative when unknown (a download without a length).
/// </summary>
public readonly record struct DatasetProgress(string Stage, long Done, long Total)
{
    /// <summary>Done / Total in [0, 1], or null when the total is unknown.</summary>
    public double? Fraction => Total > 0 ? Math.Clamp((double)Done / Total, 0, 1) : Total == 0 ? 1 : null;
}

/// <summary>
/// How a dataset class prepares its files (SpikingJelly's NeuromorphicDatasetFolder and SPEECHCOMMANDS behaviour).
/// </summary>
public sealed record DatasetOptions
{
    /// <summary>Check each archive's MD5 before extracting it (archives without a listed MD5 are never checked).</summary>
    public bool CheckMd5 { get; init; } = true;

    /// <summary>
    /// Fetch missing or corrupt archives over HTTP(S) when the dataset can be downloaded (CIFAR10-DVS, Speech
    /// Commands); the others always need the files placed by hand. Off by default, so nothing touches the network
    /// unless asked.
    /// </summary>
    public bool Download { get; init; }

    /// <summary>A base URL under which every archive is found by its file name, used instead of each file's own URL.</summary>
    public string? Mirror { get; init; }

    /// <summary>The HTTP client for downloads (null: a shared client).</summary>
    public HttpClient? Http { get; init; }

    /// <summary>Receives (stage, done, total) while downloading, extracting and building the caches.</summary>
    public IProgress<DatasetProgress>? Progress { get; init; }

    /// <summary>Parallel workers for the event and frame caches (-1: one per core).</summary>
    public int MaxParallelism { get; init; } = -1;

    /// <summary>Where a resource is fetched from: its own URL, or <see cref="Mirror"/>/name.</summary>
    public string UrlOf(ResourceFile file) =>
        Mirror is null ? file.Url : Mirror.TrimEnd('/') + "/" + Uri.EscapeDataString(file.Name);
}
