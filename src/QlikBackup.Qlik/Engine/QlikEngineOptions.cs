namespace QlikBackup.Qlik.Engine;

/// <summary>Timeouts of Engine sessions (the tenant and credentials come from <see cref="Contracts.QlikOptions"/>).</summary>
public sealed class QlikEngineOptions
{
    /// <summary>Bound on the WebSocket upgrade.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Bound on one request; DoSave of a large app is the slowest call a backup makes.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>WebSocket pings, so idle sessions behind proxies stay open.</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(30);
}
