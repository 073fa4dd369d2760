using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Spike.Tests.Datasets;

/// <summary>
/// A minimal HTTP/1.1 file server on 127.0.0.1 for download tests (there is no internet here). It honours
/// <c>Range: bytes=N-</c> and can misbehave on purpose: drop or stall a transfer, ignore Range, fail with 503,
/// redirect. Every request is logged with its Range header.
/// </summary>
internal sealed class LoopbackHttpServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, Route> _routes = new();
    private readonly Task _accept;

    public string BaseUrl { get; }
    public ConcurrentQueue<(string Path, string? Range)> Requests { get; } = new();

    /// <summary>What one path serves, and how the first requests for it misbehave.</summary>
    public sealed class Route
    {
        public byte[] Body = [];
        public string? RedirectTo;
        public bool IgnoreRange;
        /// <summary>The first FailFirst requests get 503.</summary>
        public int FailFirst;
        /// <summary>The first DropFirst responses close the connection after DropAfter body bytes.</summary>
        public int DropFirst;
        public int DropAfter;
        /// <summary>The first StallFirst responses go silent after StallAfter body bytes.</summary>
        public int StallFirst;
        public int StallAfter;
        internal int Hits;
    }

    public LoopbackHttpServer()
    {
        _listener.Start();
        BaseUrl = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/";
        _accept = Task.Run(AcceptLoop);
    }

    public Route Serve(string path, byte[] body) => _routes[path] = new Route { Body = body };

    public int HitsOf(string path) => Requests.Count(r => r.Path == path);

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception) { return; }
            _ = Task.Run(() => Handle(client));
        }
    }

    private async Task Handle(TcpClient client)
    {
        using var _ = client;
        try
        {
            var stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.ASCII, false, 1024, leaveOpen: true);
            var requestLine = await reader.ReadLineAsync(_stop.Token);
            if (requestLine is null) return;
            string? range = null, line;
            while (!string.IsNullOrEmpty(line = await reader.ReadLineAsync(_stop.Token)))
                if (line.StartsWith("Range:", StringComparison.OrdinalIgnoreCase)) range = line[6..].Trim();
            var path = Uri.UnescapeDataString(requestLine.Split(' ')[1].TrimStart('/'));
            Requests.Enqueue((path, range));
            if (!_routes.TryGetValue(path, out var r)) { await Head(stream, "404 Not Found", 0); return; }
            int hit = Interlocked.Increment(ref r.Hits);
            if (r.RedirectTo is not null) { await Head(stream, "302 Found", 0, $"Location: {BaseUrl}{r.RedirectTo}\r\n"); return; }
            if (hit <= r.FailFirst) { await Head(stream, "503 Service Unavailable", 0); return; }
            long from = 0;
            bool partial = range is not null && !r.IgnoreRange && range.StartsWith("bytes=") && range.EndsWith('-');
            if (partial) from = long.Parse(range![6..^1]);
            if (from >= r.Body.Length && from > 0)
            {
                await Head(stream, "416 Range Not Satisfiable", 0, $"Content-Range: bytes */{r.Body.Length}\r\n");
                return;
            }
            var body = r.Body.AsMemory((int)from);
            await Head(stream, partial ? "206 Partial Content" : "200 OK", body.Length,
                partial ? $"Content-Range: bytes {from}-{r.Body.Length - 1}/{r.Body.Length}\r\n" : "");
            if (hit <= r.DropFirst) { await stream.WriteAsync(body[..Math.Min(r.DropAfter, body.Length)], _stop.Token); return; }
            if (hit <= r.StallFirst)
            {
                await stream.WriteAsync(body[..Math.Min(r.StallAfter, body.Length)], _stop.Token);
                await stream.FlushAsync(_stop.Token);
                await Task.Delay(Timeout.Infinite, _stop.Token);
            }
            await stream.WriteAsync(body, _stop.Token);
        }
        catch (Exception) { /* the client hung up or the server is stopping */ }

        async Task Head(NetworkStream s, string status, long length, string extra = "")
        {
            var head = $"HTTP/1.1 {status}\r\nContent-Length: {length}\r\nContent-Type: application/octet-stream\r\n{extra}Connection: close\r\n\r\n";
            await s.WriteAsync(Encoding.ASCII.GetBytes(head), _stop.Token);
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        try { _accept.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
        _stop.Dispose();
    }
}
