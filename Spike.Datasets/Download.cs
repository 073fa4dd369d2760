using System.Net;
using System.Net.Http.Headers;

namespace Spike.Datasets;

/// <summary>A download failed: the URL, and the HTTP status when the server answered with an error.</summary>
public sealed class DownloadException(string url, string reason, HttpStatusCode? status = null, Exception? inner = null)
    : IOException($"download of {url} failed: {reason}", inner)
{
    public string Url { get; } = url;
    public HttpStatusCode? Status { get; } = status;

    /// <summary>Worth another attempt: the connection broke or stalled, or the server had a 5xx error.</summary>
    internal bool Transient => Status is null || (int)Status >= 500;
}

/// <summary>
/// Resumable HTTP(S) downloads with MD5 verification. Bytes go to <c>destination.part</c>; an interrupted transfer is
/// resumed with a <c>Range</c> request (or restarted when the server ignores it), and only a complete file whose MD5
/// matches is renamed to <c>destination</c>, so a half-written or corrupt file never takes the final name.
/// </summary>
public static class Download
{
    private static readonly Lazy<HttpClient> Shared = new(() =>
    {
        var client = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(30) }) { Timeout = Timeout.InfiniteTimeSpan };
        client.DefaultRequestHeaders.UserAgent.ParseAdd("Spike.Datasets/1.0");
        return client;
    });

    private const int ReportEvery = 1 << 20;

    /// <summary>
    /// Downloads <paramref name="url"/> to <paramref name="destination"/>. Transient failures (a dropped or stalled
    /// connection, a 5xx answer) are retried up to <paramref name="attempts"/> times in all, each resuming where the
    /// last stopped; the partial file is kept for a later call when they run out. A wrong MD5 deletes the file and
    /// throws <see cref="InvalidDataException"/>; other failures throw <see cref="DownloadException"/>.
    /// </summary>
    /// <param name="url">HTTP or HTTPS address; redirects are followed.</param>
    /// <param name="destination">The final file; its folder is created.</param>
    /// <param name="md5">Expected MD5 (hex), or null to skip the check.</param>
    /// <param name="progress">Receives (<c>download &lt;name&gt;</c>, bytes done, bytes total or -1) about every MiB.</param>
    /// <param name="client">The HTTP client (null: a shared one).</param>
    /// <param name="attempts">Tries in all, each resuming the last.</param>
    /// <param name="stallTimeout">How long to wait for the next bytes before treating the connection as lost (default 60 s).</param>
    public static void File(string url, string destination, string? md5, IProgress<DatasetProgress>? progress = null,
        HttpClient? client = null, int attempts = 3, TimeSpan? stallTimeout = null) =>
        FileAsync(url, destination, md5, progress, client, attempts, stallTimeout).GetAwaiter().GetResult();

    /// <inheritdoc cref="File"/>
    public static async Task FileAsync(string url, string destination, string? md5, IProgress<DatasetProgress>? progress = null,
        HttpClient? client = null, int attempts = 3, TimeSpan? stallTimeout = null, CancellationToken cancel = default)
    {
        if (attempts < 1) throw new ArgumentOutOfRangeException(nameof(attempts), $"Download.File: attempts must be ≥ 1, got {attempts}");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(destination))!);
        var part = destination + ".part";
        var stage = "download " + Path.GetFileName(destination);
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                await FetchIntoPart(client ?? Shared.Value, url, part, stage, progress, stallTimeout ?? TimeSpan.FromSeconds(60), cancel);
                break;
            }
            catch (DownloadException e) when (e.Transient && attempt < attempts && !cancel.IsCancellationRequested)
            {
                // The .part file holds what arrived; the next attempt asks for the rest.
            }
        }
        if (md5 is not null)
        {
            var actual = Archives.Md5Of(part);
            if (!string.Equals(actual, md5, StringComparison.OrdinalIgnoreCase))
            {
                System.IO.File.Delete(part);
                throw new InvalidDataException($"{url}: the downloaded {Path.GetFileName(destination)} has MD5 {actual}, expected {md5}; " +
                                               "it was deleted (a corrupt transfer or a changed file upstream), run again");
            }
        }
        System.IO.File.Move(part, destination, overwrite: true);
    }

    private static async Task FetchIntoPart(HttpClient http, string url, string part, string stage, IProgress<DatasetProgress>? progress,
        TimeSpan stall, CancellationToken cancel)
    {
        long have = System.IO.File.Exists(part) ? new FileInfo(part).Length : 0;
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (have > 0) request.Headers.Range = new RangeHeaderValue(have, null);
        // One timer covers the wait for headers and then each read, so a silent server cannot hang us.
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        timer.CancelAfter(stall);
        HttpResponseMessage response;
        try { response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timer.Token); }
        catch (HttpRequestException e) { throw new DownloadException(url, $"no connection ({e.Message})", null, e); }
        catch (OperationCanceledException e) when (!cancel.IsCancellationRequested)
        {
            throw new DownloadException(url, $"no answer within {stall.TotalSeconds:0.###} s", null, e);
        }
        using (response)
        {
            if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable && have > 0)
            {
                // "bytes */N" with N = what we have: an earlier run got everything but stopped before the rename.
                if (response.Content.Headers.ContentRange?.Length == have) return;
                System.IO.File.Delete(part);
                throw new DownloadException(url, $"the server cannot resume at byte {have}; starting again");
            }
            if (!response.IsSuccessStatusCode)
                throw new DownloadException(url, $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}", response.StatusCode);
            bool resumed = response.StatusCode == HttpStatusCode.PartialContent;
            if (resumed && response.Content.Headers.ContentRange?.From != have)
            {
                System.IO.File.Delete(part);
                throw new DownloadException(url, $"asked to resume at byte {have}, the server sent {response.Content.Headers.ContentRange}; starting again");
            }
            if (!resumed) have = 0; // a plain 200: the server ignores Range, so the file starts over
            long total = response.Content.Headers.ContentLength is long len ? have + len : -1;
            long done = have;
            progress?.Report(new(stage, done, total));
            await using var source = await response.Content.ReadAsStreamAsync(timer.Token);
            await using var sink = new FileStream(part, resumed ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
            var buffer = new byte[1 << 16];
            long reported = done;
            while (true)
            {
                timer.CancelAfter(stall);
                int n;
                try { n = await source.ReadAsync(buffer, timer.Token); }
                catch (OperationCanceledException e) when (!cancel.IsCancellationRequested)
                {
                    throw new DownloadException(url, $"no data for {stall.TotalSeconds:0.###} s after {done} bytes; {KeptNote(part, done)}", null, e);
                }
                catch (Exception e) when (e is IOException or HttpRequestException)
                {
                    throw new DownloadException(url, $"connection lost after {done} bytes ({e.Message}); {KeptNote(part, done)}", null, e);
                }
                if (n == 0) break;
                await sink.WriteAsync(buffer.AsMemory(0, n), cancel);
                done += n;
                if (done - reported >= ReportEvery) { progress?.Report(new(stage, done, total)); reported = done; }
            }
            if (total >= 0 && done != total)
                throw new DownloadException(url, $"connection closed after {done} of {total} bytes; {KeptNote(part, done)}");
            progress?.Report(new(stage, done, total < 0 ? done : total));
        }
    }

    private static string KeptNote(string part, long done) => $"the {done} bytes are kept in {part} and the next attempt resumes there";
}
