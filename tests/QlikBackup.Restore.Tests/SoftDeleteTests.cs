using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using QlikBackup.Core.Fidelity;

namespace QlikBackup.Restore.Tests;

/// <summary>
/// A deleted app within Qlik's soft-delete window comes back through Qlik's own restore, with its own id, then what Qlik drops
/// and what changed since the point are re-applied; past the window (or hard-deleted) it is imported with a new id (reference §15).
/// </summary>
[Collection(RestoreCollection.Name)]
public sealed class SoftDeleteTests(AzuriteFixture azurite)
{
    static RestoreRequest AppRestore(string appId) => new() { Scope = RestoreScope.App, AssetId = appId, Operator = RestoreHarness.Operator };

    /// <summary>A shared-space app with reload tasks and data alerts.</summary>
    static string AppWithTasksAndAlerts(RestoreHarness h) => h.Tenant.Read(s => s.Apps.First(a =>
        a.SpaceId is { } sp && s.FindSpace(sp)!.Type == SpaceTypes.Shared
        && s.Resource(ResourceKinds.ReloadTasks).Any(t => t["appId"]?.GetValue<string>() == a.Id)
        && s.Resource(ResourceKinds.DataAlerts).Any(t => t["appId"]?.GetValue<string>() == a.Id)).Id);

    static int Attached(RestoreHarness h, string kind, string appId)
        => h.Tenant.Read(s => s.Resource(kind).Count(r => r["appId"]?.GetValue<string>() == appId));

