using System.Formats.Tar;
using System.IO.Compression;
using FluentAssertions;
using NUnit.Framework;
using Spike.Datasets;
using Spike.Datasets.Formats;

namespace Spike.Tests.Datasets;

public class DatasetClassTests
{
    private string _dir = "";

    [SetUp] public void SetUp() => Directory.CreateDirectory(_dir = Path.Combine(Path.GetTempPath(), "spike-ds-" + Guid.NewGuid().ToString("N")));
    [TearDown] public void TearDown() => Directory.Delete(_dir, true);

    private static EventStream Events(int n, int w, int h, long t0 = 0) =>
        new(Enumerable.Range(0, n).Select(i => t0 + i * 10L).ToArray(), Enumerable.Range(0, n).Select(i => i % w).ToArray(),
            Enumerable.Range(0, n).Select(i => i % h).ToArray(), Enumerable.Range(0, n).Select(i => (byte)(i % 2)).ToArray());

    [Test]
    public void MissingArchivesAreNamedWithUrlAndMd5()
    {
        var e = FluentActions.Invoking(() => new NMnist(_dir, true, new FrameOptions(4))).Should().Throw<FileNotFoundException>().Which;
        e.Message.Should().Contain(Path.Combine(_dir, "download", "Train.zip")).And.Contain(Path.Combine(_dir, "download", "Test.zip"))
            .And.Contain("20959b8e626244a1b502305a9e6e2031").And.Contain("garrickorchard.com");
        Directory.CreateDirectory(Path.Combine(_dir, "download"));
        File.WriteAllText(Path.Combine(_dir, "download", "Train.zip"), "x");
        File.WriteAllText(Path.Combine(_dir, "download", "Test.zip"), "x");
        // MD5("x") = 9dd4e461268c8034f5c8564e155c67a6.
        FluentActions.Invoking(() => new NMnist(_dir, true, new FrameOptions(4))).Should().Throw<InvalidDataException>()
            .WithMessage("*Train.zip has MD5 9dd4e461268c8034f5c8564e155c67a6, expected 20959b8e626244a1b502305a9e6e2031*");
        Archives.Md5Of(Path.Combine(_dir, "download", "Test.zip")).Should().Be("9dd4e461268c8034f5c8564e155c67a6");
    }

    [Test]
    public void NMnistPipelineFromPlacedZips()
    {
        var download = Path.Combine(_dir, "download");
        Directory.CreateDirectory(download);
        foreach (var (zip, folder, count) in new[] { ("Train.zip", "Train", 3), ("Test.zip", "Test", 2) })
        {
            var staging = Path.Combine(_dir, "staging", folder);
            for (int c = 0; c < 2; c++)
            {
                Directory.CreateDirectory(Path.Combine(staging, c.ToString()));
                for (int k = 0; k < count; k++)
                    File.WriteAllBytes(Path.Combine(staging, c.ToString(), $"{k:D5}.bin"), AtisBin.Encode(Events(20 + c, 34, 34)));
            }
            ZipFile.CreateFromDirectory(staging, Path.Combine(download, zip), CompressionLevel.Fastest, includeBaseDirectory: true);
        }
        var reports = 0;
        var train = new NMnist(_dir, true, new FrameOptions(FramesNumber: 5), checkMd5: false, progress: new Progress(() => Interlocked.Increment(ref reports)));
        train.Count.Should().Be(6);
        reports.Should().Be(10);
        Directory.Exists(Path.Combine(_dir, "frames_number_5_split_by_number", "train", "1")).Should().BeTrue();
        var s = train.Get(5);
        s.Label.Should().Be(1);
        s.X.Shape.Should().Equal(5, 2, 34, 34);
        s.X.ToArray<float>().Sum().Should().Be(21);
        var test = new NMnist(_dir, false, new FrameOptions(FramesNumber: 5), checkMd5: false);
        test.Count.Should().Be(4);
        // A second frames setting reuses the extraction.
        File.Delete(Path.Combine(download, "Train.zip"));
        new NMnist(_dir, false, new FrameOptions(Duration: 50), checkMd5: false).Get(0).X.Shape.Should().Equal(4, 2, 34, 34);
    }

