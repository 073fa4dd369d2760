using FluentAssertions;
using NUnit.Framework;
using Spike.Datasets;
using Spike.Datasets.Formats;

namespace Spike.Tests.Datasets;

public class SpeechCommandsTests
{
    private string _dir = "";

    [SetUp] public void SetUp() => Directory.CreateDirectory(_dir = Path.Combine(Path.GetTempPath(), "spike-sc-" + Guid.NewGuid().ToString("N")));
    [TearDown] public void TearDown() => Directory.Delete(_dir, true);

    private static readonly Dictionary<string, int> Labels = new() { ["yes"] = 0, ["no"] = 1, [SpeechCommands.SilenceLabel] = 2 };

    private static byte[] Wave(Func<int, float> sample, int n)
    {
        var w = new float[1, n];
        for (int i = 0; i < n; i++) w[0, i] = sample(i);
        return Wav.EncodePcm16(w, 16000);
    }

    /// <summary>yes ×4 and no ×2 (one yes in the validation list, one no in the test list), a non-_nohash_ file and a ramp of background noise.</summary>
    internal static (string Rel, byte[] Data)[] Tree() =>
    [
        ("yes/a_nohash_0.wav", Wave(_ => 0.25f, 8)), ("yes/b_nohash_0.wav", Wave(_ => 0.5f, 8)), ("yes/c_nohash_0.wav", Wave(_ => 0.5f, 8)),
        ("yes/d_nohash_0.wav", Wave(_ => 0.5f, 8)), ("yes/notes.wav", Wave(_ => 0.5f, 8)),
        ("no/a_nohash_0.wav", Wave(_ => -0.5f, 8)), ("no/e_nohash_1.wav", Wave(_ => 0.5f, 8)),
        // Noise sample i = i / 1024 (exact in 16-bit PCM), so any window of it is recognisable.
        (SpeechCommands.NoiseFolder + "/ramp.wav", Wave(i => i / 1024f, 100)),
        ("validation_list.txt", "yes/d_nohash_0.wav\n"u8.ToArray()),
        ("testing_list.txt", "no/e_nohash_1.wav\n"u8.ToArray()),
    ];