    /// <summary>Owner, flags and properties of every object equal; property order may differ once the Engine rewrote an object.</summary>
    static void AssertSameContents(IReadOnlyDictionary<string, string> expected, IReadOnlyDictionary<string, string> actual)
    {
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (id, value) in expected)
        {
            var (e, a) = (Split(value), Split(actual[id]));
            Assert.Equal(e.Head, a.Head);
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(e.Json), JsonNode.Parse(a.Json)), $"Object {id} differs from the point.");
        }
        static (string Head, string Json) Split(string v) { int i = v.IndexOf("|{", StringComparison.Ordinal); return (v[..i], v[(i + 1)..]); }
    }

    static string Explain(FidelityResult r) => string.Join("\n", r.Differences);

    [Fact]
    public async Task Soft_deleted_app_comes_back_with_its_own_id_equal_to_its_point_attribute_by_attribute()
    {
        await using var h = await RestoreHarness.StartAsync(azurite);
        string appId = AppWithTasksAndAlerts(h);
        var original = h.App(appId);
        var contents = h.Contents(appId);
        var schedules = h.ReloadTasksOf(appId).Select(RestoreHarness.Schedule).Order().ToList();
        int alerts = Attached(h, ResourceKinds.DataAlerts, appId), subscriptions = Attached(h, ResourceKinds.SharingTasks, appId);
        var point = await h.CaptureAsync(AssetKind.App, appId);

        // After the point: description, owner, script and an object change and a sheet is added; then the app is deleted (soft: it is old).
        string otherOwner = h.Tenant.Read(s => s.Users.First(u => u.Id != original.OwnerId && u.Status == "active" && u.IsTenantAdmin).Id);
        await h.Rest.UpdateAppAsync(appId, original.Name, "changed after the point");
        await h.Rest.ChangeAppOwnerAsync(appId, otherOwner);
        h.Tenant.UpdateAppDocument(appId, SimulatedActor.System, (app, doc) =>
        {
            doc.Script += "\r\n// changed after the point";
            var sheet = doc.Objects.Values.First(o => o.QType == "sheet" && o.Published);
            sheet.Properties["qProperty"]!["qMetaDef"]!["title"] = "changed after the point";
            var added = (JsonObject)sheet.Properties.DeepClone();
            added["qProperty"]!["qInfo"]!["qId"] = "added-after-point";
            added["qChildren"] = new JsonArray();
            doc.Objects["added-after-point"] = new SimulatedObject { Id = "added-after-point", QType = "sheet", OwnerId = sheet.OwnerId, Published = true, Properties = added };
            return 0;
        });
        await h.Rest.DeleteAppAsync(appId);
        Assert.NotNull(h.Tenant.Read(s => s.FindDeletedApp(appId)));
        Assert.Equal(0, Attached(h, ResourceKinds.DataAlerts, appId)); // Qlik deletes them with the app

        var (plan, result) = await h.RestoreAsync(AppRestore(appId));

        var native = Assert.Single(plan.Actions, a => a.Step == RestoreStep.NativeRestore);
        Assert.Equal(RestoreActionKind.Create, native.Kind);
        Assert.Contains("own id", native.Description);
        Assert.Contains(plan.ReconfigurationChecklist, c => c.Contains("tags"));
        Assert.Equal(appId, result.RestoredAssetId);
        Assert.Equal(appId, result.IdMap.GetValueOrDefault(appId, appId));
        var restored = h.App(appId);
        Assert.Equal(original.Name, restored.Name);
        Assert.Equal(original.Description, restored.Description);
        Assert.Equal(original.SpaceId, restored.SpaceId);
        Assert.Equal(original.OwnerId, restored.OwnerId);
        Assert.Equal(original.Published, restored.Published);
        Assert.Equal(original.Document.Script, restored.Document.Script);
        AssertSameContents(contents, h.Contents(appId)); // every object as at the point (owner, publish state, properties); the added sheet is gone
        Assert.Equal(schedules, h.ReloadTasksOf(appId).Select(RestoreHarness.Schedule).Order().ToList());
        Assert.Equal(alerts, Attached(h, ResourceKinds.DataAlerts, appId));
        Assert.Equal(subscriptions, Attached(h, ResourceKinds.SharingTasks, appId));
        Assert.Single(h.Tenant.Read(s => s.Apps.Where(a => a.Name == original.Name && a.SpaceId == original.SpaceId).ToList()));

        var fidelity = await ActivatorUtilities.CreateInstance<FidelityCheck>(h.Services).CheckAsync(new FidelityRequest
        {
            PointId = point.PointId, LiveAssetId = appId, IdMap = result.IdMap, Checklist = plan.ReconfigurationChecklist,
        });
        Assert.True(fidelity.Equal, Explain(fidelity));
    }

    [Fact]
    public async Task App_past_its_purge_time_is_imported_with_a_new_id_and_lineage()
    {
        await using var h = await RestoreHarness.StartAsync(azurite);
        string appId = AppWithTasksAndAlerts(h);
        await h.CaptureAsync(AssetKind.App, appId);
        await h.Rest.DeleteAppAsync(appId);
        h.Tenant.ExpireSoftDeleteWindow(appId);

        var (plan, result) = await h.RestoreAsync(AppRestore(appId));

        Assert.Contains(plan.Actions, a => a.Step == RestoreStep.NativeRestore);
        string newId = Assert.IsType<string>(result.RestoredAssetId);
        Assert.NotEqual(appId, newId);
        Assert.Equal(newId, result.IdMap[appId]);
        Assert.NotEmpty(await h.Index.QueryAsync(h.TenantId, new RecoveryPointQuery { Kind = AssetKind.App, AssetId = newId }));
        Assert.Null(h.Tenant.Read(s => s.FindApp(appId)));
    }

    [Fact]
    public async Task Hard_deleted_app_is_imported_with_a_new_id()
    {
        await using var h = await RestoreHarness.StartAsync(azurite);
        string spaceId = h.App(h.SharedApp()).SpaceId!;
        // Deleted within its first 45 minutes: Qlik deletes it for good at once.
        string appId = (await h.Rest.CreateAppAsync("young app", "made and deleted within the hour", spaceId)).Id;
        await h.CaptureAsync(AssetKind.App, appId);
        await h.Rest.DeleteAppAsync(appId);
        Assert.Null(h.Tenant.Read(s => s.FindDeletedApp(appId)));

        var (_, result) = await h.RestoreAsync(AppRestore(appId));

        string newId = Assert.IsType<string>(result.RestoredAssetId);
        Assert.NotEqual(appId, newId);
        Assert.Equal("made and deleted within the hour", h.App(newId).Description);
        Assert.Equal(spaceId, h.App(newId).SpaceId);
    }

    [Fact]
    public async Task Retried_execution_after_a_lost_restore_answer_creates_no_duplicates()
    {
        await using var h = await RestoreHarness.StartAsync(azurite);
        string appId = AppWithTasksAndAlerts(h);
        var original = h.App(appId);
        int tasks = h.ReloadTasksOf(appId).Count, alerts = Attached(h, ResourceKinds.DataAlerts, appId);
        var contents = h.Contents(appId);
        await h.CaptureAsync(AssetKind.App, appId);
        await h.Rest.DeleteAppAsync(appId);
        var plan = await h.Restore.PlanAsync(AppRestore(appId));

        // Qlik restores the app and creates the first data alert (as its owner), but both answers are lost.
        h.Faults.LoseResponse(nameof(IQlikRestClient.RestoreDeletedAppAsync));
        h.Faults.LoseResponse(nameof(IQlikRestClient.CreateAsAsync));
        await Assert.ThrowsAsync<HttpRequestException>(() => h.Restore.ExecuteAsync(plan));
        await Assert.ThrowsAsync<HttpRequestException>(() => h.Restore.ExecuteAsync(plan));
        var result = await h.Restore.ExecuteAsync(plan);
        Assert.Equal(2, h.Faults.Injected);

        Assert.True(result.Succeeded);
        Assert.Equal(appId, result.RestoredAssetId);
        Assert.Single(h.Tenant.Read(s => s.Apps.Where(a => a.Name == original.Name && a.SpaceId == original.SpaceId).ToList()));
        AssertSameContents(contents, h.Contents(appId));
        Assert.Equal(tasks, h.ReloadTasksOf(appId).Count);
        Assert.Equal(alerts, Attached(h, ResourceKinds.DataAlerts, appId));

        string before = h.TenantJson();
        await h.Restore.ExecuteAsync(plan);
        Assert.Equal(before, h.TenantJson());
    }

    [Fact]
    public async Task An_app_the_index_saw_deleted_more_than_14_days_ago_is_planned_as_an_import_only()
    {
        await using var h = await RestoreHarness.StartAsync(azurite);
        string appId = h.SharedApp();
        var captured = await h.CaptureAsync(AssetKind.App, appId);
        await h.Rest.DeleteAppAsync(appId);
        var deleted = await h.Capture.CaptureAssetAsync(new AssetRef(AssetKind.App, appId), Tier.T3, CaptureTrigger.OnDemand);
        Assert.Equal(CaptureOutcome.Deleted, deleted.Outcome);
        var deletedPoint = (await h.Index.GetNewestAsync(h.TenantId, AssetKind.App, appId, 1)).Single();
        // Captured three weeks ago, deleted (as the index saw it) fifteen days ago.
        var point = await h.RedateAsync(captured, DateTimeOffset.UtcNow.AddDays(-21));
        // A Deleted point without Qlik's purgeAt (audit events unreadable when it was captured): the documented 14 days are assumed.
        await h.RedateAsync(deletedPoint with { PurgeAt = null }, DateTimeOffset.UtcNow.AddDays(-15));

        var plan = await h.Restore.PlanAsync(new RestoreRequest { Scope = RestoreScope.App, PointId = point.PointId, DryRun = true, Operator = RestoreHarness.Operator });

        Assert.DoesNotContain(plan.Actions, a => a.Step == RestoreStep.NativeRestore);
        Assert.Contains(plan.Actions, a => a.Step == RestoreStep.ImportApp && !a.Description.Contains("Only if", StringComparison.Ordinal));
        Assert.Contains(plan.Warnings, w => w.Contains("soft-delete window"));
    }

    [Fact]
    public async Task Soft_deleted_published_app_comes_back_with_its_own_id_in_its_managed_space_still_linked_to_its_source()
    {
        await using var h = await RestoreHarness.StartAsync(azurite);
        var (publishedId, managedSpace) = h.Tenant.Read(s => s.Apps.Where(a => a.Published && a.OriginAppId is not null)
            .Select(a => (a.Id, a.SpaceId!)).First());
        var original = h.App(publishedId);
        var contents = h.Contents(publishedId);
        await h.CaptureAsync(AssetKind.App, publishedId);
        await h.Rest.DeleteAppAsync(publishedId);

        var (plan, result) = await h.RestoreAsync(AppRestore(publishedId));

        Assert.Contains(plan.Actions, a => a.Step == RestoreStep.NativeRestore);
        Assert.Equal(publishedId, result.RestoredAssetId);
        var restored = h.App(publishedId);
        Assert.Equal(managedSpace, restored.SpaceId);
        Assert.Equal(original.OriginAppId, restored.OriginAppId);
        Assert.Equal(original.OwnerId, restored.OwnerId);
        Assert.True(restored.Published);
        AssertSameContents(contents, h.Contents(publishedId));
        Assert.Single(h.Tenant.Read(s => s.Apps.Where(a => a.Name == original.Name).ToList()), a => a.SpaceId == managedSpace);
    }
}

