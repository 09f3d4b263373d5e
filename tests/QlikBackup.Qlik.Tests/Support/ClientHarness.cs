using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using QlikBackup.Qlik.Auth;
using QlikBackup.Qlik.Contracts;
using QlikBackup.Qlik.Rest;
using QlikBackup.Qlik.Simulator;
using QlikBackup.Qlik.Simulator.Model;

namespace QlikBackup.Qlik.Tests.Support;

/// <summary>
/// A simulated tenant on loopback plus the real client wired by <c>AddQlikClient</c>, with short delays so the
/// suite stays fast, and a recorder on both the REST and the OAuth HttpClients.
/// </summary>
public sealed class ClientHarness : IAsyncDisposable
{
    public const string OAuthClientId = "backup-m2m";
    public const string OAuthClientSecret = "backup-m2m-secret";

    private ClientHarness(QlikSimulatorHost simulator, ServiceProvider services, RequestLog log)
    {
        Simulator = simulator;
        Services = services;
        Log = log;
    }

    public QlikSimulatorHost Simulator { get; }
    public ServiceProvider Services { get; }
    public RequestLog Log { get; }
    public IQlikRestClient Client => Services.GetRequiredService<IQlikRestClient>();
    public IQlikAccessTokenProvider Tokens => Services.GetRequiredService<IQlikAccessTokenProvider>();

    /// <param name="oauth">Authenticate with an OAuth M2M client (allowed to impersonate) instead of the admin API key.</param>
    /// <param name="clock">The client's clock (retry waits, attempt timeouts, token expiry); the system clock by default.</param>
    public static async Task<ClientHarness> StartAsync(
        bool oauth = false, IDictionary<string, string?>? settings = null, SimulatorOptions? simulatorOptions = null, TimeProvider? clock = null)
    {
        var simulator = await QlikSimulatorHost.StartAsync(simulatorOptions ?? new SimulatorOptions());
        try
        {
            var config = new Dictionary<string, string?>
            {
                ["Qlik:TenantUrl"] = simulator.BaseUrl.ToString(),
                ["Qlik:PageSize"] = "3",
                ["Qlik:RetryBaseDelay"] = "00:00:00.050",
                ["Qlik:RetryMaxDelay"] = "00:00:00.200",
                ["Qlik:MaxRetryAttempts"] = "4",
                ["Qlik:ExportPollInterval"] = "00:00:00.100",
                ["Qlik:RequestTimeout"] = "00:00:20",
            };
            if (oauth)
            {
                AddOAuthClient(simulator);
                config["Qlik:OAuthClientId"] = OAuthClientId;
                config["Qlik:OAuthClientSecret"] = OAuthClientSecret;
            }
            else
            {
                config["Qlik:ApiKey"] = simulator.AdminApiKey;
            }
            foreach (var (k, v) in settings ?? new Dictionary<string, string?>()) config[k] = v;

            var log = new RequestLog();
            var services = new ServiceCollection();
            services.AddLogging();
            if (clock is not null) services.AddSingleton(clock);
            services.AddQlikClient(new ConfigurationBuilder().AddInMemoryCollection(config).Build())
                .AddHttpMessageHandler(() => new RecordingHandler(log));
            services.AddHttpClient(QlikHttpClientNames.OAuth).AddHttpMessageHandler(() => new RecordingHandler(log));
            return new ClientHarness(simulator, services.BuildServiceProvider(validateScopes: true), log);
        }
        catch
        {
            await simulator.DisposeAsync();
            throw;
        }
    }

    /// <summary>An M2M client acting as the admin user, allowed client_credentials and impersonation.</summary>
    private static void AddOAuthClient(QlikSimulatorHost simulator) =>
        simulator.Tenant.Write(SimulatedActor.System, c => c.State.OAuthClients.Add(new SimOAuthClient
        {
            ClientId = OAuthClientId,
            ClientSecret = OAuthClientSecret,
            ClientName = "backup",
            UserId = simulator.AdminUserId,
            AllowedGrantTypes = ["client_credentials", SimOAuthClient.ImpersonationGrant],
            CreatedAt = c.Now,
        }));

    /// <summary>Adds an active user straight into the tenant model (users normally come from the IdP).</summary>
    public string AddUser(string name) => Simulator.Tenant.Write(SimulatedActor.System, c =>
    {
        var user = new SimUser
        {
            Id = Ids.NewObjectId(), Name = name, Email = $"{name.ToLowerInvariant()}@simulated.example", Subject = $"auth0|{name}",
            AssignedRoles = ["SharedSpaceCreator"], CreatedAt = c.Now, LastUpdatedAt = c.Now,
        };
        c.State.Users.Add(user);
        return user.Id;
    });

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        await Simulator.DisposeAsync();
    }
}
