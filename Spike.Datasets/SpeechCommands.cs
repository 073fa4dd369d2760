using Spike.Datasets.Formats;

namespace Spike.Datasets;

/// <summary>
/// Google Speech Commands v0.01 / v0.02, extracted in <c>root</c> (the folder holding the word folders,
/// <c>validation_list.txt</c> and <c>testing_list.txt</c>), as SpikingJelly's SPEECHCOMMANDS:
/// split "val"/"test" read their list; "train" reads <c>training_list.txt</c> when present, else takes every
/// <c>word/*_nohash_*.wav</c> outside <c>_background_noise_</c> that neither list names (sorted, where SpikingJelly's
/// order comes from a Python set). <c>silenceCount</c> extra samples are <c>silenceSize</c>-sample
/// windows of a background-noise file labelled <c>_silence_</c>. Each waveform <c>[1, L]</c> is divided by its max |x|.
/// </summary>
public sealed class SpeechCommands : IDataset
{
    public const string SilenceLabel = "_silence_";
    public const string NoiseFolder = "_background_noise_";
    public const string BaseUrl = "https://storage.googleapis.com/download.tensorflow.org/data/";
    public static readonly (string Version, string Archive, string Md5)[] Versions =
    [
        ("v0.01", "speech_commands_v0.01.tar.gz", "3cd23799cb2bbdec517f1cc028f8d43c"),
        ("v0.02", "speech_commands_v0.02.tar.gz", "6b74f3901214cb2c2934e98196829835"),
    ];

    /// <summary>
    /// The folder of an extracted version, <c>root/SpeechCommands/speech_commands_&lt;version&gt;</c> (SpikingJelly's
    /// layout), extracting <c>root/speech_commands_&lt;version&gt;.tar.gz</c> first if needed. The archive is MD5-checked
    /// and, with <see cref="DatasetOptions.Download"/>, fetched from <see cref="BaseUrl"/> when missing or corrupt
    /// (SPEECHCOMMANDS(download=True)). Pass the result to the constructor.
    /// </summary>
    public static string Prepare(string root, string version = "v0.02", DatasetOptions? options = null)
    {
        options ??= new DatasetOptions();
        var (_, archive, md5) = Versions.FirstOrDefault(v => v.Version == version);
        if (archive is null) throw new ArgumentException($"SpeechCommands: unknown version '{version}' (known: {string.Join(", ", Versions.Select(v => v.Version))})");
        var dir = Path.Combine(root, "SpeechCommands", Path.GetFileNameWithoutExtension(Path.GetFileNameWithoutExtension(archive)));
        var marker = Path.Combine(dir, ".complete");
        if (File.Exists(marker)) return dir;
        Archives.Ensure("Speech Commands " + version, root, [new ResourceFile(archive, BaseUrl + archive, md5)], downloadable: true, options);
        options.Progress?.Report(new("extract", 0, 1));
        Archives.Extract(Path.Combine(root, archive), dir);
        File.WriteAllText(marker, "");
        options.Progress?.Report(new("extract", 1, 1));
        return dir;
    }

    private readonly string _root;
    private readonly IReadOnlyDictionary<string, int> _labels;
    private readonly List<string> _files;
    private readonly string[] _noise;
    private readonly int _silenceCount, _silenceSize, _seed;

    /// <summary>Per-sample weights for weighted sampling (train split): <c>w = (1/count_label) / Σ</c>, silence included.</summary>
    public double[] Weights { get; } = [];

