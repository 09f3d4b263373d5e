namespace QlikBackup.Qlik.Simulator;

/// <summary>
/// Fault knobs for tests. Thread-safe; each one-shot fault is consumed by the first request(s) that match.
/// REST faults are applied by middleware before any handler runs; the download reset by the temp-content handler;
/// the WebSocket drop by the Engine endpoint (<see cref="TryTakeWebSocketDrop"/>).
/// </summary>
public sealed class SimulatorFaults
{
    private readonly Lock _gate = new();
    private readonly List<StatusFault> _statusFaults = [];
    private long? _resetDownloadAfterBytes;
    private int? _webSocketDropAfterMessages;
    private readonly HashSet<string> _refusedImpersonations = new(StringComparer.Ordinal);

    /// <summary>Added to every HTTP request (REST and WebSocket upgrade) before it is handled.</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>How many responses were replaced by an injected fault (429/5xx) so far.</summary>
    public int InjectedCount { get; private set; }

    /// <summary>The next <paramref name="count"/> requests (whose path starts with <paramref name="pathPrefix"/>, if given) answer 429 with Retry-After.</summary>
    public void RateLimitNext(int count, int retryAfterSeconds = 1, string? pathPrefix = null)
        => Add(new StatusFault(429, count, pathPrefix, retryAfterSeconds));

    /// <summary>The next <paramref name="count"/> matching requests answer <paramref name="statusCode"/> (500/502/503/504).</summary>
    public void FailNext(int count, int statusCode = 503, string? pathPrefix = null)
        => Add(new StatusFault(statusCode, count, pathPrefix, null));

    /// <summary>As <see cref="FailNext(int, int, string?)"/>, for requests of one HTTP method only (e.g. a refused POST while GETs still answer).</summary>
    public void FailNext(int count, int statusCode, string pathPrefix, string method)
        => Add(new StatusFault(statusCode, count, pathPrefix, null) { Method = method });

    /// <summary>The next temp-content download is aborted (connection reset) after <paramref name="bytes"/> bytes. Once.</summary>
    public void ResetNextDownloadAfter(long bytes)
    {
        lock (_gate) _resetDownloadAfterBytes = bytes;
    }

    /// <summary>The next Engine WebSocket session is dropped (aborted) after <paramref name="messages"/> server messages. Once.</summary>
    public void DropNextWebSocketAfter(int messages)
    {
        lock (_gate) _webSocketDropAfterMessages = messages;
    }

    /// <summary>Until <see cref="Reset"/>: impersonation tokens for this user are refused (403), as Qlik refuses a user who may not be
    /// impersonated or may not create there.</summary>
    public void RefuseImpersonationOf(string userId)
    {
        lock (_gate) _refusedImpersonations.Add(userId);
    }

    public bool IsImpersonationRefused(string userId)
    {
        lock (_gate) return _refusedImpersonations.Contains(userId);
    }

    public void Reset()
    {
        lock (_gate)
        {
            _refusedImpersonations.Clear();
            _statusFaults.Clear();
            _resetDownloadAfterBytes = null;
            _webSocketDropAfterMessages = null;
            Latency = TimeSpan.Zero;
            InjectedCount = 0;
        }
    }

    /// <summary>Consumes one status fault matching <paramref name="path"/>, if any.</summary>
    public (int StatusCode, int? RetryAfterSeconds)? TryTakeStatusFault(string path, string? method = null)
    {
        lock (_gate)
        {
            var fault = _statusFaults.FirstOrDefault(f => (f.PathPrefix is null || path.StartsWith(f.PathPrefix, StringComparison.OrdinalIgnoreCase))
                && (f.Method is null || string.Equals(f.Method, method, StringComparison.OrdinalIgnoreCase)));
            if (fault is null) return null;
            if (--fault.Remaining <= 0) _statusFaults.Remove(fault);
            InjectedCount++;
            return (fault.StatusCode, fault.RetryAfterSeconds);
        }
    }

    public bool TryTakeDownloadReset(out long afterBytes)
    {
        lock (_gate) return TakeOnce(ref _resetDownloadAfterBytes, out afterBytes);
    }

    /// <summary>For the Engine endpoint: whether this new session must be dropped, and after how many messages.</summary>
    public bool TryTakeWebSocketDrop(out int afterMessages)
    {
        lock (_gate) return TakeOnce(ref _webSocketDropAfterMessages, out afterMessages);
    }

    private static bool TakeOnce<T>(ref T? slot, out T value) where T : struct
    {
        value = slot.GetValueOrDefault();
        var had = slot.HasValue;
        slot = null;
        return had;
    }

    private void Add(StatusFault fault)
    {
        if (fault.Remaining <= 0) return;
        lock (_gate) _statusFaults.Add(fault);
    }

    private sealed class StatusFault(int statusCode, int count, string? pathPrefix, int? retryAfterSeconds)
    {
        public int StatusCode { get; } = statusCode;
        public int Remaining { get; set; } = count;
        public string? PathPrefix { get; } = pathPrefix;
        public int? RetryAfterSeconds { get; } = retryAfterSeconds;
        public string? Method { get; init; }
    }
}
