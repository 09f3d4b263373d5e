using System.Reflection;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Capture;
using QlikBackup.Core.Restore;
using QlikBackup.Core.Storage;
using QlikBackup.DevServices.Azurite;
using QlikBackup.Qlik.Contracts;
using QlikBackup.Qlik.Simulator;
using QlikBackup.Qlik.Simulator.Model;
using QlikBackup.Qlik.Simulator.Seeding;

namespace QlikBackup.Restore.Tests.Support;

/// <summary>One Azurite for the whole collection (starting it is the slow part).</summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    public AzuriteServer Azurite { get; private set; } = null!;

    public string ConnectionString => Azurite.ConnectionString;

    public async Task InitializeAsync() => Azurite = await AzuriteServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (Azurite is not null) await Azurite.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class RestoreCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "restore engine against the simulator and Azurite";
}

/// <summary>
/// A fresh simulated demo tenant per test (tests delete apps and spaces), and the engines as the hosts wire them
/// (AddQlikClient, AddQlikEngine, AddRecoveryPointStorage, AddCaptureEngine, AddRestoreEngine) under a fresh tenant id.
/// </summary>
public sealed class RestoreHarness : IAsyncDisposable
{
    /// <summary>Who asks for the restores in these tests (the audit log records it).</summary>
    public const string Operator = "ops@example.com";

    RestoreHarness(QlikSimulatorHost simulator, ServiceProvider services, string tenantId, FaultyRest faults)
    {
        Simulator = simulator;
        Services = services;
        TenantId = tenantId;
        Faults = faults;
    }

    public QlikSimulatorHost Simulator { get; }
    public SimulatedTenant Tenant => Simulator.Tenant;
    public ServiceProvider Services { get; }
    public string TenantId { get; }
    /// <summary>Lost-response faults on the REST client (the call reaches Qlik, then the caller sees an error).</summary>
    public FaultyRest Faults { get; }

    public ICaptureService Capture => Services.GetRequiredService<ICaptureService>();
    public IRestoreService Restore => Services.GetRequiredService<IRestoreService>();
    public IRecoveryPointIndex Index => Services.GetRequiredService<IRecoveryPointIndex>();
    public IContentStore Store => Services.GetRequiredService<IContentStore>();
    public IQlikRestClient Rest => Services.GetRequiredService<IQlikRestClient>();
    public IQlikEngine Engine => Services.GetRequiredService<IQlikEngine>();

    /// <param name="time">The engines' clock (capture times, planning's "now"); the simulated tenant keeps the system clock.</param>
    public static async Task<RestoreHarness> StartAsync(AzuriteFixture azurite, DemoTenantSpec? spec = null, TimeProvider? time = null)
    {
        var simulator = await QlikSimulatorHost.StartAsync(new SimulatorOptions { Seed = spec ?? DemoTenantSpec.Demo with { QvfDataBytes = 2048 }, SaveOnStop = false });
        string tenantId = "r" + Guid.NewGuid().ToString("N")[..12];
        var settings = new Dictionary<string, string?>
        {
            ["Storage:ConnectionString"] = azurite.ConnectionString,
            ["Crypto:KeyProvider"] = "Local",
            ["Crypto:LocalKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Qlik:TenantUrl"] = simulator.BaseUrl.ToString(),
            ["Qlik:TenantId"] = tenantId,
            ["Qlik:ApiKey"] = simulator.AdminApiKey,
            ["Qlik:RetryBaseDelay"] = "00:00:00.020",
            ["Qlik:RetryMaxDelay"] = "00:00:00.100",
            ["Qlik:ExportPollInterval"] = "00:00:00.020",
            ["Capture:ListingCacheDuration"] = "00:00:00",
        };
        var oauth = simulator.Tenant.Read(s => s.OAuthClients.First(c => c.AllowsImpersonation));
        settings["Qlik:OAuthClientId"] = oauth.ClientId;
        settings["Qlik:OAuthClientSecret"] = oauth.ClientSecret;
        IConfiguration config = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();

        var services = new ServiceCollection();
        services.AddLogging(l => l.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton(time ?? TimeProvider.System);
        services.AddQlikClient(config);
        services.AddQlikEngine();
        services.AddRecoveryPointStorage(config);
        services.AddCaptureEngine(config);
        services.AddRestoreEngine(config);
        var faults = FaultyRest.Decorate(services);
        return new RestoreHarness(simulator, services.BuildServiceProvider(validateScopes: true), tenantId, faults);
    }

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        await Simulator.DisposeAsync();
    }

