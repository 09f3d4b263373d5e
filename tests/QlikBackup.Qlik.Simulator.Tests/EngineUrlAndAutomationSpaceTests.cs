using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using QlikBackup.Qlik.Simulator.Api;
using QlikBackup.Qlik.Simulator.Model;
using Xunit;

namespace QlikBackup.Qlik.Simulator.Tests;

/// <summary>Issue 10, item 11: Qlik's other Engine URL forms, and automations that live in spaces.</summary>
public sealed class EngineUrlAndAutomationSpaceTests(SimulatorFixture sim) : IClassFixture<SimulatorFixture>
{
    [Theory]
    [InlineData("")]
    [InlineData("/identity/backup-session")]
    [InlineData("/ttl/30")]
    [InlineData("/identity/backup-session/ttl/30")]
    public async Task Every_Engine_URL_form_Qlik_clients_use_opens_a_session(string suffix)
    {
        string appId = sim.Host.Tenant.Read(s => s.Apps.First().Id);
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + sim.Host.AdminApiKey);
        var url = new UriBuilder(sim.Host.BaseUrl) { Scheme = "ws", Path = $"/app/{appId}{suffix}" }.Uri;

        await socket.ConnectAsync(url, new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);

        var buffer = new byte[4096];
        var received = await socket.ReceiveAsync(buffer, CancellationToken.None);
        var first = JsonNode.Parse(Encoding.UTF8.GetString(buffer, 0, received.Count))!;
        Assert.Equal("OnConnected", first["method"]!.GetValue<string>());
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
    }

    [Fact]
    public async Task An_automation_keeps_its_space_and_changes_space_and_owner_through_Qliks_actions()
    {
        var (space, other, user) = sim.Host.Tenant.Read(s =>
        {
            var shared = s.Spaces.Where(x => x.Type == SpaceTypes.Shared).OrderBy(x => x.Name).ToList();
            return (shared[0].Id, shared[1].Id, s.Users.First(u => u.Id != s.Users[0].Id).Id);
        });
        Assert.Contains(sim.Host.Tenant.Read(s => s.Resource(ResourceKinds.Automations).ToList()), a => a.Str("spaceId") is not null);

        var created = await SimulatorFixture.ReadJson(await sim.Admin.PostAsync("/api/v1/automations",
            SimulatorFixture.Json(new JsonObject { ["name"] = "in a space", ["spaceId"] = space })));
        string id = created["id"]!.GetValue<string>();
        Assert.Equal(space, created["spaceId"]!.GetValue<string>());

        var moved = await sim.Admin.PostAsync($"/api/v1/automations/{id}/actions/change-space", SimulatorFixture.Json(new JsonObject { ["spaceId"] = other }));
        Assert.Equal(HttpStatusCode.NoContent, moved.StatusCode);
        var owned = await sim.Admin.PostAsync($"/api/v1/automations/{id}/actions/change-owner", SimulatorFixture.Json(new JsonObject { ["userId"] = user }));
        Assert.Equal(HttpStatusCode.NoContent, owned.StatusCode);

        var now = await SimulatorFixture.ReadJson(await sim.Admin.GetAsync($"/api/v1/automations/{id}"));
        Assert.Equal((other, user), (now["spaceId"]!.GetValue<string>(), now["ownerId"]!.GetValue<string>()));
        var inSpace = await SimulatorFixture.ReadJson(await sim.Admin.GetAsync($"/api/v1/automations?spaceId={other}&limit=200"));
        Assert.Contains(inSpace["data"]!.AsArray(), a => a!["id"]!.GetValue<string>() == id);
        await QlikAssert.ErrorAsync(await sim.Admin.PostAsync("/api/v1/automations", SimulatorFixture.Json(new JsonObject { ["name"] = "x", ["spaceId"] = "no-such-space" })), HttpStatusCode.BadRequest);
    }
}
