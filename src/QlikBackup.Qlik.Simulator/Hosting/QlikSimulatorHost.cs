using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using QlikBackup.Qlik.Simulator.Api;
using QlikBackup.Qlik.Simulator.Engine;
using QlikBackup.Qlik.Simulator.Model;
using QlikBackup.Qlik.Simulator.Seeding;

namespace QlikBackup.Qlik.Simulator;

/// <summary>A running simulated tenant on 127.0.0.1 (REST under /api/v1, /oauth/token, Engine WebSocket under /app/{appId}).</summary>
public sealed class QlikSimulatorHost : IAsyncDisposable
{
    /// <summary>Description of the API key the host keeps for its admin user (found again after a reload from disk).</summary>
    public const string AdminKeyDescription = "simulator admin key";

    private readonly WebApplication _app;
    private readonly SimulatorOptions _options;
    private int _stopped;

    private QlikSimulatorHost(WebApplication app, SimulatorOptions options, SimulatedTenant tenant, SimulatorFaults faults,
        WebhookDispatcher webhooks, Uri baseUrl, string adminApiKey, string adminUserId)
    {
        _app = app;
        _options = options;
        Tenant = tenant;
        Faults = faults;
        Webhooks = webhooks;
        BaseUrl = baseUrl;
        AdminApiKey = adminApiKey;
        AdminUserId = adminUserId;
    }

    public Uri BaseUrl { get; }
    public string AdminApiKey { get; }
    public string AdminUserId { get; }
    public SimulatedTenant Tenant { get; }
    public SimulatorFaults Faults { get; }
    public WebhookDispatcher Webhooks { get; }
    /// <summary>The app's services (e.g. EndpointDataSource for route checks).</summary>
    public IServiceProvider Services => _app.Services;

    public static async Task<QlikSimulatorHost> StartAsync(SimulatorOptions options, CancellationToken ct = default)
    {
        var tenant = LoadOrCreateTenant(options);
        var (adminUserId, adminKey) = EnsureAdmin(tenant, options.AdminApiKey);
        var faults = new SimulatorFaults();

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(QlikSimulatorHost).Assembly.GetName().Name,
            Args = [],
        });
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, options.Port));
        builder.Logging.ClearProviders();
        if (options.ConsoleLogLevel is { } level)
            builder.Logging.AddSimpleConsole().SetMinimumLevel(level);
        builder.Services.AddSingleton(tenant);
        builder.Services.AddSingleton(faults);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<WebhookDispatcher>();
        builder.Services.Configure<Microsoft.AspNetCore.Http.Features.FormOptions>(f => f.MultipartBodyLengthLimit = 1L << 30);
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = null);

        var app = builder.Build();
        app.UseWebSockets();
        app.UseMiddleware<SimulatorMiddleware>();
        app.UseRouting();
        app.UseMiddleware<NotFoundMiddleware>();
        RestApi.Map(app);
        EngineEndpoint.Map(app, tenant, faults);

        var webhooks = app.Services.GetRequiredService<WebhookDispatcher>();
        await app.StartAsync(ct);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new QlikSimulatorHost(app, options, tenant, faults, webhooks, new Uri(address.TrimEnd('/') + "/"), adminKey, adminUserId);
    }

    /// <summary>Waits for webhook deliveries in flight (tests).</summary>
    public Task FlushWebhooksAsync() => Webhooks.FlushAsync();

    public void Save(string folder) => TenantPersistence.Save(Tenant, folder);

    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1) return;
        await _app.StopAsync();
        await Webhooks.FlushAsync();
        if (_options is { StateFolder: { } folder, SaveOnStop: true }) TenantPersistence.Save(Tenant, folder);
        await _app.DisposeAsync();
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private static SimulatedTenant LoadOrCreateTenant(SimulatorOptions options)
    {
        if (options.StateFolder is { } folder && TenantPersistence.Exists(folder))
            return TenantPersistence.Load(folder, options.Time);
        var tenant = new SimulatedTenant(time: options.Time);
        if (options.Seed is { } spec) DemoTenantSeeder.Seed(tenant, spec);
        return tenant;
    }

    /// <summary>Makes sure a TenantAdmin user with a usable API key exists; returns its id and token.</summary>
    private static (string UserId, string Token) EnsureAdmin(SimulatedTenant tenant, string? fixedToken)
        => tenant.Write(SimulatedActor.System, c =>
        {
            var s = c.State;
            var admin = s.Users.FirstOrDefault(u => u.IsTenantAdmin && u.Status == "active");
            if (admin is null)
            {
                admin = new SimUser
                {
                    Id = Ids.NewObjectId(), Name = "Simulator Admin", Email = "admin@simulated.example", Subject = "auth0|sim-admin",
                    AssignedRoles = ["TenantAdmin", "AnalyticsAdmin", "DataAdmin"], CreatedAt = c.Now, LastUpdatedAt = c.Now,
                };
                s.Users.Add(admin);
            }
            var key = s.ApiKeys.FirstOrDefault(k => k.Description == AdminKeyDescription && k.Sub == admin.Id && k.Status == "active" && k.Expiry > c.Now);
            if (key is not null && (fixedToken is null || key.Token == fixedToken)) return (admin.Id, key.Token);
            key = new SimApiKey
            {
                Id = Ids.NewObjectId(), Token = fixedToken ?? Ids.NewToken(), Sub = admin.Id, Description = AdminKeyDescription,
                Expiry = c.Now.AddYears(1), Created = c.Now, LastUpdated = c.Now, CreatedByUser = admin.Id,
            };
            s.ApiKeys.Add(key);
            return (admin.Id, key.Token);
        });
}
