using System.Collections.Concurrent;

namespace QlikBackup.Qlik.Tests.Support;

/// <summary>One request as it left the client (after auth, inside retries: every attempt is recorded).</summary>
public sealed record RecordedRequest(string Method, string PathAndQuery, string? Authorization, string? Range, DateTimeOffset At, int? Status, long? ContentLength = null);

/// <summary>Shared log behind the per-pipeline <see cref="RecordingHandler"/> instances.</summary>
public sealed class RequestLog
{
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private int _inFlight;
    private int _maxInFlight;

    /// <summary>Most requests that were on the wire at the same time.</summary>
    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    public void Enter()
    {
        var now = Interlocked.Increment(ref _inFlight);
        int seen;
        while (now > (seen = Volatile.Read(ref _maxInFlight)) && Interlocked.CompareExchange(ref _maxInFlight, now, seen) != seen) { }
    }

    public void Exit() => Interlocked.Decrement(ref _inFlight);
    public IReadOnlyList<RecordedRequest> Requests => _requests.ToArray();
    public void Add(RecordedRequest r) => _requests.Enqueue(r);
    public void Clear() => _requests.Clear();
    public IEnumerable<RecordedRequest> Matching(string method, string pathPrefix) =>
        Requests.Where(r => r.Method == method && r.PathAndQuery.StartsWith(pathPrefix, StringComparison.Ordinal));
}

/// <summary>Innermost handler of the client under test: records what is actually sent on the wire.</summary>
public sealed class RecordingHandler(RequestLog log) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        var at = DateTimeOffset.UtcNow;
        var path = request.RequestUri!.PathAndQuery;
        var auth = request.Headers.Authorization?.ToString();
        var range = request.Headers.Range?.ToString();
        log.Enter();
        try
        {
            var response = await base.SendAsync(request, ct);
            log.Add(new RecordedRequest(request.Method.Method, path, auth, range, at, (int)response.StatusCode, request.Content?.Headers.ContentLength));
            return response;
        }
        catch
        {
            log.Add(new RecordedRequest(request.Method.Method, path, auth, range, at, null));
            throw;
        }
        finally
        {
            log.Exit();
        }
    }
}