/// <summary>The soft-delete window as Qlik's events state it (purgeAt), not as assumed.</summary>
[Collection(RestoreCollection.Name)]
public sealed class PurgeAtTests(AzuriteFixture azurite)
{
    /// <summary>The system clock moved on by <see cref="Ahead"/>: the engines' "later", while the simulated tenant stays at now.</summary>
    sealed class LaterClock : TimeProvider
    {
        public TimeSpan Ahead { get; set; }
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Ahead;
    }

    [Fact]
    public async Task Capture_records_Qliks_purgeAt_and_the_planner_restores_natively_before_it_and_imports_after_it()
    {
        var clock = new LaterClock();
        await using var h = await RestoreHarness.StartAsync(azurite, time: clock);
        string appId = h.SharedApp();
        var captured = await h.CaptureAsync(AssetKind.App, appId);
        await h.Rest.DeleteAppAsync(appId);
        // Qlik states the window in its event; here it ends in 2 days, well before the documented 14, so only the recorded purgeAt tells.
        var purgeAt = h.Tenant.Write(SimulatedActor.System, c =>
        {
            var e = c.State.Audits.Last(a => a.EventType == "com.qlik.app.softdeleted" && a.Data["id"]?.GetValue<string>() == appId);
            var at = e.EventTime.AddDays(2);
            e.Data["purgeAt"] = at.ToString("O");
            return at;
        });

        var deleted = await h.Capture.CaptureAssetAsync(new AssetRef(AssetKind.App, appId), Tier.T3, CaptureTrigger.OnDemand);

        Assert.Equal(CaptureOutcome.Deleted, deleted.Outcome);
        var point = (await h.Index.GetNewestAsync(h.TenantId, AssetKind.App, appId, 1)).Single();
        Assert.Equal((RecoveryPointStatus.Deleted, purgeAt), (point.Status, point.PurgeAt));
        RestoreRequest request = new() { Scope = RestoreScope.App, PointId = captured.PointId, DryRun = true, Operator = RestoreHarness.Operator };

        // Within the window: Qlik's own restore first.
        var within = await h.Restore.PlanAsync(request);
        Assert.Contains(within.Actions, a => a.Step == RestoreStep.NativeRestore);

        // Three days on: past purgeAt (though within the 14 days once assumed), only an import can bring it back.
        clock.Ahead = TimeSpan.FromDays(3);
        var past = await h.Restore.PlanAsync(request);
        Assert.DoesNotContain(past.Actions, a => a.Step == RestoreStep.NativeRestore);
        Assert.Contains(past.Actions, a => a.Step == RestoreStep.ImportApp);
        Assert.Contains(past.Warnings, w => w.Contains($"Qlik purged it at {purgeAt:u}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_hard_deleted_app_is_recorded_with_no_window_and_planned_as_an_import_only()
    {
        await using var h = await RestoreHarness.StartAsync(azurite);
        string spaceId = h.App(h.SharedApp()).SpaceId!;
        string appId = (await h.Rest.CreateAppAsync("young app", "deleted within its first 45 minutes", spaceId)).Id;
        var captured = await h.CaptureAsync(AssetKind.App, appId);
        await h.Rest.DeleteAppAsync(appId);
        var deletedAt = h.Tenant.Read(s => s.Audits.Last(a => a.EventType == "com.qlik.app.harddeleted" && a.Data["id"]?.GetValue<string>() == appId).EventTime);

        await h.Capture.CaptureAssetAsync(new AssetRef(AssetKind.App, appId), Tier.T3, CaptureTrigger.OnDemand);

        // As Qlik's audit API states the event time: to the millisecond.
        Assert.Equal(deletedAt.AddTicks(-(deletedAt.Ticks % TimeSpan.TicksPerMillisecond)), (await h.Index.GetNewestAsync(h.TenantId, AssetKind.App, appId, 1)).Single().PurgeAt);
        var plan = await h.Restore.PlanAsync(new RestoreRequest { Scope = RestoreScope.App, PointId = captured.PointId, DryRun = true, Operator = RestoreHarness.Operator });
        Assert.DoesNotContain(plan.Actions, a => a.Step == RestoreStep.NativeRestore);
        Assert.Contains(plan.Warnings, w => w.Contains("hard-deleted", StringComparison.Ordinal));
    }
}

/// <summary>A space restore brings its deleted apps back as the app restore does: Qlik's own restore while it can.</summary>
[Collection(RestoreCollection.Name)]
public sealed class SpaceSoftDeleteTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Space_restore_restores_a_soft_deleted_app_with_its_own_id_and_imports_one_past_its_window()
    {
        await using var h = await RestoreHarness.StartAsync(azurite);
        var space = h.Tenant.Read(s => s.Spaces.Where(x => x.Type == SpaceTypes.Shared).OrderBy(x => x.Name).First());
        var (soft, purged) = h.Tenant.Read(s => s.Apps.Where(a => a.SpaceId == space.Id).OrderBy(a => a.Name).Select(a => a.Id).Take(2).ToList()) is [var a, var b2] ? (a, b2) : throw new InvalidOperationException("Two apps needed.");
        var contents = new Dictionary<string, IReadOnlyDictionary<string, string>> { [soft] = h.Contents(soft), [purged] = h.Contents(purged) };
        string purgedName = h.App(purged).Name;
        foreach (var asset in await h.Capture.ListAssetsAsync(new SpaceCaptureTarget(space.Id, space.Name, Tier.T3))) await h.CaptureAsync(asset.Kind, asset.Id);
        var spacePoint = (await h.Index.GetNewestAsync(h.TenantId, AssetKind.Space, space.Id, 1)).Single();
        await h.Rest.DeleteAppAsync(soft);
        await h.DeleteAppPastWindowAsync(purged);
        // The next capture of the space records both deletions, with Qlik's purgeAt.
        var target = new SpaceCaptureTarget(space.Id, space.Name, Tier.T3);
        await h.Capture.MarkDeletedAsync(target, await h.Capture.ListAssetsAsync(target));

        var (plan, result) = await h.RestoreAsync(new RestoreRequest { Scope = RestoreScope.Space, PointId = spacePoint.PointId, Operator = RestoreHarness.Operator });

        // Both were asked of Qlik first (the index knows them deleted within their windows); Qlik restored one and said 404 for the other.
        Assert.Equal(new[] { purged, soft }.Order(), plan.Actions.Where(a => a.Step == RestoreStep.NativeRestore).Select(a => a.AssetId).Order());
        Assert.Equal(soft, result.IdMap.GetValueOrDefault(soft, soft));
        Assert.Equal(space.Id, h.App(soft).SpaceId);
        var now = h.Contents(soft);
        Assert.Equal(contents[soft].Keys.Order(), now.Keys.Order());
        foreach (var (id, was) in contents[soft]) Assert.True(ScenarioTests.Same(was, now[id]), $"Object {id}:\n{was}\n{now[id]}");
        string newId = result.IdMap[purged];
        Assert.NotEqual(purged, newId);
        Assert.Equal((purgedName, space.Id), (h.App(newId).Name, h.App(newId).SpaceId));
        // An import holds what the point holds: every object but private ones of owners who can no longer open the app (no API reaches those);
        // Qlik's own restore above brought back even those.
        var point = (await h.Index.QueryAsync(h.TenantId, new RecoveryPointQuery { Kind = AssetKind.App, AssetId = purged })).First(p => p.Status == RecoveryPointStatus.Captured);
        var captured = (await h.Store.ReadManifestAsync(h.TenantId, point.ManifestRef!)).Parts.Select(p => ObjectPartName.Parse(p.Name)?.QId).OfType<string>().ToHashSet();
        Assert.Equal(captured.Order(), h.Contents(newId).Keys.Order());
        Assert.Subset(contents[purged].Keys.ToHashSet(), captured);
        Assert.Single(h.Tenant.Read(s => s.Apps.Where(x => x.Name == purgedName && x.SpaceId == space.Id).ToList()));
    }
}
