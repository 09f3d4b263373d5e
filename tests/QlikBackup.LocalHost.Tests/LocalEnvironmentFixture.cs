using System.Net.Http.Json;
using System.Text.Json;
using QlikBackup.LocalHost.Demo;
using QlikBackup.Qlik.Simulator.Seeding;

namespace QlikBackup.LocalHost.Tests;

/// <summary>The API test classes share one local environment (one Azurite, one host): started once, never twice at a time.</summary>
[CollectionDefinition(Name)]
public sealed class LocalHostCollection : ICollectionFixture<LocalEnvironmentFixture>
{
    public const string Name = "local host";
}

/// <summary>One local environment (Azurite, simulated tenant, local Durable host) shared by the API tests.</summary>
public sealed class LocalEnvironmentFixture : IAsyncLifetime
{
    public LocalEnvironment Env { get; private set; } = null!;

    public HttpClient Api { get; private set; } = null!;

    /// <summary>The answer to the very first request of the fresh host, a GET (cold start).</summary>
    public (int Status, string? MediaType, string Body) FirstGet { get; private set; }

    public async Task InitializeAsync()
    {
        var spec = DemoTenantSpec.Demo with { AppsPerSpace = 1, PersonalApps = 0 };
        Env = await LocalEnvironment.StartAsync(spec, keepData: false, logs: null, CancellationToken.None);
        Api = new HttpClient { BaseAddress = Env.Host.ApiBaseUrl, Timeout = TimeSpan.FromMinutes(3) };
        using HttpResponseMessage first = await Api.GetAsync("api/spaces/tiers");
        FirstGet = ((int)first.StatusCode, first.Content.Headers.ContentType?.MediaType, await first.Content.ReadAsStringAsync());
    }

    public async Task DisposeAsync()
    {
        Api.Dispose();
        await Env.DisposeAsync();
    }

    /// <summary>Polls GET /api/operations/{id} until the operation leaves Pending/Running.</summary>
    public async Task<JsonElement> WaitAsync(string id, TimeSpan? timeout = null)
    {
        DateTime deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromMinutes(4));
        while (true)
        {
            JsonElement op = await Api.GetFromJsonAsync<JsonElement>($"api/operations/{Uri.EscapeDataString(id)}");
            string status = op.GetProperty("status").GetString()!;
            if (status is not ("Pending" or "Running"))
            {
                return op;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Operation {id} still {status}.");
            }

            await Task.Delay(250);
        }
    }
}
