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
        var (tenant, seeded) = LoadOrCreateTenant(options);
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
        return new QlikSimulatorHost(app, options, tenant, faults, webhooks, new Uri(address.TrimEnd('/') + "/"), adminKey, adminUserId) { Seeded = seeded };
    }

    /// <summary>What the seeder generated (null when the tenant was loaded from disk or not seeded).</summary>
    public DemoTenantInfo? Seeded { get; private init; }

    /// <summary>Issues an API key for a user (tests acting as someone else); returns the bearer token.</summary>
    public string CreateApiKey(string userId, string description = "test key")
        => Tenant.Write(SimulatedActor.System, c =>
        {
            if (c.State.FindUser(userId) is null) throw new ArgumentException($"Unknown user '{userId}'.", nameof(userId));
            var key = new SimApiKey
            {
                Id = Ids.NewObjectId(), Token = Ids.NewToken(), Sub = userId, Description = description,
                Expiry = c.Now.AddDays(30), Created = c.Now, LastUpdated = c.Now, CreatedByUser = userId,
            };
            c.State.ApiKeys.Add(key);
            return key.Token;
        });

    /// <summary>Registers an OAuth M2M client acting as <paramref name="userId"/>; optionally allowed to impersonate users.</summary>
    public (string ClientId, string ClientSecret) CreateOAuthClient(string userId, bool allowImpersonation)
        => Tenant.Write(SimulatedActor.System, c =>
        {
            var client = new SimOAuthClient
            {
                ClientId = Ids.NewObjectId() + Ids.NewObjectId()[..8], ClientSecret = Ids.NewToken(), ClientName = "test client", UserId = userId, CreatedAt = c.Now,
                AllowedGrantTypes = allowImpersonation ? ["client_credentials", SimOAuthClient.ImpersonationGrant] : ["client_credentials"],
            };
            c.State.OAuthClients.Add(client);
            return (client.ClientId, client.ClientSecret);
        });

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

    private static (SimulatedTenant, DemoTenantInfo?) LoadOrCreateTenant(SimulatorOptions options)
    {
        if (options.StateFolder is { } folder && TenantPersistence.Exists(folder))
            return (TenantPersistence.Load(folder, options.Time), null);
        var tenant = new SimulatedTenant(time: options.Time);
        return (tenant, options.Seed is { } spec ? DemoTenantSeeder.Seed(tenant, spec) : null);
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
