using System.Text.Json;
using QlikBackup.Core.Storage;

namespace QlikBackup.Restore.Tests;

/// <summary>Retries, bad requests and dry runs: what must never duplicate or change anything.</summary>
[Collection(RestoreCollection.Name)]
public sealed class RequestTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Retried_execution_after_lost_responses_creates_no_duplicate_app_objects_or_tasks()
    {
        await using var h = await RestoreHarness.StartAsync(azurite);
        string appId = h.Tenant.Read(s => s.Resource(ResourceKinds.ReloadTasks).Select(t => t["appId"]!.GetValue<string>()).First());
        var original = h.App(appId);
        int tasks = h.ReloadTasksOf(appId).Count;
        await h.CaptureAsync(AssetKind.App, appId);
        await h.DeleteAppPastWindowAsync(appId);
        var planned = await h.Restore.PlanAsync(new RestoreRequest { Scope = RestoreScope.App, AssetId = appId, Operator = RestoreHarness.Operator });
        // The plan reaches the execute activity through Durable's JSON (and the HTTP API's camelCase JSON): run what comes out.
        var plan = JsonSerializer.Deserialize<RestorePlan>(JsonSerializer.Serialize(planned))!;
        var web = JsonSerializer.Deserialize<RestorePlan>(JsonSerializer.Serialize(planned, JsonSerializerOptions.Web), JsonSerializerOptions.Web)!;
        Assert.Equal(planned.Actions, plan.Actions);
        Assert.Equal(planned.Actions, web.Actions);
        Assert.Equal(planned.Targets, web.Targets);

        // Qlik imports the app and creates the first reload task (as its owner), but both answers are lost: the activity fails twice.
        h.Faults.LoseResponse(nameof(IQlikRestClient.ImportAppAsync));
        h.Faults.LoseResponse(nameof(IQlikRestClient.CreateAsAsync));
        await Assert.ThrowsAsync<HttpRequestException>(() => h.Restore.ExecuteAsync(plan));
        Assert.Single(AppsNamed(h, original.Name, original.SpaceId));
        await Assert.ThrowsAsync<HttpRequestException>(() => h.Restore.ExecuteAsync(web));
        var result = await h.Restore.ExecuteAsync(plan);
        Assert.Equal(2, h.Faults.Injected);

        Assert.True(result.Succeeded);
        string restored = Assert.Single(AppsNamed(h, original.Name, original.SpaceId));
        Assert.Equal(restored, result.RestoredAssetId);
        var manifest = await h.Store.ReadManifestAsync(h.TenantId, plan.Points[0].ManifestRef!);
        int capturedObjects = manifest.Parts.Count(p => ObjectPartName.Parse(p.Name) is not null);
        Assert.Equal(capturedObjects, h.Tenant.Read(s => s.FindApp(restored)!.Document.Objects.Count));
        Assert.Equal(tasks, h.ReloadTasksOf(restored).Count);

        // Running the finished plan once more changes nothing.
        string before = h.TenantJson();
        var again = await h.Restore.ExecuteAsync(plan);
        Assert.Equal(restored, again.RestoredAssetId);
        Assert.Equal(before, h.TenantJson());
    }

    [Fact]
    public async Task Unknown_point_is_a_404_and_changes_nothing()
    {
        await using var h = await RestoreHarness.StartAsync(azurite);
        foreach (var pointId in new[] { RecoveryPointIds.Create(AssetKind.App, "no-such-app", DateTimeOffset.UtcNow), "not-a-point-id" })
            await RejectedAsync(h, new RestoreRequest { Scope = RestoreScope.App, PointId = pointId, Operator = RestoreHarness.Operator }, 404, pointId);
        await RejectedAsync(h, new RestoreRequest { Scope = RestoreScope.App, AssetId = h.SharedApp(), IncidentTime = DateTimeOffset.UtcNow, Operator = RestoreHarness.Operator }, 404, "before");
    }

    [Fact]
    public async Task Scope_that_does_not_match_the_point_is_a_400()
    {
        await using var h = await RestoreHarness.StartAsync(azurite);
        string appId = h.SharedApp();
        var app = await h.CaptureAsync(AssetKind.App, appId);
        var space = await h.CaptureAsync(AssetKind.Space, h.App(appId).SpaceId!);
        var webhookId = h.Tenant.Read(s => s.Resource(ResourceKinds.Webhooks).First()["id"]!.GetValue<string>());
        var webhook = await h.CaptureAsync(AssetKind.Webhook, webhookId);

        foreach (var (scope, point, objectId) in new[]
        {
            (RestoreScope.Space, app, (string?)null),
            (RestoreScope.App, space, null),
            (RestoreScope.Object, webhook, "some-object"),
            (RestoreScope.TenantConfig, app, null),
        })
        {
            await RejectedAsync(h, new RestoreRequest { Scope = scope, PointId = point.PointId, ObjectId = objectId, Operator = RestoreHarness.Operator }, 400, point.Kind.ToString());
        }
        await RejectedAsync(h, new RestoreRequest { Scope = RestoreScope.Object, PointId = app.PointId, ObjectId = "not-in-the-point", Operator = RestoreHarness.Operator }, 404, "not-in-the-point");
    }

    [Fact]
    public async Task Missing_target_space_without_create_is_a_404_and_changes_nothing()
    {
        await using var h = await RestoreHarness.StartAsync(azurite);
        string appId = h.SharedApp();
        var point = await h.CaptureAsync(AssetKind.App, appId);
        var validation = new RestoreRequest { Scope = RestoreScope.App, PointId = point.PointId, Target = RestoreTargetKind.ValidationSpace, Operator = RestoreHarness.Operator };
        await RejectedAsync(h, validation with { TargetSpaceName = "no-such-space" }, 404, "no-such-space");
        await RejectedAsync(h, validation with { TargetSpaceId = "000000000000000000000000" }, 404, "000000000000000000000000");
        await RejectedAsync(h, validation, 404, "validation-" + point.Name);

        // A deleted app whose space is gone as well: 404 unless the operator asks for the space to be created.
        string spaceId = h.App(appId).SpaceId!;
        h.Tenant.Write(SimulatedActor.System, c =>
        {
            c.State.Apps.RemoveAll(a => a.SpaceId == spaceId);
            c.State.Resource(ResourceKinds.DataConnections).RemoveAll(d => d["space"]?.GetValue<string>() == spaceId);
            c.State.Resource(ResourceKinds.AutomationConnections).RemoveAll(d => d["spaceId"]?.GetValue<string>() == spaceId);
        });
        await h.Rest.DeleteSpaceAsync(spaceId);
        await RejectedAsync(h, new RestoreRequest { Scope = RestoreScope.App, PointId = point.PointId, Operator = RestoreHarness.Operator }, 404, "Space scope");
    }

    /// <summary>Plans <paramref name="request"/>, expects a refusal with <paramref name="status"/> whose detail names
    /// <paramref name="mentions"/>, and checks that the tenant did not change.</summary>
    static async Task RejectedAsync(RestoreHarness h, RestoreRequest request, int status, string mentions)
    {
        string before = h.TenantJson();
        var ex = await Assert.ThrowsAsync<RestoreRequestException>(() => h.Restore.PlanAsync(request));
        Assert.Equal(status, ex.Status);
        Assert.Contains(mentions, ex.Message);
        Assert.Equal(before, h.TenantJson());
    }

    [Fact]
    public async Task Dry_run_plans_every_change_and_leaves_the_tenant_byte_identical()
    {
        await using var h = await RestoreHarness.StartAsync(azurite);
        string appId = h.SharedApp();
        var point = await h.CaptureAsync(AssetKind.App, appId);
        string sheet = h.Tenant.Read(s => s.FindApp(appId)!.Document.Objects.Values.First(o => o.QType == "sheet" && o.Published).Id);
        h.Tenant.UpdateAppDocument(appId, new SimulatedActor(h.App(appId).OwnerId), (_, doc) =>
        {
            doc.Objects[sheet].Properties["qProperty"]!["qMetaDef"]!["title"] = "changed";
            doc.Script += "\n// edited";
            return 0;
        });
        string before = h.TenantJson();

        var plan = await h.Restore.PlanAsync(new RestoreRequest { Scope = RestoreScope.App, PointId = point.PointId, DryRun = true, Operator = RestoreHarness.Operator });
        var result = await h.Restore.ExecuteAsync(plan);

        Assert.Contains(plan.Actions, a => a.Kind == RestoreActionKind.Replace && a.ObjectId == sheet);
        Assert.Contains(plan.Actions, a => a.Kind == RestoreActionKind.Replace && a.Step == RestoreStep.Script);
        Assert.Contains(plan.Actions, a => a.Kind == RestoreActionKind.Skip);
        Assert.Empty(result.Done);
        Assert.Equal(before, h.TenantJson());
    }

    static List<string> AppsNamed(RestoreHarness h, string name, string? spaceId)
        => h.Tenant.Read(s => s.Apps.Where(a => a.Name == name && a.SpaceId == spaceId).Select(a => a.Id).ToList());
}
