using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using QlikBackup.DevServices.Azurite;
using QlikBackup.Qlik.Simulator;
using QlikBackup.Qlik.Simulator.Seeding;

namespace QlikBackup.LocalHost.Demo;

/// <summary>Everything a local run starts: Azurite, a simulated tenant, and the backup host wired to both.</summary>
public sealed class LocalEnvironment : IAsyncDisposable
{
    LocalEnvironment(AzuriteServer azurite, QlikSimulatorHost tenant, LocalBackupHost host, string dataFolder, bool keepData, string webhookSecret)
    {
        WebhookSecret = webhookSecret;
        Azurite = azurite;
        Tenant = tenant;
        Host = host;
        DataFolder = dataFolder;
        KeepData = keepData;
    }

    public AzuriteServer Azurite { get; }
    public QlikSimulatorHost Tenant { get; }
    public LocalBackupHost Host { get; }
    public string DataFolder { get; }
    public string WebhookSecret { get; }
    bool KeepData { get; }

    public static async Task<LocalEnvironment> StartAsync(DemoTenantSpec spec, bool keepData, ILoggerFactory? logs, CancellationToken ct)
    {
        // On disk rather than in memory: the Durable task hub lives there and would survive a restart of this process.
        string data = Path.Combine(Path.GetTempPath(), "qlikbackup-local-" + DateTime.UtcNow.ToString("yyyyMMddHHmmss"));
        AzuriteServer azurite = await AzuriteServer.StartAsync(Path.Combine(data, "azurite"), ct: ct);
        QlikSimulatorHost tenant = await QlikSimulatorHost.StartAsync(new SimulatorOptions { Seed = spec, SaveOnStop = false }, ct);
        var settings = LocalSettings.For(azurite.ConnectionString, tenant);
        LocalBackupHost host = await LocalBackupHost.StartAsync(settings, logs, ct);
        return new LocalEnvironment(azurite, tenant, host, data, keepData, settings["Webhooks:Secret"]!);
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
                await Tenant.DisposeAsync();
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
    public static Dictionary<string, string?> For(string storageConnection, QlikSimulatorHost tenant)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Storage:ConnectionString"] = storageConnection,
            ["DurableTaskHubName"] = "QlikBackupLocal",
            ["Crypto:KeyProvider"] = "Local",
            // A fresh key per run: the run's data is thrown away with it.
            ["Crypto:LocalKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Qlik:TenantUrl"] = tenant.BaseUrl.ToString(),
            ["Qlik:TenantId"] = "demo-tenant",
            ["Qlik:ApiKey"] = tenant.AdminApiKey,
            ["Capture:MaxParallelAssetsPerSpace"] = "8",
            // What a Qlik webhook pointed at the local API must be registered with.
            ["Webhooks:Secret"] = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)),
        };
        var oauth = tenant.Tenant.Read(s => s.OAuthClients.FirstOrDefault(c => c.AllowsImpersonation));
        if (oauth is not null)
        {
            settings["Qlik:OAuthClientId"] = oauth.ClientId;
            settings["Qlik:OAuthClientSecret"] = oauth.ClientSecret;
        }

        return settings;
    }
}
