using System.Formats.Tar;
using System.IO.Compression;
using FluentAssertions;
using NUnit.Framework;
using Spike.Datasets;
using Spike.Datasets.Formats;

namespace Spike.Tests.Datasets;

/// <summary>Every neuromorphic dataset class end to end, on small archives written in the real formats.</summary>
public class DatasetClassTests
{
    private string _dir = "";

    [SetUp] public void SetUp() => Directory.CreateDirectory(_dir = Path.Combine(Path.GetTempPath(), "spike-ds-" + Guid.NewGuid().ToString("N")));
    [TearDown] public void TearDown() => Directory.Delete(_dir, true);

    internal static EventStream Events(int n, int w, int h, long t0 = 0, int seed = 0) =>
        new(Enumerable.Range(0, n).Select(i => t0 + i * 10L).ToArray(), Enumerable.Range(0, n).Select(i => (i * 7 + seed) % w).ToArray(),
            Enumerable.Range(0, n).Select(i => (i * 3 + seed) % h).ToArray(), Enumerable.Range(0, n).Select(i => (byte)((i + seed) % 2)).ToArray());

    internal static void SameEvents(EventStream a, EventStream b)
    {
        a.T.Should().Equal(b.T); a.X.Should().Equal(b.X); a.Y.Should().Equal(b.Y); a.P.Should().Equal(b.P);
    }

