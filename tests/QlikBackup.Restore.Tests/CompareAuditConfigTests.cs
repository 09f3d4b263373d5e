using Microsoft.Extensions.DependencyInjection;

namespace QlikBackup.Restore.Tests;

/// <summary>Compare, audit, and tenant-configuration restores.</summary>
[Collection(RestoreCollection.Name)]
public sealed class CompareAuditConfigTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Compare_lists_added_removed_and_changed_objects_with_json_paths_and_a_script_line_diff()
    {
        await using var h = await RestoreHarness.StartAsync(azurite);
        string appId = h.SharedApp();
        var doc = h.App(appId).Document;
        string sheet = doc.Objects.Values.First(o => o.QType == "sheet" && o.Published).Id;
        string bookmark = doc.Objects.Values.First(o => o.QType == "bookmark" && o.Published).Id;
        string oldTitle = doc.Objects[sheet].Properties["qProperty"]!["qMetaDef"]!["title"]!.GetValue<string>();
        var first = await h.CaptureAsync(AssetKind.App, appId);
        h.Tenant.UpdateAppDocument(appId, new SimulatedActor(h.App(appId).OwnerId), (_, d) =>
        {
            d.Objects[sheet].Properties["qProperty"]!["qMetaDef"]!["title"] = "Renamed";
            d.Objects.Remove(bookmark);
            d.Script = d.Script.Replace("LOAD", "LOAD DISTINCT", StringComparison.Ordinal);
            return 0;
        });
        var second = await h.CaptureAsync(AssetKind.App, appId);

        foreach (var comparison in new[] { await h.Restore.CompareAsync(first.PointId, second.PointId), await h.Restore.CompareAsync(first.PointId, null) })
        {
            var changed = Assert.Single(comparison.Changed, c => c.Part == CapturePartNames.Object(EngineObjectClass.GenericObject, sheet));
            var title = Assert.Single(changed.Changes);
            Assert.Equal(("$.qProperty.qMetaDef.title", $"\"{oldTitle}\"", "\"Renamed\""), (title.Path, title.Old, title.New));
            Assert.Contains(CapturePartNames.Object(EngineObjectClass.Bookmark, bookmark), comparison.Removed);
            Assert.Contains(comparison.Changed, c => c.Part == CapturePartNames.Script);
            var script = Assert.IsType<ScriptDiff>(comparison.Script);
            Assert.True(script.Added > 0 && script.Added == script.Removed);
            Assert.All(script.Lines.Where(l => l.Kind == DiffLineKind.Added), l => Assert.Contains("LOAD DISTINCT", l.Text));
            Assert.True(comparison.Unchanged > 5);
        }
        Assert.Equal("live", (await h.Restore.CompareAsync(first.PointId, null)).Right);

        var space = await h.CaptureAsync(AssetKind.Space, h.App(appId).SpaceId!);
        var ex = await Assert.ThrowsAsync<RestoreRequestException>(() => h.Restore.CompareAsync(first.PointId, space.PointId));
        Assert.Equal(400, ex.Status);
    }

    [Fact]
    public async Task Each_restore_is_audited_once_in_the_table_and_the_daily_append_blob()
    {
        await using var h = await RestoreHarness.StartAsync(azurite);
        string appId = h.SharedApp();
        var point = await h.CaptureAsync(AssetKind.App, appId);
        var (plan, result) = await h.RestoreAsync(new RestoreRequest { Scope = RestoreScope.Object, PointId = point.PointId, ObjectId = "script", Operator = "alice@example.com" });

        // The orchestration's audit activity may run twice (a retry after a timeout): one entry either way.
        await h.Restore.RecordAuditAsync(plan, result, TimeSpan.FromSeconds(3));
        await h.Restore.RecordAuditAsync(plan, result, TimeSpan.FromSeconds(3));
        var failed = await h.Restore.PlanAsync(new RestoreRequest { Scope = RestoreScope.App, PointId = point.PointId, Operator = "bob@example.com" });
        await h.Restore.RecordAuditAsync(failed, new RestoreResult(failed.RestoreId, false, [], new Dictionary<string, string>(), null, "Qlik API 503"), TimeSpan.FromSeconds(9));

        var log = h.Services.GetRequiredService<RestoreAuditLog>();
        var day = await log.ReadDayAsync(h.TenantId, DateOnly.FromDateTime(plan.CreatedAt!.Value.UtcDateTime));
        Assert.Equal(2, day.Count);
        var entry = Assert.Single(day, e => e.RestoreId == plan.RestoreId);
        Assert.Equal(("alice@example.com", RestoreScope.Object, RestoreOutcomeKind.Succeeded, point.PointId, appId),
            (entry.Operator, entry.Scope, entry.Outcome, entry.PointIds.Single(), entry.RestoredAssetId));
        Assert.Equal(plan.Summary, entry.PlanSummary);
        Assert.Equal(TimeSpan.FromSeconds(3), entry.Duration);
        Assert.Contains(appId, entry.Assets.Single());
        var recent = await log.RecentAsync(h.TenantId, 10);
        Assert.Equal([failed.RestoreId, plan.RestoreId], recent.Select(r => r.RestoreId));
        Assert.Equal((RestoreOutcomeKind.Failed, "Qlik API 503"), (recent[0].Outcome, recent[0].Error));
    }

    [Fact]
    public async Task Tenant_configuration_restores_deleted_webhooks_and_groups_by_kind_with_a_secret_checklist()
    {
        await using var h = await RestoreHarness.StartAsync(azurite);
        var webhook = h.Tenant.Read(s => (System.Text.Json.Nodes.JsonObject)s.Resource(ResourceKinds.Webhooks).First().DeepClone());
        // A custom group: Qlik's API recreates those (identity-provider groups come back from the IdP; see FidelityTests).
        var created = await h.Rest.CreateAsync(QlikResourceKind.Group, System.Text.Json.JsonSerializer.SerializeToElement(new { name = "Auditors", assignedRoles = new[] { new { name = "Developer" } } }));
        var group = h.Tenant.Read(s => s.FindGroup(created.Id)!);
        string webhookId = webhook["id"]!.GetValue<string>();
        await h.CaptureAsync(AssetKind.Webhook, webhookId);
        await h.CaptureAsync(AssetKind.Group, group.Id);
        string unchangedUser = h.Tenant.Read(s => s.Users.First(u => !u.IsTenantAdmin).Id);
        await h.CaptureAsync(AssetKind.User, unchangedUser);
        await Task.Delay(20);
        var incident = DateTimeOffset.UtcNow;
        await h.Rest.DeleteAsync(QlikResourceKind.Webhook, webhookId);
        await h.Rest.DeleteAsync(QlikResourceKind.Group, group.Id);

        var (plan, result) = await h.RestoreAsync(new RestoreRequest
        {
            Scope = RestoreScope.TenantConfig, Kinds = [AssetKind.Webhook, AssetKind.Group, AssetKind.User], IncidentTime = incident, Operator = RestoreHarness.Operator,
        });

        Assert.Equal([AssetKind.Group, AssetKind.User, AssetKind.Webhook], plan.Actions.Select(a => a.AssetKind));
        Assert.Equal([RestoreActionKind.Create, RestoreActionKind.Skip, RestoreActionKind.Create], plan.Actions.Select(a => a.Kind));
        Assert.Contains(plan.ReconfigurationChecklist, c => c.Contains("secret") && c.Contains(webhook["name"]!.GetValue<string>()));
        var restoredHook = h.Tenant.Read(s => s.Resource(ResourceKinds.Webhooks).Single(w => w["name"]!.GetValue<string>() == webhook["name"]!.GetValue<string>()));
        Assert.Equal(webhook["url"]!.GetValue<string>(), restoredHook["url"]!.GetValue<string>());
        Assert.Equal(webhook["eventTypes"]!.ToJsonString(), restoredHook["eventTypes"]!.ToJsonString());
        Assert.Equal(restoredHook["id"]!.GetValue<string>(), result.IdMap[webhookId]);
        var restoredGroup = h.Tenant.Read(s => s.Groups.Single(g => g.Name == group.Name));
        Assert.Equal(group.AssignedRoles, restoredGroup.AssignedRoles);

        // The same request again finds everything in place.
        var again = await h.Restore.PlanAsync(new RestoreRequest
        {
            Scope = RestoreScope.TenantConfig, Kinds = [AssetKind.Webhook, AssetKind.Group], IncidentTime = incident, Operator = RestoreHarness.Operator,
        });
        Assert.All(again.Actions, a => Assert.Equal(RestoreActionKind.Skip, a.Kind));
    }
}
