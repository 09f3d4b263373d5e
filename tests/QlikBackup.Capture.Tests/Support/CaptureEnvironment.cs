using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Capture;
using QlikBackup.Core.Capture.Webhooks;
using QlikBackup.Core.Retention;
using QlikBackup.Core.Storage;
using QlikBackup.Core.Verify;
using QlikBackup.DevServices.Azurite;
using QlikBackup.Qlik.Contracts;
using QlikBackup.Qlik.Simulator;
using QlikBackup.Qlik.Simulator.Model;
using QlikBackup.Qlik.Simulator.Seeding;

namespace QlikBackup.Capture.Tests.Support;

/// <summary>
/// One Azurite and one simulated Large tenant (≥ 50 apps in 7 spaces) for the whole collection. Each test builds its own
/// engine with <see cref="CreateEngine"/> under a fresh tenant id, so points, catalog, tiers and keys never mix between
/// tests; tests that change the simulated tenant pick apps no other test uses.
/// </summary>
public sealed class CaptureEnvironment : IAsyncLifetime
{
    public const string WebhookSecret = "capture-tests-webhook-secret-0123456789";

    public AzuriteServer Azurite { get; private set; } = null!;
    public QlikSimulatorHost Simulator { get; private set; } = null!;
    public SimulatedTenant Tenant => Simulator.Tenant;

    public string StorageConnection => Azurite.ConnectionString;

    public async Task InitializeAsync()
    {
        Task<AzuriteServer> azurite = AzuriteServer.StartAsync();
        Simulator = await QlikSimulatorHost.StartAsync(new SimulatorOptions { Seed = DemoTenantSpec.Large with { QvfDataBytes = 8 * 1024 }, SaveOnStop = false });
        Azurite = await azurite;
    }

    public async Task DisposeAsync()
    {
        if (Simulator is not null) await Simulator.DisposeAsync();
        if (Azurite is not null) await Azurite.DisposeAsync();
    }

    /// <summary>The engine as the hosts wire it (AddQlikClient, AddQlikEngine, AddRecoveryPointStorage, AddCaptureEngine).</summary>
    /// <param name="configure">Runs after the hosts' registrations (e.g. a fault-injecting Azure SDK pipeline policy).</param>
    public CaptureEngine CreateEngine(IDictionary<string, string?>? overrides = null, Action<IServiceCollection>? configure = null)
    {
        string tenantId = "t" + Guid.NewGuid().ToString("N")[..12];
        var settings = new Dictionary<string, string?>
        {
            ["Storage:ConnectionString"] = StorageConnection,
            ["Crypto:KeyProvider"] = "Local",
            ["Crypto:LocalKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Qlik:TenantUrl"] = Simulator.BaseUrl.ToString(),
            ["Qlik:TenantId"] = tenantId,
            ["Qlik:ApiKey"] = Simulator.AdminApiKey,
            ["Qlik:RetryBaseDelay"] = "00:00:00.050",
            ["Qlik:RetryMaxDelay"] = "00:00:00.200",
            ["Qlik:ExportPollInterval"] = "00:00:00.050",
            ["Qlik:MaxConcurrentRequests"] = "16",
            ["Capture:MaxParallelPartsPerAsset"] = "8",
            ["Webhooks:Secret"] = WebhookSecret,
        };
        SimOAuthClient? oauth = Tenant.Read(s => s.OAuthClients.FirstOrDefault(c => c.AllowsImpersonation));
        if (oauth is not null)
        {
            settings["Qlik:OAuthClientId"] = oauth.ClientId;
            settings["Qlik:OAuthClientSecret"] = oauth.ClientSecret;
        }

        foreach ((string key, string? value) in overrides ?? new Dictionary<string, string?>()) settings[key] = value;
        IConfiguration config = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging(l => l.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton(TimeProvider.System);
        services.AddQlikClient(config);
        services.AddQlikEngine();
        services.AddRecoveryPointStorage(config);
        services.AddCaptureEngine(config);
        configure?.Invoke(services);
        return new CaptureEngine(services.BuildServiceProvider(validateScopes: true), tenantId);
    }

    /// <summary>Apps of a space as the simulator holds them.</summary>
    public IReadOnlyList<string> AppIdsIn(string spaceId) => Tenant.Read(s => s.Apps.Where(a => a.SpaceId == spaceId).Select(a => a.Id).ToList());
}

[CollectionDefinition(Name)]
public sealed class CaptureCollection : ICollectionFixture<CaptureEnvironment>
{
    public const string Name = "capture engine against the simulator and Azurite";
}

/// <summary>One engine under its own tenant id.</summary>
public sealed class CaptureEngine(ServiceProvider services, string tenantId) : IAsyncDisposable
{
    public string TenantId { get; } = tenantId;
    public ServiceProvider Services { get; } = services;
    public ICaptureService Capture => Services.GetRequiredService<ICaptureService>();
    public ISpaceTierStore Tiers => Services.GetRequiredService<ISpaceTierStore>();
    public IRecoveryPointIndex Index => Services.GetRequiredService<IRecoveryPointIndex>();
    public IContentStore Store => Services.GetRequiredService<IContentStore>();
    public IWebhookIntake Webhooks => Services.GetRequiredService<IWebhookIntake>();
    public RetentionService Retention => Services.GetRequiredService<RetentionService>();
    public IQlikRestClient Rest => Services.GetRequiredService<IQlikRestClient>();

