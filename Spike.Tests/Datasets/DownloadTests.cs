using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;
using FluentAssertions;
using NUnit.Framework;
using Spike.Datasets;

namespace Spike.Tests.Datasets;

/// <summary>Downloads against a loopback server serving a tar.gz the test makes.</summary>
public class DownloadTests
{
    private string _dir = "";
    private LoopbackHttpServer _server = null!;
    private byte[] _archive = [];
    private string _md5 = "";

    [SetUp]
    public void SetUp()
    {
        Directory.CreateDirectory(_dir = Path.Combine(Path.GetTempPath(), "spike-dl-" + Guid.NewGuid().ToString("N")));
        _server = new LoopbackHttpServer();
        _archive = TarGz(("data/noise.bin", RandomBytes(300_000, 1)), ("data/readme.txt", "hello"u8.ToArray()));
        _md5 = Convert.ToHexStringLower(MD5.HashData(_archive));
    }

    [TearDown]
    public void TearDown()
    {
        _server.Dispose();
        Directory.Delete(_dir, true);
    }

    internal static byte[] RandomBytes(int n, int seed)
    {
        var b = new byte[n];
        new Random(seed).NextBytes(b);
        return b;
    }

    internal static byte[] TarGz(params (string Name, byte[] Data)[] files)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gz, TarEntryFormat.Pax, leaveOpen: true))
            foreach (var (name, data) in files)
                tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data) });
        return ms.ToArray();
    }

    private string Dest => Path.Combine(_dir, "dl", "a.tar.gz");

    [Test]
    public void DownloadsVerifiesMd5AndExtracts()
    {
        _server.Serve("a.tar.gz", _archive);
        var reports = new List<DatasetProgress>();
        Download.File(_server.BaseUrl + "a.tar.gz", Dest, _md5, new SyncProgress(reports));
        File.ReadAllBytes(Dest).Should().Equal(_archive);
        File.Exists(Dest + ".part").Should().BeFalse();
        reports.Should().NotBeEmpty().And.OnlyContain(r => r.Stage == "download a.tar.gz" && r.Total == _archive.Length);
        reports[^1].Done.Should().Be(_archive.Length);
        Archives.Extract(Dest, Path.Combine(_dir, "x"));
        File.ReadAllBytes(Path.Combine(_dir, "x", "data", "noise.bin")).Should().Equal(RandomBytes(300_000, 1));
        File.ReadAllText(Path.Combine(_dir, "x", "data", "readme.txt")).Should().Be("hello");
    }

    [Test]
    public void WrongMd5DeletesTheFileAndNamesBothChecksums()
    {
        _server.Serve("a.tar.gz", _archive);
        var url = _server.BaseUrl + "a.tar.gz";
        FluentActions.Invoking(() => Download.File(url, Dest, "00000000000000000000000000000000")).Should().Throw<InvalidDataException>()
            .WithMessage($"{url}: the downloaded a.tar.gz has MD5 {_md5}, expected 00000000000000000000000000000000*");
        File.Exists(Dest).Should().BeFalse();
        File.Exists(Dest + ".part").Should().BeFalse();
    }

    [Test]
    public void DroppedConnectionIsResumedWithARangeRequest()
    {
        var route = _server.Serve("a.tar.gz", _archive);
        route.DropFirst = 1;
        route.DropAfter = 100_000;
        Download.File(_server.BaseUrl + "a.tar.gz", Dest, _md5);
        File.ReadAllBytes(Dest).Should().Equal(_archive);
        _server.Requests.Select(r => r.Range).Should().Equal(null, "bytes=100000-");
    }

    [Test]
    public void WhenAttemptsRunOutThePartIsKeptAndTheNextCallResumes()
    {
        var route = _server.Serve("a.tar.gz", _archive);
        route.DropFirst = 1;
        route.DropAfter = 120_000;
        var url = _server.BaseUrl + "a.tar.gz";
        var e = FluentActions.Invoking(() => Download.File(url, Dest, _md5, attempts: 1)).Should().Throw<DownloadException>().Which;
        e.Message.Should().StartWith($"download of {url} failed: ").And.Contain("after 120000 bytes").And.Contain(Dest + ".part");
        e.Status.Should().BeNull();
        new FileInfo(Dest + ".part").Length.Should().Be(120_000);
        File.Exists(Dest).Should().BeFalse();
        Download.File(url, Dest, _md5, attempts: 1);
        File.ReadAllBytes(Dest).Should().Equal(_archive);
        _server.Requests.Select(r => r.Range).Should().Equal(null, "bytes=120000-");
    }

    [Test]
    public void AServerIgnoringRangeMakesTheFileStartOver()
    {
        var route = _server.Serve("a.tar.gz", _archive);
        route.DropFirst = 1;
        route.DropAfter = 50_000;
        route.IgnoreRange = true;
        Download.File(_server.BaseUrl + "a.tar.gz", Dest, _md5);
        File.ReadAllBytes(Dest).Should().Equal(_archive);
        _server.Requests.Select(r => r.Range).Should().Equal(null, "bytes=50000-");
    }

    [Test]
    public void ACompletePartIsVerifiedAndRenamed()
    {
        _server.Serve("a.tar.gz", _archive);
        Directory.CreateDirectory(Path.GetDirectoryName(Dest)!);
        File.WriteAllBytes(Dest + ".part", _archive);
        Download.File(_server.BaseUrl + "a.tar.gz", Dest, _md5);
        File.ReadAllBytes(Dest).Should().Equal(_archive);
        _server.Requests.Single().Range.Should().Be($"bytes={_archive.Length}-"); // answered 416 bytes */length
    }

    [Test]
    public void HttpErrorsAreNamedAndOnlyServerErrorsRetried()
    {
        var url = _server.BaseUrl + "missing.zip";
        FluentActions.Invoking(() => Download.File(url, Dest, null)).Should().Throw<DownloadException>()
            .WithMessage($"download of {url} failed: HTTP 404 Not Found").Which.Status.Should().Be(HttpStatusCode.NotFound);
        _server.HitsOf("missing.zip").Should().Be(1);
        _server.Serve("a.tar.gz", _archive).FailFirst = 2;
        Download.File(_server.BaseUrl + "a.tar.gz", Dest, _md5);
        _server.HitsOf("a.tar.gz").Should().Be(3);
        File.ReadAllBytes(Dest).Should().Equal(_archive);
    }

    [Test]
    public void AStalledTransferTimesOutAndResumes()
    {
        var route = _server.Serve("a.tar.gz", _archive);
        route.StallFirst = 1;
        route.StallAfter = 70_000;
        Download.File(_server.BaseUrl + "a.tar.gz", Dest, _md5, stallTimeout: TimeSpan.FromMilliseconds(300));
        File.ReadAllBytes(Dest).Should().Equal(_archive);
        _server.Requests.Select(r => r.Range).Should().Equal(null, "bytes=70000-");
    }

    [Test]
    public void RedirectsAreFollowed()
    {
        _server.Serve("files/7712788", []).RedirectTo = "storage/a.tar.gz";
        _server.Serve("storage/a.tar.gz", _archive);
        Download.File(_server.BaseUrl + "files/7712788", Dest, _md5);
        File.ReadAllBytes(Dest).Should().Equal(_archive);
    }
}

internal sealed class SyncProgress(List<DatasetProgress> sink) : IProgress<DatasetProgress>
{
    public void Report(DatasetProgress value) { lock (sink) sink.Add(value); }
}
