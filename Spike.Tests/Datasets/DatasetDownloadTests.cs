using System.IO.Compression;
using System.Security.Cryptography;
using FluentAssertions;
using NUnit.Framework;
using Spike.Cli;
using Spike.Datasets;
using Spike.Datasets.Formats;

namespace Spike.Tests.Datasets;

/// <summary>Datasets fetched from a loopback server (CIFAR10-DVS, the one SpikingJelly downloads), and `spike dataset prepare`.</summary>
public class DatasetDownloadTests
{
    private string _dir = "";
    private LoopbackHttpServer _server = null!;

    [SetUp]
    public void SetUp()
    {
        Directory.CreateDirectory(_dir = Path.Combine(Path.GetTempPath(), "spike-dsdl-" + Guid.NewGuid().ToString("N")));
        _server = new LoopbackHttpServer();
    }

    [TearDown]
    public void TearDown()
    {
        _server.Dispose();
        Directory.Delete(_dir, true);
    }

    /// <summary>Raw AEDAT 2 events of recording k of class c (before the CIFAR10-DVS transform).</summary>
    private static EventStream Raw(int c, int k) => DatasetClassTests.Events(12 + c, 128, 128, seed: 3 * c + k);

    /// <summary>Serves &lt;class&gt;.zip for the ten classes, each with two AEDAT 2 recordings in &lt;class&gt;/.</summary>
    private void ServeCifar10Dvs()
    {
        for (int c = 0; c < 10; c++)
        {
            var name = Cifar10.ClassNames[c];
            using var ms = new MemoryStream();
            using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
                for (int k = 0; k < 2; k++)
                {
                    using var s = zip.CreateEntry($"{name}/cifar10_{name}_{k}.aedat").Open();
                    s.Write(Aedat2.Encode(Raw(c, k)));
                }
            _server.Serve(name + ".zip", ms.ToArray());
        }
    }

    [Test]
    public void Cifar10DvsIsDownloadedExtractedAndTransformed()
    {
        ServeCifar10Dvs();
        var reports = new List<DatasetProgress>();
        var options = new DatasetOptions { Download = true, Mirror = _server.BaseUrl, CheckMd5 = false, Progress = new SyncProgress(reports) };
        var events = new Cifar10Dvs(_dir, null, options);
        events.Count.Should().Be(20);
        events.Classes.Should().Equal(Cifar10.ClassNames);
        Enumerable.Range(0, 20).Select(i => events.LabelOf(i)).Should().Equal(Enumerable.Range(0, 20).Select(i => (long)(i / 2)));
        reports.Select(r => r.Stage).Distinct().Should().Equal(Cifar10.ClassNames.Select(n => $"download {n}.zip").Concat(["extract", "events"]));
        // SpikingJelly's transform: x' = 127 - y, y' = 127 - x, p' = 1 - p.
        var raw = Raw(7, 1);
        var expected = new EventStream(raw.T, raw.Y.Select(v => 127 - v).ToArray(), raw.X.Select(v => 127 - v).ToArray(), raw.P.Select(p => (byte)(1 - p)).ToArray());
        DatasetClassTests.SameEvents(events.GetEvents(15), expected);
        events.Get(15).X.Shape.Should().Equal(19, 4);
        // Frames come from the event cache: nothing is downloaded again.
        var frames = new Cifar10Dvs(_dir, new FrameOptions(FramesNumber: 3), options);
        frames.Get(15).X.ToArray<float>().Should().Equal(EventFrames.ByFixedFramesNumber(expected, SplitBy.Number, 3, 128, 128).ToArray<float>());
        _server.Requests.Should().HaveCount(10);
    }

    [Test]
    public void DownloadedArchivesAreCheckedAgainstTheRealMd5()
    {
        ServeCifar10Dvs();
        FluentActions.Invoking(() => new Cifar10Dvs(_dir, null, new DatasetOptions { Download = true, Mirror = _server.BaseUrl }))
            .Should().Throw<InvalidDataException>().WithMessage($"{_server.BaseUrl}airplane.zip: the downloaded airplane.zip has MD5 *, expected 0afd5c4bf9ae06af762a77b180354fdd*");
        Directory.GetFiles(Path.Combine(_dir, "download")).Should().BeEmpty();
    }