    [Test]
    public void DvsGestureSplitsTrialsByLabelsCsv()
    {
        var staging = Path.Combine(_dir, "staging", "DvsGesture");
        Directory.CreateDirectory(staging);
        var ev = Events(100, 128, 128);
        File.WriteAllBytes(Path.Combine(staging, "user01_led.aedat"), Aedat3.Encode(ev));
        File.WriteAllBytes(Path.Combine(staging, "user02_led.aedat"), Aedat3.Encode(ev));
        // Rows: class 11 over t in [0, 300) = 30 events, class 2 over [300, 500) = 20 events, class 11 again over [500, 510) = 1 event.
        File.WriteAllText(Path.Combine(staging, "user01_led_labels.csv"), "class,startTime_usec,endTime_usec\r\n11,0,300\r\n2,300,500\r\n11,500,510\r\n");
        File.WriteAllText(Path.Combine(staging, "user02_led_labels.csv"), "class,startTime_usec,endTime_usec\r\n1,0,1000\r\n");
        File.WriteAllText(Path.Combine(staging, "trials_to_train.txt"), "user01_led.aedat\n\n");
        File.WriteAllText(Path.Combine(staging, "trials_to_test.txt"), "user02_led.aedat\n");
        Directory.CreateDirectory(Path.Combine(_dir, "download"));
        using (var f = File.Create(Path.Combine(_dir, "download", "DvsGesture.tar.gz")))
        using (var gz = new GZipStream(f, CompressionLevel.Fastest))
            TarFile.CreateFromDirectory(staging, gz, includeBaseDirectory: true);
        var train = new DvsGesture(_dir, true, new FrameOptions(FramesNumber: 2), checkMd5: false);
        train.Count.Should().Be(3);
        Enumerable.Range(0, 3).Select(i => train.LabelOf(i)).Should().Equal(1, 10, 10);
        Enumerable.Range(0, 3).Select(i => train.Get(i).X.ToArray<float>().Sum()).Should().Equal(20f, 30f, 1f);
        File.Exists(Path.Combine(train.FramesDir, "train", "10", "user01_led_1.npz")).Should().BeTrue();
        var test = new DvsGesture(_dir, false, new FrameOptions(FramesNumber: 2), checkMd5: false);
        test.Count.Should().Be(1);
        test.Get(0).X.ToArray<float>().Sum().Should().Be(100);
        FluentActions.Invoking(() => new Cifar10Dvs(Path.Combine(_dir, "c10"), new FrameOptions(2))).Should().Throw<FileNotFoundException>().WithMessage("*airplane.zip*figshare*");
    }

    [Test]
    public void WavPcm16AndSpeechCommands()
    {
        var w = new float[1, 4] { { 0.5f, -0.25f, 0f, -1f } };
        var (wave, rate) = Wav.Parse(Wav.EncodePcm16(w, 16000), "a.wav");
        rate.Should().Be(16000);
        wave.Shape.Should().Equal(1, 4);
        wave.ToArray<float>().Should().Equal(0.5f, -0.25f, 0f, -1f);
        var bytes = Wav.EncodePcm16(w, 8000);
        FluentActions.Invoking(() => Wav.Parse(bytes[..^1], "a.wav")).Should().Throw<DatasetFormatException>().WithMessage("a.wav: at byte 40:*truncated*");
        bytes[8] = (byte)'X';
        FluentActions.Invoking(() => Wav.Parse(bytes, "a.wav")).Should().Throw<DatasetFormatException>().WithMessage("*not WAVE*");

        // A tiny Speech Commands tree: yes ×3, no ×1 (one in each list), background noise of 100 samples.
        foreach (var word in new[] { "yes", "no", SpeechCommands.NoiseFolder }) Directory.CreateDirectory(Path.Combine(_dir, word));
        void Wave(string rel, float amp, int n) => File.WriteAllBytes(Path.Combine(_dir, rel), Wav.EncodePcm16(new float[1, n].Fill(amp), 16000));
        Wave("yes/a_nohash_0.wav", 0.25f, 8); Wave("yes/b_nohash_0.wav", 0.5f, 8); Wave("yes/c_nohash_0.wav", 0.5f, 8); Wave("yes/d_nohash_0.wav", 0.5f, 8);
        Wave("no/a_nohash_0.wav", -0.5f, 8); Wave("no/e_nohash_1.wav", 0.5f, 8);
        Wave(SpeechCommands.NoiseFolder + "/white.wav", 0.125f, 100);
        File.WriteAllText(Path.Combine(_dir, "validation_list.txt"), "yes/d_nohash_0.wav\n");
        File.WriteAllText(Path.Combine(_dir, "testing_list.txt"), "no/e_nohash_1.wav\n");
        var labels = new Dictionary<string, int> { ["yes"] = 0, ["no"] = 1, [SpeechCommands.SilenceLabel] = 2 };
        var train = new SpeechCommands(_dir, labels, "train", silenceCount: 2, silenceSize: 10);
        train.Count.Should().Be(6);
        Enumerable.Range(0, 6).Select(i => train.LabelOf(i)).Should().Equal(1, 0, 0, 0, 2, 2);
        // Counts: no 1, yes 3, silence 2 → 1/n = 1, 1/3, 1/2; Z = 11/6.
        train.Weights.Should().Equal(new[] { 6 / 11.0, 2 / 11.0, 2 / 11.0, 2 / 11.0, 3 / 11.0, 3 / 11.0 }, (a, b) => Math.Abs(a - b) < 1e-12);
        var s = train.Get(0);
        s.X.ToArray<float>().Should().AllBeEquivalentTo(-1f); // normalised by max |x|
        train.Get(4).X.Shape.Should().Equal(1, 10);
        new SpeechCommands(_dir, labels, "val").Count.Should().Be(1);
        FluentActions.Invoking(() => new SpeechCommands(_dir, labels, "dev")).Should().Throw<ArgumentException>().WithMessage("*dev*");
    }

    private sealed class Progress(Action a) : IProgress<(int, int)> { public void Report((int, int) v) => a(); }
}

internal static class ArrayFill
{
    public static float[,] Fill(this float[,] a, float v)
    {
        for (int i = 0; i < a.GetLength(0); i++) for (int j = 0; j < a.GetLength(1); j++) a[i, j] = v;
        return a;
    }
}
