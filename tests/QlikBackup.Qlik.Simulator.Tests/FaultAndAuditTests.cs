using System.Net;
using System.Text.Json.Nodes;
using Xunit;

namespace QlikBackup.Qlik.Simulator.Tests;

public sealed class FaultAndAuditTests(SimulatorFixture sim) : IClassFixture<SimulatorFixture>
{
    [Fact]
    public async Task Rate_limit_fault_answers_429_with_Retry_After_then_recovers()
    {
        sim.Host.Faults.RateLimitNext(2, retryAfterSeconds: 3, pathPrefix: "/api/v1/spaces");
        Assert.Equal(HttpStatusCode.OK, (await sim.Admin.GetAsync("/api/v1/users/me")).StatusCode); // other paths unaffected
        for (var i = 0; i < 2; i++)
        {
            var response = await sim.Admin.GetAsync("/api/v1/spaces");
            await QlikAssert.ErrorAsync(response, HttpStatusCode.TooManyRequests);
            Assert.Equal(TimeSpan.FromSeconds(3), response.Headers.RetryAfter?.Delta);
        }
        Assert.Equal(HttpStatusCode.OK, (await sim.Admin.GetAsync("/api/v1/spaces")).StatusCode);
    }

    [Fact]
    public async Task Server_error_fault_and_download_reset()
    {
        sim.Host.Faults.FailNext(1, 503, "/api/v1/items");
        await QlikAssert.ErrorAsync(await sim.Admin.GetAsync("/api/v1/items"), HttpStatusCode.ServiceUnavailable);
        Assert.Equal(HttpStatusCode.OK, (await sim.Admin.GetAsync("/api/v1/items")).StatusCode);

        var appId = sim.Host.Tenant.Read(s => s.Apps.First(a => a.SpaceId is not null).Id);
        var location = (await sim.Admin.PostAsync($"/api/v1/apps/{appId}/export", null)).Headers.Location!.ToString();
        sim.Host.Faults.ResetNextDownloadAfter(1000);
        await Assert.ThrowsAnyAsync<Exception>(async () => await (await sim.Admin.GetAsync(location)).Content.ReadAsByteArrayAsync());
        var retry = await sim.Admin.GetAsync(location);
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.True((await retry.Content.ReadAsByteArrayAsync()).Length > 1000);
    }

    [Fact]
    public async Task Changes_are_audited_with_the_acting_user_and_credential()
    {
        var create = await sim.Admin.PostAsync("/api/v1/spaces", SimulatorFixture.Json(new JsonObject { ["name"] = "Audited space", ["type"] = "shared" }));
        Assert.Equal(HttpStatusCode.Created, create.StatusCode);
        var spaceId = (await SimulatorFixture.ReadJson(create))["id"]!.GetValue<string>();
        var audits = await SimulatorFixture.ReadJson(await sim.Admin.GetAsync("/api/v1/audits?eventType=com.qlik.space.created&limit=100"));
        var evt = audits["data"]!.AsArray().Single(e => e!["extensions"]!["topLevelResourceId"]!.GetValue<string>() == spaceId)!;
        Assert.Equal(sim.Host.AdminUserId, evt["userId"]!.GetValue<string>());
        var keyId = sim.Host.Tenant.Read(s => s.ApiKeys.Single(k => k.Token == sim.Host.AdminApiKey).Id);
        Assert.Equal(keyId, evt["extensions"]!["actor"]!["apiKeyId"]!.GetValue<string>());
        var byId = await SimulatorFixture.ReadJson(await sim.Admin.GetAsync($"/api/v1/audits/{evt["id"]}"));
        Assert.Equal(evt["eventId"]!.GetValue<string>(), byId["eventId"]!.GetValue<string>());
    }

    [Fact]
    public async Task Api_key_token_is_returned_only_on_create_and_works_as_bearer()
    {
        var created = await SimulatorFixture.ReadJson(await sim.Admin.PostAsync("/api/v1/api-keys",
            SimulatorFixture.Json(new JsonObject { ["description"] = "test key", ["expiry"] = "P1D" })));
        var token = created["token"]!.GetValue<string>();
        var again = await SimulatorFixture.ReadJson(await sim.Admin.GetAsync($"/api/v1/api-keys/{created["id"]}"));
        Assert.Null(again["token"]);
        using var client = sim.ClientFor(token);
        var me = await SimulatorFixture.ReadJson(await client.GetAsync("/api/v1/users/me"));
        Assert.Equal(sim.Host.AdminUserId, me["id"]!.GetValue<string>());
    }
}
