using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using QlikBackup.DevServices.Azurite;
using QlikBackup.Qlik.Simulator;
using QlikBackup.Qlik.Simulator.Seeding;

namespace QlikBackup.LocalHost.Demo;

/// <summary>
/// Everything a local run starts: Azurite, a simulated tenant, and the backup host wired to both; for the main job also an
/// empty second simulated tenant, the standby a Tenant drill rebuilds the tenant into.
/// </summary>
public sealed class LocalEnvironment : IAsyncDisposable
{
    LocalEnvironment(AzuriteServer azurite, QlikSimulatorHost tenant, QlikSimulatorHost? standby, LocalBackupHost host, string dataFolder, bool keepData, string webhookSecret)
    {
        Standby = standby;
        WebhookSecret = webhookSecret;
        Azurite = azurite;
        Tenant = tenant;
        Host = host;
        DataFolder = dataFolder;
        KeepData = keepData;
    }

    public AzuriteServer Azurite { get; }
    public QlikSimulatorHost Tenant { get; }
    /// <summary>The empty standby tenant (Drill:Standby), when started with one.</summary>
    public QlikSimulatorHost? Standby { get; }
    public LocalBackupHost Host { get; }
    public string DataFolder { get; }
    public string WebhookSecret { get; }
    bool KeepData { get; }

    public static Task<LocalEnvironment> StartAsync(DemoTenantSpec spec, bool keepData, ILoggerFactory? logs, CancellationToken ct)
        => StartAsync(spec, TempFolder(), persistent: false, keepData, standby: false, logs, ct);

    /// <summary>As <see cref="StartAsync(DemoTenantSpec, bool, ILoggerFactory?, CancellationToken)"/>, with an empty standby tenant for a Tenant drill.</summary>
    public static Task<LocalEnvironment> StartWithStandbyAsync(DemoTenantSpec spec, bool keepData, ILoggerFactory? logs, CancellationToken ct)
        => StartAsync(spec, TempFolder(), persistent: false, keepData, standby: true, logs, ct);

    // On disk rather than in memory: the Durable task hub lives there and would survive a restart of this process.
    // Unique, not only timestamped: two environments started in the same second (parallel test classes) shared one
    // Azurite folder, and the first to stop deleted the other's data.
    static string TempFolder() => Path.Combine(Path.GetTempPath(), $"qlikbackup-local-{DateTime.UtcNow:yyyyMMddHHmmss}-{Guid.NewGuid():N}"[..48]);

    /// <summary>
    /// An environment that lives in <paramref name="dataFolder"/> and survives restarts: Azurite's data, the simulated
    /// tenant and the secrets (data key, webhook secret, API key) are all kept there and reused on the next start.
    /// </summary>
    public static Task<LocalEnvironment> StartPersistentAsync(DemoTenantSpec spec, string dataFolder, ILoggerFactory? logs, CancellationToken ct) =>
        StartAsync(spec, Path.GetFullPath(dataFolder), persistent: true, keepData: true, standby: false, logs, ct);

    static async Task<LocalEnvironment> StartAsync(DemoTenantSpec spec, string data, bool persistent, bool keepData, bool standby, ILoggerFactory? logs, CancellationToken ct)
    {
        Directory.CreateDirectory(data);
        if (persistent)
        {
            // A previous host on this folder that was killed outright left its Azurite running: stop it first.
            StaleAzurite.Stop(Path.Combine(data, "azurite"));
        }

        AzuriteServer azurite = await AzuriteServer.StartAsync(Path.Combine(data, "azurite"), ct: ct);
        QlikSimulatorHost tenant = await QlikSimulatorHost.StartAsync(
            persistent
                ? new SimulatorOptions { Seed = spec, StateFolder = Path.Combine(data, "tenant"), SaveOnStop = true }
                : new SimulatorOptions { Seed = spec, SaveOnStop = false },
            ct);
        // Empty: no seed, only the simulator's own TenantAdmin, as a tenant freshly set up in another region.
        QlikSimulatorHost? standbyTenant = standby ? await QlikSimulatorHost.StartAsync(new SimulatorOptions { SaveOnStop = false }, ct) : null;
        var settings = LocalSettings.For(azurite.ConnectionString, tenant, persistent ? LocalSecrets.LoadOrCreate(data) : LocalSecrets.Create());
        if (standbyTenant is not null) LocalSettings.AddStandby(settings, standbyTenant);
        LocalBackupHost host = await LocalBackupHost.StartAsync(settings, logs, ct);
        return new LocalEnvironment(azurite, tenant, standbyTenant, host, data, keepData, settings["Webhooks:Secret"]!);
    }

