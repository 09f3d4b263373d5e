using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Xunit;

namespace QlikBackup.Qlik.Simulator.Tests;

public sealed class AuthTests(SimulatorFixture sim) : IClassFixture<SimulatorFixture>
{
    private static async Task<HttpResponseMessage> TokenAsync(HttpClient client, JsonObject body) => await client.PostAsync("/oauth/token", SimulatorFixture.Json(body));

    [Fact]
    public async Task Client_credentials_token_acts_as_the_clients_user_and_form_posts_work()
    {
        var userId = sim.Host.Tenant.Read(s => s.Users.First(u => !u.IsTenantAdmin).Id);
        var (id, secret) = sim.Host.CreateOAuthClient(userId, allowImpersonation: false);
        using var anonymous = sim.ClientFor(null);
        var response = await anonymous.PostAsync("/oauth/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = id, ["client_secret"] = secret,
        }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var token = await SimulatorFixture.ReadJson(response);
        Assert.Equal("bearer", token["token_type"]!.GetValue<string>());
        Assert.True(DateTimeOffset.Parse(token["expires_at"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture) > DateTimeOffset.UtcNow);
        using var client = sim.ClientFor(token["access_token"]!.GetValue<string>());
        Assert.Equal(userId, (await SimulatorFixture.ReadJson(await client.GetAsync("/api/v1/users/me")))["id"]!.GetValue<string>());

        // This client may not impersonate.
        var denied = await TokenAsync(anonymous, new JsonObject
        {
            ["grant_type"] = "urn:qlik:oauth:user-impersonation", ["client_id"] = id, ["client_secret"] = secret,
            ["user_lookup"] = new JsonObject { ["field"] = "userId", ["value"] = sim.Host.AdminUserId },
        });
        await QlikAssert.ErrorAsync(denied, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Impersonation_by_subject_and_bad_secrets()
    {
        var seeded = sim.Host.Seeded!;
        var user = sim.Host.Tenant.Read(s => s.Users.First(u => !u.IsTenantAdmin));
        using var anonymous = sim.ClientFor(null);
        var ok = await TokenAsync(anonymous, new JsonObject
        {
            ["grant_type"] = "urn:qlik:oauth:user-impersonation", ["client_id"] = seeded.OAuthClientId, ["client_secret"] = seeded.OAuthClientSecret,
            ["user_lookup"] = new JsonObject { ["field"] = "subject", ["value"] = user.Subject }, ["scope"] = "user_default",
        });
        using var asUser = sim.ClientFor((await SimulatorFixture.ReadJson(ok))["access_token"]!.GetValue<string>());
        Assert.Equal(user.Id, (await SimulatorFixture.ReadJson(await asUser.GetAsync("/api/v1/users/me")))["id"]!.GetValue<string>());

        var bad = await TokenAsync(anonymous, new JsonObject { ["grant_type"] = "client_credentials", ["client_id"] = seeded.OAuthClientId, ["client_secret"] = "wrong" });
        await QlikAssert.ErrorAsync(bad, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Latency_fault_delays_requests()
    {
        sim.Host.Faults.Latency = TimeSpan.FromMilliseconds(300);
        try
        {
            var sw = Stopwatch.StartNew();
            Assert.Equal(HttpStatusCode.OK, (await sim.Admin.GetAsync("/api/v1/spaces/types")).StatusCode);
            // Below 300 on purpose: a timer can end a little before a Stopwatch says its time has passed, never 50 ms before.
            Assert.True(sw.ElapsedMilliseconds >= 250, $"took {sw.ElapsedMilliseconds} ms");
        }
        finally
        {
            sim.Host.Faults.Latency = TimeSpan.Zero;
        }
    }
}