    [Test]
    public void ACorruptArchiveIsFetchedAgainWhenDownloadsAreAllowed()
    {
        var good = DownloadTests.RandomBytes(5000, 2);
        _server.Serve("a.zip", good);
        var file = new ResourceFile("a.zip", "https://example.invalid/a.zip", Convert.ToHexStringLower(MD5.HashData(good)));
        var download = Path.Combine(_dir, "download");
        Directory.CreateDirectory(download);
        File.WriteAllBytes(Path.Combine(download, "a.zip"), good[..100]);
        FluentActions.Invoking(() => Archives.Ensure("X", download, [file], true, new DatasetOptions())).Should().Throw<InvalidDataException>()
            .WithMessage($"X: {Path.Combine(download, "a.zip")} has MD5 *, expected {file.Md5}*");
        Archives.Ensure("X", download, [file], true, new DatasetOptions { Download = true, Mirror = _server.BaseUrl });
        File.ReadAllBytes(Path.Combine(download, "a.zip")).Should().Equal(good);
        // A good file is not fetched again.
        Archives.Ensure("X", download, [file], true, new DatasetOptions { Download = true, Mirror = _server.BaseUrl });
        _server.Requests.Should().HaveCount(1);
    }

    [Test]
    public void PrepareCommandDownloadsAndBuildsTheCaches()
    {
        ServeCifar10Dvs();
        Commands.Run(["dataset", "prepare", "cifar10dvs", "--root", _dir, "--download", "--mirror", _server.BaseUrl, "--no-md5", "--frames", "4", "--split-by", "time"])
            .Should().Be(0);
        File.Exists(Path.Combine(_dir, "events_np", ".complete")).Should().BeTrue();
        var frames = FrameCache.Load(Path.Combine(_dir, "frames_number_4_split_by_time", "truck", "cifar10_truck_0.npz"));
        frames.Shape.Should().Equal(4, 2, 128, 128);
        frames.ToArray<float>().Sum().Should().Be(21);
        // Without --download the missing archives are named, and the command fails cleanly.
        Commands.Run(["dataset", "prepare", "cifar10dvs", "--root", Path.Combine(_dir, "other")]).Should().Be(1);
        Commands.Run(["dataset", "prepare", "mnist", "--root", _dir]).Should().Be(1);
    }

    [Test]
    public void ProgressBarRendersStagesAndMovesForwardOnly()
    {
        ProgressBar.Render(new DatasetProgress("frames", 123, 246), 10).Should().Be("frames                   [#####.....]  50% 123/246");
        ProgressBar.Render(new DatasetProgress("download Train.zip", 3 << 20, 12 << 20), 4).Should().Be("download Train.zip       [#...]  25% 3.0/12.0 MiB");
        ProgressBar.Render(new DatasetProgress("download x.zip", 5 << 19, -1), 4).Should().Be("download x.zip           2.5 MiB");
        ProgressBar.Render(new DatasetProgress("extract", 0, 0), 2).Should().Be("extract                  [##] 100% 0/0");

        var log = new StringWriter();
        var bar = new ProgressBar(log, interactive: false, width: 10);
        foreach (var done in new[] { 1, 3, 2, 5, 10 }) bar.Report(new("events", done, 10)); // 2 arrives late from a parallel worker
        bar.Report(new("frames", 10, 10));
        bar.Finish();
        log.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries).Should().Equal(
            "events                   [#.........]  10% 1/10", "events                   [###.......]  30% 3/10",
            "events                   [#####.....]  50% 5/10", "events                   [##########] 100% 10/10",
            "frames                   [##########] 100% 10/10");
        var tty = new StringWriter();
        var live = new ProgressBar(tty, interactive: true, width: 4);
        live.Report(new("events", 1, 2));
        live.Report(new("events", 2, 2));
        live.Finish();
        tty.ToString().Should().Be("\revents                   [##..]  50% 1/2\revents                   [####] 100% 2/2" + Environment.NewLine);
    }
}