    /// <summary>Stops everything, in reverse order of start, even when a step fails: Azurite is never left running.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            try
            {
                await Host.DisposeAsync();
            }
            finally
            {
                try
                {
                    await Tenant.DisposeAsync();
                }
                finally
                {
                    if (Standby is not null) await Standby.DisposeAsync();
                }
            }
        }
        finally
        {
            await Azurite.DisposeAsync();
            if (!KeepData)
            {
                try { Directory.Delete(DataFolder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            }
        }
    }
}

/// <summary>The app settings of a local run, as local.settings.sample.json names them.</summary>
public static class LocalSettings
{
    public static Dictionary<string, string?> For(string storageConnection, QlikSimulatorHost tenant) =>
        For(storageConnection, tenant, LocalSecrets.Create());

    public static Dictionary<string, string?> For(string storageConnection, QlikSimulatorHost tenant, LocalSecrets secrets)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Storage:ConnectionString"] = storageConnection,
            ["DurableTaskHubName"] = "QlikBackupLocal",
            ["Crypto:KeyProvider"] = "Local",
            // A fresh key per run (its data is thrown away with it), or the persistent data folder's own.
            ["Crypto:LocalKey"] = secrets.DataKey,
            ["Qlik:TenantUrl"] = tenant.BaseUrl.ToString(),
            ["Qlik:TenantId"] = "demo-tenant",
            ["Qlik:ApiKey"] = tenant.AdminApiKey,
            ["Capture:MaxParallelAssetsPerSpace"] = "8",
            // What a Qlik webhook pointed at the local API must be registered with.
            ["Webhooks:Secret"] = secrets.WebhookSecret,
            ["Api:Key"] = secrets.ApiKey,
        };
        var oauth = tenant.Tenant.Read(s => s.OAuthClients.FirstOrDefault(c => c.AllowsImpersonation));
        if (oauth is not null)
        {
            settings["Qlik:OAuthClientId"] = oauth.ClientId;
            settings["Qlik:OAuthClientSecret"] = oauth.ClientSecret;
        }

        return settings;
    }

    /// <summary>The standby tenant's address and credentials: its admin API key, and an OAuth client that may impersonate (private objects are created as their owners).</summary>
    public static void AddStandby(Dictionary<string, string?> settings, QlikSimulatorHost standby)
    {
        var (clientId, clientSecret) = standby.CreateOAuthClient(standby.AdminUserId, allowImpersonation: true);
        settings["Drill:Standby:TenantUrl"] = standby.BaseUrl.ToString();
        settings["Drill:Standby:ApiKey"] = standby.AdminApiKey;
        settings["Drill:Standby:OAuthClientId"] = clientId;
        settings["Drill:Standby:OAuthClientSecret"] = clientSecret;
    }
}

/// <summary>
/// The secrets of a local run. A persistent data folder keeps them in secrets.json (owner-only), because its
/// recovery points can only be read with the same data key.
/// </summary>
public sealed record LocalSecrets(string DataKey, string WebhookSecret, string? ApiKey)
{
    public static LocalSecrets Create(bool withApiKey = false) => new(
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        Convert.ToHexString(RandomNumberGenerator.GetBytes(16)),
        withApiKey ? Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant() : null);

    public static LocalSecrets LoadOrCreate(string dataFolder)
    {
        string path = Path.Combine(dataFolder, "secrets.json");
        if (File.Exists(path))
        {
            return System.Text.Json.JsonSerializer.Deserialize<LocalSecrets>(File.ReadAllText(path))
                ?? throw new InvalidOperationException($"{path} is empty; restore it or start on a new data folder.");
        }

        LocalSecrets secrets = Create(withApiKey: true);
        File.WriteAllText(path, System.Text.Json.JsonSerializer.Serialize(secrets));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return secrets;
    }
}
