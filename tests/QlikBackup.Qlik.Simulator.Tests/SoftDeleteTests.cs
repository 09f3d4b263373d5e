using System.Net;
using System.Text.Json.Nodes;
using QlikBackup.Qlik.Simulator.Model;
using Xunit;

namespace QlikBackup.Qlik.Simulator.Tests;

/// <summary>Reference §15: soft delete (kept 14 days, same id on restore), hard delete of young apps, and their events.</summary>
public sealed class SoftDeleteTests : IAsyncLifetime
{
    private readonly SimulatorFixture _sim = new();
    public Task InitializeAsync() => _sim.InitializeAsync();
    public Task DisposeAsync() => _sim.DisposeAsync();

    private const string RestorePath = "/api/analytics/apps/{0}/actions/restore";

    private SimApp SeededAppWithAlert() => _sim.Host.Tenant.Read(s => s.Apps.First(a =>
        a.SpaceId is not null && s.Resource(ResourceKinds.DataAlerts).Any(r => r["appId"]?.GetValue<string>() == a.Id)));

    private List<SimAuditEvent> Events(string appId) => _sim.Host.Tenant.Read(s => s.Audits.Where(e => e.Data["id"]?.GetValue<string>() == appId).ToList());

    [Fact]
    public async Task An_old_app_is_soft_deleted_and_restored_with_its_id_without_its_alerts()
    {
        var app = SeededAppWithAlert();
        var objects = _sim.Host.Tenant.Read(s => s.FindApp(app.Id)!.Document.Objects.Count);
        Assert.Equal(HttpStatusCode.OK, (await _sim.Admin.DeleteAsync($"/api/v1/apps/{app.Id}")).StatusCode);

        Assert.Equal(HttpStatusCode.NotFound, (await _sim.Admin.GetAsync($"/api/v1/apps/{app.Id}")).StatusCode);
        var events = Events(app.Id);
        Assert.Equal("SOFT", events.Single(e => e.EventType == "com.qlik.app.deleted").Data["deleteType"]!.GetValue<string>());
        var purgeAt = DateTimeOffset.Parse(events.Single(e => e.EventType == "com.qlik.app.softdeleted").Data["purgeAt"]!.GetValue<string>());
        Assert.InRange(purgeAt - DateTimeOffset.UtcNow, TimeSpan.FromDays(13.9), TimeSpan.FromDays(14));

        var restored = await _sim.Admin.PostAsync(string.Format(RestorePath, app.Id), null);
        Assert.Equal(HttpStatusCode.OK, restored.StatusCode);
        var attributes = (await SimulatorFixture.ReadJson(restored))["attributes"]!;
        Assert.Equal(app.Id, attributes["id"]!.GetValue<string>());
        Assert.Equal(app.SpaceId, attributes["spaceId"]!.GetValue<string>());
        Assert.Equal(objects, _sim.Host.Tenant.Read(s => s.FindApp(app.Id)!.Document.Objects.Count));
        // Qlik deletes the app's data alerts and subscriptions with it and does not bring them back.
        Assert.False(_sim.Host.Tenant.Read(s => s.Resource(ResourceKinds.DataAlerts).Any(r => r["appId"]?.GetValue<string>() == app.Id)));

        // Restored: no longer deleted, so a second restore is 404.
        Assert.Equal(HttpStatusCode.NotFound, (await _sim.Admin.PostAsync(string.Format(RestorePath, app.Id), null)).StatusCode);
    }

    [Fact]
    public async Task A_young_app_is_hard_deleted_and_cannot_be_restored()
    {
        var spaceId = _sim.Host.Tenant.Read(s => s.Spaces.First(x => x.Type == "shared").Id);
        var created = await SimulatorFixture.ReadJson(await _sim.Admin.PostAsync("/api/v1/apps",
            SimulatorFixture.Json(new JsonObject { ["attributes"] = new JsonObject { ["name"] = "young", ["spaceId"] = spaceId } })));
        var appId = created["attributes"]!["id"]!.GetValue<string>();
        await _sim.Admin.DeleteAsync($"/api/v1/apps/{appId}");

        var events = Events(appId);
        Assert.Equal("HARD", events.Single(e => e.EventType == "com.qlik.app.deleted").Data["deleteType"]!.GetValue<string>());
        Assert.Contains(events, e => e.EventType == "com.qlik.app.harddeleted");
        var answer = await _sim.Admin.PostAsync(string.Format(RestorePath, appId), null);
        Assert.Equal(HttpStatusCode.NotFound, answer.StatusCode);
        Assert.Equal("HTTP-404", (await SimulatorFixture.ReadJson(answer))["errors"]![0]!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task Past_purgeAt_unknown_and_live_apps_answer_404()
    {
        var app = SeededAppWithAlert();
        await _sim.Admin.DeleteAsync($"/api/v1/apps/{app.Id}");
        _sim.Host.Tenant.ExpireSoftDeleteWindow(app.Id);
        Assert.Equal(HttpStatusCode.NotFound, (await _sim.Admin.PostAsync(string.Format(RestorePath, app.Id), null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _sim.Admin.PostAsync(string.Format(RestorePath, Guid.NewGuid()), null)).StatusCode);
        var live = _sim.Host.Tenant.Read(s => s.Apps.First(a => a.SpaceId is not null).Id);
        Assert.Equal(HttpStatusCode.NotFound, (await _sim.Admin.PostAsync(string.Format(RestorePath, live), null)).StatusCode);
    }

    [Fact]
    public async Task Only_a_tenant_admin_or_the_owner_may_restore()
    {
        var app = _sim.Host.Tenant.Read(s => s.Apps.First(a => a.SpaceId is not null && a.OwnerId != _sim.Host.AdminUserId));
        await _sim.Admin.DeleteAsync($"/api/v1/apps/{app.Id}");
        var other = _sim.Host.Tenant.Read(s => s.Users.First(u => !u.IsTenantAdmin && u.Id != app.OwnerId && u.Status == "active").Id);
        using var stranger = _sim.ClientFor(await _sim.ImpersonateAsync(other));
        Assert.Equal(HttpStatusCode.Forbidden, (await stranger.PostAsync(string.Format(RestorePath, app.Id), null)).StatusCode);
        using var owner = _sim.ClientFor(await _sim.ImpersonateAsync(app.OwnerId));
        Assert.Equal(HttpStatusCode.OK, (await owner.PostAsync(string.Format(RestorePath, app.Id), null)).StatusCode);
    }
}