    /// <summary>Verify over this engine's stores (the hosts register it with AddQlikBackup, which these tests do not use).</summary>
    public VerifyService Verify => ActivatorUtilities.CreateInstance<VerifyService>(Services, ActivatorUtilities.CreateInstance<PointVerifier>(Services));

    /// <summary>
    /// One run over the spaces (all of one tier), as the tier orchestration does: the run begins (one audit read), every asset
    /// is captured with bounded parallelism within the run, then the deleted check, and the run ends (the cursor moves).
    /// </summary>
    public async Task<List<AssetCaptureResult>> CaptureSpacesAsync(IEnumerable<SpaceCaptureTarget> spaces, int parallel = 8)
    {
        var results = new System.Collections.Concurrent.ConcurrentBag<AssetCaptureResult>();
        List<SpaceCaptureTarget> targets = spaces.ToList();
        if (targets.Count == 0) return [];
        Tier tier = targets[0].Tier;
        CaptureRunContext run = await Capture.BeginRunAsync(tier, "run-" + Guid.NewGuid().ToString("N"));
        foreach (SpaceCaptureTarget space in targets)
        {
            IReadOnlyList<AssetRef> assets = await Capture.ListAssetsAsync(space, run);
            await Parallel.ForEachAsync(assets, new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (asset, ct) =>
                results.Add(await Capture.CaptureAssetAsync(asset, space.Tier, CaptureTrigger.Schedule, run, ct)));
            foreach (AssetCaptureResult deleted in await Capture.MarkDeletedAsync(space, assets, run)) results.Add(deleted);
        }

        await Capture.EndRunAsync(tier, run, advanceCursor: true);
        return results.ToList();
    }

    public async Task<AssetCaptureResult> CaptureAppAsync(string appId, Tier tier = Tier.T3, CaptureTrigger trigger = CaptureTrigger.OnDemand)
        => await Capture.CaptureAssetAsync(new AssetRef(AssetKind.App, appId), tier, trigger);

    public async Task<Manifest> ManifestAsync(string pointId)
    {
        RecoveryPoint point = await Index.GetAsync(TenantId, pointId) ?? throw new InvalidOperationException($"No point {pointId}.");
        return await Store.ReadManifestAsync(TenantId, point.ManifestRef!);
    }

    public async Task<IReadOnlyList<RecoveryPoint>> PointsAsync(AssetKind kind, string assetId) => await Index.GetNewestAsync(TenantId, kind, assetId, 100);

    public async ValueTask DisposeAsync() => await Services.DisposeAsync();
}
