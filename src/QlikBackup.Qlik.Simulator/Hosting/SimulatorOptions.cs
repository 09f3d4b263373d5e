using QlikBackup.Qlik.Simulator.Seeding;

namespace QlikBackup.Qlik.Simulator;

/// <summary>How to start a simulated tenant.</summary>
public sealed record SimulatorOptions
{
    /// <summary>Port on 127.0.0.1; 0 picks a free one.</summary>
    public int Port { get; init; }

    /// <summary>Seed a generated tenant (ignored when <see cref="StateFolder"/> already holds a saved tenant).</summary>
    public DemoTenantSpec? Seed { get; init; }

    /// <summary>Folder to load the tenant from at start (if it holds tenant.json) and to save it to on stop.</summary>
    public string? StateFolder { get; init; }

    public bool SaveOnStop { get; init; } = true;

    /// <summary>Fixed token for the admin API key (else a random one, or the one found in a loaded state).</summary>
    public string? AdminApiKey { get; init; }

    public TimeProvider? Time { get; init; }

    /// <summary>Log to the console at this level (standalone use); null = no logging.</summary>
    public LogLevel? ConsoleLogLevel { get; init; }
}