    // ---- capture ------------------------------------------------------------------------------------------------

    /// <summary>Captures one asset now and returns its newest point.</summary>
    public async Task<RecoveryPoint> CaptureAsync(AssetKind kind, string id)
    {
        var result = await Capture.CaptureAssetAsync(new AssetRef(kind, id), Tier.T3, CaptureTrigger.OnDemand);
        Assert.True(result.Outcome is CaptureOutcome.Captured or CaptureOutcome.Unchanged, $"Capture of {kind} {id}: {result.Outcome} {result.Error}");
        return (await Index.GetNewestAsync(TenantId, kind, id, 1)).Single();
    }

    /// <summary>Files a copy of <paramref name="point"/> as captured at <paramref name="at"/> (same content) and removes the original,
    /// so a history of versions can be laid out in the past. The copy gets its own manifest, naming its own point id, as a
    /// capture at that time would have written (restore verifies that a row names its own manifest).</summary>
    public async Task<RecoveryPoint> RedateAsync(RecoveryPoint point, DateTimeOffset at, string? changedBy = null, string? client = null)
    {
        string pointId = RecoveryPointIds.Create(point.Kind, point.AssetId, at);
        string? manifestRef = null;
        if (point.ManifestRef is { } original)
        {
            Manifest manifest = await Store.ReadManifestAsync(TenantId, original);
            manifestRef = (await Store.PutManifestAsync(TenantId, manifest with { PointId = pointId })).ContentRef;
        }

        var moved = point with
        {
            PointId = pointId, CapturedAt = at, ManifestRef = manifestRef,
            ChangedBy = changedBy ?? point.ChangedBy, ChangedAt = at.AddMinutes(-5), ChangedFromClient = client ?? point.ChangedFromClient,
        };
        await Index.AddAsync(moved);
        await Index.DeleteAsync(TenantId, point.PointId);
        return moved;
    }

    // ---- restore ------------------------------------------------------------------------------------------------

    public async Task<(RestorePlan Plan, RestoreResult Result)> RestoreAsync(RestoreRequest request)
    {
        var plan = await Restore.PlanAsync(request);
        var result = await Restore.ExecuteAsync(plan);
        Assert.True(result.Succeeded, result.Error);
        return (plan, result);
    }

    // ---- simulator state ----------------------------------------------------------------------------------------

    /// <summary>Deletes the app and puts it past Qlik's soft-delete window (as after 14 days), so only an import brings it back.</summary>
    public async Task DeleteAppPastWindowAsync(string appId)
    {
        await Rest.DeleteAppAsync(appId);
        if (Tenant.Read(s => s.FindDeletedApp(appId)) is not null) Tenant.ExpireSoftDeleteWindow(appId);
    }

    public SimApp App(string appId) => Tenant.Read(s => s.FindApp(appId)) ?? throw new InvalidOperationException($"No app {appId}.");

    /// <summary>A shared-space app (not a published copy) with charts on sheets and private objects of other users.</summary>
    public string SharedApp(int index = 0) => Tenant.Read(s => s.Apps
        .Where(a => a.SpaceId is { } sp && s.FindSpace(sp)!.Type == SpaceTypes.Shared)
        .OrderBy(a => a.Name, StringComparer.Ordinal).Select(a => a.Id).ElementAt(index));

    /// <summary>Every top-level object of the app, as the simulator stores it (owner, flags, dates, property JSON).</summary>
    public IReadOnlyDictionary<string, string> Objects(string appId) => Tenant.Read(s => s.FindApp(appId)!.Document.Objects.Values
        .ToDictionary(o => o.Id, o => $"{o.ObjectClass}|{o.QType}|{o.OwnerId}|{o.Published}|{o.Approved}|{o.ModifiedDate:O}|{o.Properties.ToJsonString()}"));

    /// <summary>The same without modification dates (contents equal the point, whenever they were written).</summary>
    public IReadOnlyDictionary<string, string> Contents(string appId) => Tenant.Read(s => s.FindApp(appId)!.Document.Objects.Values
        .ToDictionary(o => o.Id, o => $"{o.ObjectClass}|{o.QType}|{o.OwnerId}|{o.Published}|{o.Approved}|{o.Properties.ToJsonString()}"));

