namespace QlikBackup.Qlik.Engine;

/// <summary>Timeouts of Engine sessions (the tenant and credentials come from <see cref="Contracts.QlikOptions"/>).</summary>
public sealed class QlikEngineOptions
{
    /// <summary>Bound on the WebSocket upgrade.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Bound on one request; DoSave of a large app is the slowest call a backup makes.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Retries of a WebSocket upgrade refused with 429/5xx or broken by the network (a 429 waits for Retry-After).</summary>
    public int ConnectRetryAttempts { get; set; } = 4;

    /// <summary>First backoff delay of those retries (doubles per attempt, jittered).</summary>
    public TimeSpan ConnectRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>WebSocket pings, so idle sessions behind proxies stay open.</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(30);
}