    /// <summary>Writes files (relative path → bytes) under a fresh staging folder and returns it.</summary>
    private string Stage(string name, IEnumerable<(string Rel, byte[] Data)> files)
    {
        var dir = Path.Combine(_dir, "staging-" + name);
        foreach (var (rel, data) in files)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(dir, rel))!);
            File.WriteAllBytes(Path.Combine(dir, rel), data);
        }
        return dir;
    }

    private string Download(string name) => Path.Combine(Directory.CreateDirectory(Path.Combine(_dir, "download")).FullName, name);

    [Test]
    public void SensorSizesClassCountsAndDownloadability()
    {
        (NMnist.Info.Height, NMnist.Info.Width, NMnist.Info.ClassCount, NMnist.Info.HasTrainTestSplit).Should().Be((34, 34, 10, true));
        (NCaltech101.Info.Height, NCaltech101.Info.Width, NCaltech101.Info.ClassCount, NCaltech101.Info.HasTrainTestSplit).Should().Be((180, 240, 101, false));
        (DvsGesture.Info.Height, DvsGesture.Info.Width, DvsGesture.Info.ClassCount, DvsGesture.Info.HasTrainTestSplit).Should().Be((128, 128, 11, true));
        (Cifar10Dvs.Info.Height, Cifar10Dvs.Info.Width, Cifar10Dvs.Info.ClassCount, Cifar10Dvs.Info.HasTrainTestSplit).Should().Be((128, 128, 10, false));
        (AslDvs.Info.Height, AslDvs.Info.Width, AslDvs.Info.ClassCount, AslDvs.Info.HasTrainTestSplit).Should().Be((180, 240, 24, false));
        // As SpikingJelly's downloadable(): only CIFAR10-DVS is fetched automatically.
        new[] { NMnist.Info, NCaltech101.Info, DvsGesture.Info, Cifar10Dvs.Info, AslDvs.Info }.Select(i => i.Downloadable).Should().Equal(false, false, false, true, false);
        foreach (var (spec, format) in new[] { (NMnist.Info, EventFormat.NMnist), (NCaltech101.Info, EventFormat.NCaltech101), (DvsGesture.Info, EventFormat.DvsGesture),
                                               (Cifar10Dvs.Info, EventFormat.Cifar10Dvs), (AslDvs.Info, EventFormat.AslDvs) })
            EventFormats.SensorSize(format).Should().Be((spec.Height, spec.Width), spec.Name);
        Cifar10Dvs.Info.Resources.Should().HaveCount(10).And.OnlyContain(r => r.Md5 != null && r.Url.StartsWith("https://ndownloader.figshare.com/files/"));
    }

    [Test]
    public void MissingAndCorruptArchivesAreNamedWithUrlAndMd5()
    {
        var e = FluentActions.Invoking(() => new NMnist(_dir, true, new FrameOptions(4))).Should().Throw<FileNotFoundException>().Which;
        e.Message.Should().Contain(Path.Combine(_dir, "download", "Train.zip")).And.Contain(Path.Combine(_dir, "download", "Test.zip"))
            .And.Contain("20959b8e626244a1b502305a9e6e2031").And.Contain("garrickorchard.com").And.Contain("cannot be downloaded automatically");
        e.FileName.Should().Be(Path.Combine(_dir, "download", "Train.zip"));
        // Asking for a download does not help a dataset that cannot be downloaded: the same message, no request.
        FluentActions.Invoking(() => new NMnist(_dir, true, null, new DatasetOptions { Download = true, Mirror = "http://127.0.0.1:9/" }))
            .Should().Throw<FileNotFoundException>().WithMessage("*Train.zip*cannot be downloaded automatically*");
        FluentActions.Invoking(() => new Cifar10Dvs(Path.Combine(_dir, "c10"))).Should().Throw<FileNotFoundException>()
            .WithMessage("*airplane.zip (download from https://ndownloader.figshare.com/files/7712788, MD5 0afd5c4bf9ae06af762a77b180354fdd)*DatasetOptions.Download*");
        File.WriteAllText(Download("Train.zip"), "x");
        File.WriteAllText(Download("Test.zip"), "x");
        // MD5("x") = 9dd4e461268c8034f5c8564e155c67a6.
        FluentActions.Invoking(() => new NMnist(_dir, true, new FrameOptions(4))).Should().Throw<InvalidDataException>()
            .WithMessage("*Train.zip has MD5 9dd4e461268c8034f5c8564e155c67a6, expected 20959b8e626244a1b502305a9e6e2031*");
        Archives.Md5Of(Download("Test.zip")).Should().Be("9dd4e461268c8034f5c8564e155c67a6");
        // The right MD5 passes; an unchecked run goes on to extraction, which names the damaged archive.
        Archives.Ensure("x", Path.Combine(_dir, "download"), [new ResourceFile("Test.zip", "u", "9DD4E461268C8034F5C8564E155C67A6")], false, new DatasetOptions());
        FluentActions.Invoking(() => new NMnist(_dir, true, null, new DatasetOptions { CheckMd5 = false })).Should().Throw<InvalidDataException>()
            .WithMessage($"{Download("Train.zip")}: damaged archive*");
    }

    [Test]
    public void NMnistFromZipsAsEventsAndFrames()
    {
        foreach (var (zip, folder, count) in new[] { ("Train.zip", "Train", 3), ("Test.zip", "Test", 2) })
        {
            var staging = Stage(folder, from c in Enumerable.Range(0, 2) from k in Enumerable.Range(0, count)
                                        select ($"{folder}/{c}/{k:D5}.bin", AtisBin.Encode(Events(20 + c, 34, 34, seed: k))));
            ZipFile.CreateFromDirectory(staging, Download(zip), CompressionLevel.Fastest, includeBaseDirectory: false);
        }
        var reports = new List<DatasetProgress>();
        var options = new DatasetOptions { CheckMd5 = false, Progress = new SyncProgress(reports) };
        var events = new NMnist(_dir, true, null, options);
        events.Count.Should().Be(6);
        events.FramesDir.Should().BeNull();
        reports.Where(r => r.Stage == "events").Select(r => r.Done).Order().Should().Equal(Enumerable.Range(1, 10).Select(i => (long)i));
        reports.Where(r => r.Stage == "extract").Should().HaveCount(2);
        // Sample 5 = class 1, recording 00002: its events as (t, x, y, p) rows.
        var s = events.Get(5);
        s.Label.Should().Be(1);
        s.X.DType.Should().Be(DType.Int64);
        s.X.Shape.Should().Equal(21, 4);
        SameEvents(EventStream.FromTensor(s.X), Events(21, 34, 34, seed: 2));
        SameEvents(events.GetEvents(5), Events(21, 34, 34, seed: 2));
        File.Exists(Path.Combine(_dir, "events_np", "train", "1", "00002.npz")).Should().BeTrue();
        // Recordings differ in length: pad_sequence_collate batches them.
        var batch = new DataLoader<(Tensor X, Tensor Y, Tensor Lengths)>(events, Sequences.PadSequenceCollate, new DataLoaderOptions(BatchSize: 4)).First();
        batch.X.Shape.Should().Equal(4, 21, 4);
        batch.Lengths.ToArray<long>().Should().Equal(20, 20, 20, 21);
        batch.Y.ToArray<long>().Should().Equal(0, 0, 0, 1);

        reports.Clear();
        var frames = new NMnist(_dir, true, new FrameOptions(FramesNumber: 5), options);
        reports.Select(r => r.Stage).Distinct().Should().Equal("frames"); // events come from the cache now
        frames.Count.Should().Be(6);
        Directory.Exists(Path.Combine(_dir, "frames_number_5_split_by_number", "train", "1")).Should().BeTrue();
        var f = frames.Get(5);
        f.Label.Should().Be(1);
        f.X.Shape.Should().Equal(5, 2, 34, 34);
        f.X.ToArray<float>().Should().Equal(EventFrames.ByFixedFramesNumber(Events(21, 34, 34, seed: 2), SplitBy.Number, 5, 34, 34).ToArray<float>());
        SameEvents(frames.GetEvents(5), Events(21, 34, 34, seed: 2));
        new NMnist(_dir, false, new FrameOptions(FramesNumber: 5)).Count.Should().Be(4);
        // Later settings need neither the archives nor the extraction.
        Directory.Delete(Path.Combine(_dir, "download"), true);
        Directory.Delete(Path.Combine(_dir, "extract"), true);
        new NMnist(_dir, false, new FrameOptions(Duration: 50)).Get(0).X.Shape.Should().Equal(4, 2, 34, 34);
    }

    [Test]
    public void DvsGestureSplitsTrialsByLabelsCsv()
    {
        var ev = Events(100, 128, 128);
        var staging = Stage("gesture", [
            ("DvsGesture/user01_led.aedat", Aedat3.Encode(ev)),
            ("DvsGesture/user02_led.aedat", Aedat3.Encode(ev)),
            // Rows: class 11 over t in [0, 300) = 30 events, class 2 over [300, 500) = 20 events, class 11 again over [500, 510) = 1 event.
            ("DvsGesture/user01_led_labels.csv", "class,startTime_usec,endTime_usec\r\n11,0,300\r\n2,300,500\r\n11,500,510\r\n"u8.ToArray()),
            ("DvsGesture/user02_led_labels.csv", "class,startTime_usec,endTime_usec\r\n1,0,1000\r\n"u8.ToArray()),
            ("DvsGesture/trials_to_train.txt", "user01_led.aedat\n\n"u8.ToArray()),
            ("DvsGesture/trials_to_test.txt", "user02_led.aedat\n"u8.ToArray())]);
        using (var f = File.Create(Download("DvsGesture.tar.gz")))
        using (var gz = new GZipStream(f, CompressionLevel.Fastest))
            TarFile.CreateFromDirectory(Path.Combine(staging, "DvsGesture"), gz, includeBaseDirectory: true);
        var options = new DatasetOptions { CheckMd5 = false };
        var train = new DvsGesture(_dir, true, new FrameOptions(FramesNumber: 2), options);
        train.Count.Should().Be(3);
        Enumerable.Range(0, 3).Select(i => train.LabelOf(i)).Should().Equal(1, 10, 10);
        Enumerable.Range(0, 3).Select(i => train.Get(i).X.ToArray<float>().Sum()).Should().Equal(20f, 30f, 1f);
        File.Exists(Path.Combine(train.FramesDir!, "train", "10", "user01_led_1.npz")).Should().BeTrue();
        var test = new DvsGesture(_dir, false, new FrameOptions(FramesNumber: 2), options);
        test.Count.Should().Be(1);
        test.Get(0).X.ToArray<float>().Sum().Should().Be(100);
        // As events: the class-11 row over [0, 300) holds events 0..29.
        var events = new DvsGesture(_dir, true);
        events.Classes.Should().Equal("1", "10");
        SameEvents(events.GetEvents(1), ev.Slice(0, 30));
        events.Get(2).X.Shape.Should().Equal(1, 4);
    }

    [Test]
    public void NCaltech101ClassFoldersInOrdinalOrder()
    {
        string[] classes = ["accordion", "BACKGROUND_Google", "Faces_easy"];
        var staging = Stage("caltech", classes.Select((c, i) => ($"Caltech101/{c}/image_0001.bin", AtisBin.Encode(Events(30 + i, 240, 180, seed: i)))));
        ZipFile.CreateFromDirectory(staging, Download("Caltech101.zip"));
        var ds = new NCaltech101(_dir, new FrameOptions(FramesNumber: 3, SplitBy: SplitBy.Time), new DatasetOptions { CheckMd5 = false });
        // Python's sorted(): upper case first.
        ds.Classes.Should().Equal("BACKGROUND_Google", "Faces_easy", "accordion");
        Enumerable.Range(0, 3).Select(i => ds.LabelOf(i)).Should().Equal(0, 1, 2);
        var s = ds.Get(2);
        s.X.Shape.Should().Equal(3, 2, 180, 240);
        s.X.ToArray<float>().Should().Equal(EventFrames.ByFixedFramesNumber(Events(30, 240, 180, seed: 0), SplitBy.Time, 3, 180, 240).ToArray<float>());
        FluentActions.Invoking(() => new NCaltech101(_dir, null, new DatasetOptions { CheckMd5 = false }).GetEvents(9)).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Test]
    public void AslDvsFromNestedZipsOfMatFiles()
    {
        static byte[] Mat(EventStream e) => MatV5Writer.Encode(new Dictionary<string, double[]>
        {
            ["ts"] = e.T.Select(v => (double)v).ToArray(), ["x"] = e.X.Select(v => (double)v).ToArray(),
            ["y"] = e.Y.Select(v => (double)v).ToArray(), ["pol"] = e.P.Select(v => (double)v).ToArray(),
        }, compress: true);
        var outer = Stage("asl", []);
        Directory.CreateDirectory(outer);
        foreach (var (letter, i) in new[] { ("a", 0), ("b", 1) })
        {
            var inner = Stage(letter, [($"{letter}/{letter}_0001.mat", Mat(Events(40 + i, 240, 180, seed: i))), ($"{letter}/{letter}_0002.mat", Mat(Events(5, 240, 180)))]);
            ZipFile.CreateFromDirectory(inner, Path.Combine(outer, letter + ".zip"));
        }
        ZipFile.CreateFromDirectory(outer, Download("ICCV2019_DVS_dataset.zip"));
        // The archive has no MD5 (Dropbox repacks it), so the default options accept it.
        var ds = new AslDvs(_dir);
        ds.Count.Should().Be(4);
        Enumerable.Range(0, 4).Select(i => ds.LabelOf(i)).Should().Equal(0, 0, 1, 1);
        SameEvents(ds.GetEvents(2), Events(41, 240, 180, seed: 1));
        Directory.Exists(Path.Combine(_dir, "download", "temp_ext")).Should().BeFalse();
        // t = 0, 10, ..., 400 in frames of 100 µs (inclusive): [0, 100], [110, 210], [220, 320], [330, 400].
        new AslDvs(_dir, new FrameOptions(Duration: 100)).Get(2).X.Shape.Should().Equal(4, 2, 180, 240);
    }
}