    public SpeechCommands(string root, IReadOnlyDictionary<string, int> labels, string split = "train", int silenceCount = 0, int silenceSize = 16000, int seed = 0)
    {
        if (split is not ("train" or "val" or "test")) throw new ArgumentException($"SpeechCommands: split '{split}' is not train, val or test");
        if (silenceCount < 0) throw new ArgumentOutOfRangeException(nameof(silenceCount), $"SpeechCommands: invalid silence count {silenceCount}");
        if (silenceSize <= 0) throw new ArgumentOutOfRangeException(nameof(silenceSize), $"SpeechCommands: invalid silence size {silenceSize}");
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"SpeechCommands: {root} not found; extract {Versions[1].Archive} there or call SpeechCommands.Prepare");
        _root = root; _labels = labels; _silenceCount = silenceCount; _silenceSize = silenceSize; _seed = seed;
        var noiseDir = Path.Combine(root, NoiseFolder);
        _noise = Directory.Exists(noiseDir) ? Directory.GetFiles(noiseDir, "*.wav").Order(StringComparer.Ordinal).ToArray() : [];
        if (silenceCount > 0 && _noise.Length == 0) throw new FileNotFoundException($"SpeechCommands: silence samples need {noiseDir}/*.wav");
        string List(string name)
        {
            var p = Path.Combine(root, name);
            return File.Exists(p) ? p : throw new FileNotFoundException($"SpeechCommands: missing {p}", p);
        }
        static List<string> Lines(string p) => File.ReadAllLines(p).Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).ToList();
        if (split == "val") _files = Lines(List("validation_list.txt"));
        else if (split == "test") _files = Lines(List("testing_list.txt"));
        else
        {
            var train = Path.Combine(root, "training_list.txt");
            if (File.Exists(train)) _files = Lines(train);
            else
            {
                var exclude = new HashSet<string>(Lines(List("validation_list.txt")).Concat(Lines(List("testing_list.txt"))));
                _files = Directory.GetDirectories(root).Where(d => Path.GetFileName(d) != NoiseFolder)
                    .SelectMany(d => Directory.GetFiles(d, "*.wav")).Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
                    .Where(f => f.Contains("_nohash_") && !exclude.Contains(f)).Order(StringComparer.Ordinal).ToList();
            }
            Weights = ClassWeights(_files.Select(LabelOfFile).ToArray(), silenceCount);
        }
    }

    /// <summary>SpikingJelly's weights: label l gets (1/n_l)/Z, a silence sample (1/silenceCount)/Z, Z the sum over labels (+ silence).</summary>
    public static double[] ClassWeights(int[] labels, int silenceCount)
    {
        var counts = labels.GroupBy(l => l).ToDictionary(g => g.Key, g => g.Count());
        double total = counts.Values.Sum(c => 1.0 / c) + (silenceCount > 0 ? 1.0 / silenceCount : 0);
        return labels.Select(l => 1.0 / counts[l] / total).Concat(Enumerable.Repeat(silenceCount > 0 ? 1.0 / silenceCount / total : 0, silenceCount)).ToArray();
    }

    private int LabelOfFile(string rel)
    {
        var word = rel.Split('/')[0];
        return _labels.TryGetValue(word, out int l) ? l : throw new KeyNotFoundException($"SpeechCommands: word '{word}' of {rel} has no label in the label dictionary");
    }

    public int Count => _files.Count + _silenceCount;
    public long LabelOf(int index) => index < _files.Count ? LabelOfFile(_files[index])
        : _labels.TryGetValue(SilenceLabel, out int s) ? s : throw new KeyNotFoundException($"SpeechCommands: no label for {SilenceLabel}");

    public Sample Get(int index)
    {
        Tensor wave;
        if (index < _files.Count) wave = Wav.Read(Path.Combine(_root, _files[index])).Waveform;
        else
        {
            // Silence: a window of a background-noise file; the choice is seeded by (seed, index) so epochs repeat.
            var rng = new Random(unchecked(_seed * 7919 + index));
            var (noise, _) = Wav.Read(_noise[rng.Next(_noise.Length)]);
            int len = noise.Shape[1];
            if (len <= _silenceSize) throw new InvalidOperationException($"SpeechCommands: noise file shorter than {_silenceSize} samples");
            int offset = rng.Next(len - _silenceSize);
            wave = Raw.Contiguous(Raw.Narrow(noise, 1, offset, _silenceSize));
        }
        var v = wave.AsSpan<float>();
        float m = 0;
        foreach (var s in v) m = Math.Max(m, Math.Abs(s));
        if (m > 0) for (int i = 0; i < v.Length; i++) v[i] /= m;
        return new Sample(wave, LabelOf(index));
    }
}