    /// <summary>The whole tenant as JSON, without issued access tokens (reading as another user issues one).</summary>
    public string TenantJson() => Tenant.Read(s =>
    {
        var node = JsonSerializer.SerializeToNode(s)!.AsObject();
        node.Remove(nameof(TenantState.AccessTokens));
        foreach (var app in node[nameof(TenantState.Apps)]!.AsArray())
            app!["DataPayload"] = Convert.ToBase64String(s.FindApp(app["Id"]!.GetValue<string>())!.Document.DataPayload);
        return node.ToJsonString();
    });

    public IReadOnlyList<JsonObject> ReloadTasksOf(string appId) => Tenant.Read(s => s.Resource(ResourceKinds.ReloadTasks)
        .Where(t => t["appId"]?.GetValue<string>() == appId).Select(t => (JsonObject)t.DeepClone()).ToList());

    /// <summary>What must survive a restore of a schedule: recurrence, time zone, window and flags.</summary>
    public static string Schedule(JsonObject task)
        => string.Join("|", new[] { "recurrence", "timeZone", "startDateTime", "endDateTime", "partial", "autoReload", "autoReloadPartial", "state" }
            .Select(f => task[f]?.ToJsonString() ?? "null"));
}

/// <summary>
/// Wraps the registered <see cref="IQlikRestClient"/>: an armed method runs against Qlik and then throws once, as if the
/// response were lost — the hardest case for an idempotent retry.
/// </summary>
public class FaultyRest : DispatchProxy
{
    readonly Dictionary<string, int> _armed = [];
    readonly Lock _gate = new();
    public IQlikRestClient Inner { get; set; } = null!;
    public FaultyRest Control { get; set; } = null!;
    public int Injected { get; private set; }
    /// <summary>Every call made through the client, in order (method name and arguments), for tests of what was sent to Qlik.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<(string Method, object?[] Args)> Calls { get; } = new();

    /// <summary>The next <paramref name="times"/> calls of <paramref name="method"/> succeed in Qlik and then throw.</summary>
    public void LoseResponse(string method, int times = 1)
    {
        lock (_gate) _armed[method] = times;
    }

    public static FaultyRest Decorate(IServiceCollection services)
    {
        var control = new FaultyRest();
        var original = services.Last(d => d.ServiceType == typeof(IQlikRestClient));
        services.Remove(original);
        services.Add(new ServiceDescriptor(typeof(IQlikRestClient), sp =>
        {
            var inner = (IQlikRestClient)(original.ImplementationFactory?.Invoke(sp) ?? original.ImplementationInstance
                ?? ActivatorUtilities.CreateInstance(sp, original.ImplementationType!));
            var proxy = Create<IQlikRestClient, FaultyRest>();
            var p = (FaultyRest)(object)proxy;
            p.Inner = inner;
            p.Control = control;
            return proxy;
        }, original.Lifetime));
        return control;
    }

    bool Take(string method)
    {
        lock (_gate)
        {
            if (!_armed.TryGetValue(method, out int n) || n <= 0) return false;
            _armed[method] = n - 1;
            Injected++;
            return true;
        }
    }

    protected override object? Invoke(MethodInfo? method, object?[]? args)
    {
        Control.Calls.Enqueue((method!.Name, args ?? []));
        var result = method.Invoke(Inner, args);
        if (result is Task task && Control.Take(method.Name))
            return Fail(task, method);
        return result;
    }

    static object Fail(Task task, MethodInfo method)
    {
        // Await the real call, then fault a task of the same type.
        var resultType = method.ReturnType.IsGenericType ? method.ReturnType.GetGenericArguments()[0] : null;
        var helper = typeof(FaultyRest).GetMethod(resultType is null ? nameof(FailVoid) : nameof(FailTyped), BindingFlags.NonPublic | BindingFlags.Static)!;
        return (resultType is null ? helper : helper.MakeGenericMethod(resultType)).Invoke(null, [task, method.Name])!;
    }

    static async Task FailVoid(Task task, string name)
    {
        await task;
        throw new HttpRequestException($"Injected: the response of {name} was lost.");
    }

    static async Task<T> FailTyped<T>(Task task, string name)
    {
        await task;
        throw new HttpRequestException($"Injected: the response of {name} was lost.");
    }
}