    private void Write(string root, IEnumerable<(string Rel, byte[] Data)> files)
    {
        foreach (var (rel, data) in files)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(root, rel))!);
            File.WriteAllBytes(Path.Combine(root, rel), data);
        }
    }

    [Test]
    public void WavPcm16RoundTripAndErrors()
    {
        var w = new float[1, 4] { { 0.5f, -0.25f, 0f, -1f } };
        var (wave, rate) = Wav.Parse(Wav.EncodePcm16(w, 16000), "a.wav");
        rate.Should().Be(16000);
        wave.Shape.Should().Equal(1, 4);
        wave.ToArray<float>().Should().Equal(0.5f, -0.25f, 0f, -1f);
        var bytes = Wav.EncodePcm16(w, 8000);
        FluentActions.Invoking(() => Wav.Parse(bytes[..^1], "a.wav")).Should().Throw<DatasetFormatException>().WithMessage("a.wav: at byte 40:*truncated*");
        bytes[8] = (byte)'X';
        FluentActions.Invoking(() => Wav.Parse(bytes, "a.wav")).Should().Throw<DatasetFormatException>().WithMessage("a.wav: at byte 8:*not WAVE*");
    }

    [Test]
    public void ListsSilenceWindowsAndClassWeights()
    {
        Write(_dir, Tree());
        var train = new SpeechCommands(_dir, Labels, "train", silenceCount: 2, silenceSize: 10, seed: 5);
        // Generated training list: every word/*_nohash_*.wav outside the lists and the noise folder, sorted.
        train.Count.Should().Be(6);
        Enumerable.Range(0, 6).Select(i => train.LabelOf(i)).Should().Equal(1, 0, 0, 0, 2, 2);
        // Counts: no 1, yes 3, silence 2 → 1/n = 1, 1/3, 1/2; Z = 11/6.
        train.Weights.Should().Equal(new[] { 6 / 11.0, 2 / 11.0, 2 / 11.0, 2 / 11.0, 3 / 11.0, 3 / 11.0 }, (a, b) => Math.Abs(a - b) < 1e-12);
        train.Get(0).X.ToArray<float>().Should().AllBeEquivalentTo(-1f); // no/a: -0.5 normalised by max |x|
        train.Get(1).X.ToArray<float>().Should().AllBeEquivalentTo(1f);
        // A silence sample is 10 consecutive noise samples (o .. o+9)/1024, divided by the largest; the same every call.
        for (int i = 4; i < 6; i++)
        {
            var s = train.Get(i);
            s.Label.Should().Be(2);
            s.X.Shape.Should().Equal(1, 10);
            var v = s.X.ToArray<float>();
            int o = (int)Math.Round(9 * v[0] / (1 - v[0]));
            v.Should().Equal(Enumerable.Range(o, 10).Select(k => k / (float)(o + 9)), (a, b) => Math.Abs(a - b) < 1e-6f);
            train.Get(i).X.ToArray<float>().Should().Equal(v);
        }
        var val = new SpeechCommands(_dir, Labels, "val");
        (val.Count, val.LabelOf(0)).Should().Be((1, 0L));
        var test = new SpeechCommands(_dir, Labels, "test");
        (test.Count, test.LabelOf(0)).Should().Be((1, 1L));
        // A training_list.txt, when present, is the training split.
        File.WriteAllText(Path.Combine(_dir, "training_list.txt"), "yes/a_nohash_0.wav\n");
        new SpeechCommands(_dir, Labels, "train").Count.Should().Be(1);
        FluentActions.Invoking(() => new SpeechCommands(_dir, Labels, "dev")).Should().Throw<ArgumentException>().WithMessage("*dev*");
        File.Delete(Path.Combine(_dir, "testing_list.txt"));
        FluentActions.Invoking(() => new SpeechCommands(_dir, Labels, "test")).Should().Throw<FileNotFoundException>().WithMessage($"*{Path.Combine(_dir, "testing_list.txt")}*");
    }

    [Test]
    public void PrepareDownloadsChecksAndExtractsTheArchive()
    {
        using var server = new LoopbackHttpServer();
        var archive = DownloadTests.TarGz(Tree());
        server.Serve("speech_commands_v0.02.tar.gz", archive);
        FluentActions.Invoking(() => SpeechCommands.Prepare(_dir)).Should().Throw<FileNotFoundException>()
            .WithMessage("*speech_commands_v0.02.tar.gz (download from https://storage.googleapis.com/download.tensorflow.org/data/speech_commands_v0.02.tar.gz, MD5 6b74f3901214cb2c2934e98196829835)*");
        // The test archive is not the real one, so the real checksum rejects it and the file is not kept.
        FluentActions.Invoking(() => SpeechCommands.Prepare(_dir, "v0.02", new DatasetOptions { Download = true, Mirror = server.BaseUrl }))
            .Should().Throw<InvalidDataException>().WithMessage("*has MD5 * expected 6b74f3901214cb2c2934e98196829835*");
        Directory.GetFiles(_dir).Should().BeEmpty();
        var dir = SpeechCommands.Prepare(_dir, "v0.02", new DatasetOptions { Download = true, Mirror = server.BaseUrl, CheckMd5 = false });
        dir.Should().Be(Path.Combine(_dir, "SpeechCommands", "speech_commands_v0.02"));
        new SpeechCommands(dir, Labels, "train", silenceCount: 1, silenceSize: 10).Count.Should().Be(5);
        // Prepared once: no archive needed any more.
        File.Delete(Path.Combine(_dir, "speech_commands_v0.02.tar.gz"));
        SpeechCommands.Prepare(_dir).Should().Be(dir);
        server.HitsOf("speech_commands_v0.02.tar.gz").Should().Be(2);
        FluentActions.Invoking(() => SpeechCommands.Prepare(_dir, "v0.03")).Should().Throw<ArgumentException>().WithMessage("*v0.03*v0.01, v0.02*");
    }
}
