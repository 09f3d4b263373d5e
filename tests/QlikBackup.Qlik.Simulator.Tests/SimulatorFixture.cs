using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using QlikBackup.Qlik.Simulator.Model;
using QlikBackup.Qlik.Simulator.Seeding;
using Xunit;

namespace QlikBackup.Qlik.Simulator.Tests;

/// <summary>A demo-seeded simulator plus raw HttpClients (tests use plain HTTP, never the product client).</summary>
public class SimulatorFixture : IAsyncLifetime
{
    public QlikSimulatorHost Host { get; private set; } = null!;
    public HttpClient Admin { get; private set; } = null!;

    protected virtual DemoTenantSpec Spec => DemoTenantSpec.Demo;

    public async Task InitializeAsync()
    {
        Host = await QlikSimulatorHost.StartAsync(new SimulatorOptions { Seed = Spec });
        Admin = ClientFor(Host.AdminApiKey);
    }

    public HttpClient ClientFor(string? token)
    {
        var client = new HttpClient { BaseAddress = Host.BaseUrl };
        if (token is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>An access token acting as <paramref name="userId"/> through the seeded OAuth client (impersonation grant).</summary>
    public async Task<string> ImpersonateAsync(string userId)
    {
        var client = Host.Tenant.Read(s => s.OAuthClients.Single(c => c.AllowsImpersonation));
        using var anonymous = ClientFor(null);
        var response = await anonymous.PostAsync("/oauth/token", Json(new JsonObject
        {
            ["grant_type"] = SimOAuthClient.ImpersonationGrant,
            ["client_id"] = client.ClientId,
            ["client_secret"] = client.ClientSecret,
            ["user_lookup"] = new JsonObject { ["field"] = "userId", ["value"] = userId },
        }));
        response.EnsureSuccessStatusCode();
        return (await ReadJson(response))["access_token"]!.GetValue<string>();
    }

    public static StringContent Json(JsonNode node) => new(node.ToJsonString(), Encoding.UTF8, "application/json");

    public static async Task<JsonNode> ReadJson(HttpResponseMessage response)
        => JsonNode.Parse(await response.Content.ReadAsStringAsync()) ?? throw new InvalidOperationException("empty body");

    public async Task DisposeAsync()
    {
        Admin.Dispose();
        await Host.DisposeAsync();
    }
}
