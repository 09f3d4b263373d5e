namespace QlikBackup.Restore.Tests;

/// <summary>Restores into a live app: the app as it was, and one user's private object as that user.</summary>
[Collection(RestoreCollection.Name)]
public sealed class InPlaceTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task App_restored_in_place_is_as_at_the_point_and_other_users_private_work_stays()
    {
        await using var h = await RestoreHarness.StartAsync(azurite);
        string appId = h.SharedApp(3);
        var atPoint = h.Contents(appId);
        string script = h.App(appId).Document.Script;
        var point = await h.CaptureAsync(AssetKind.App, appId);
        var capturedPrivate = (await h.Store.ReadManifestAsync(h.TenantId, point.ManifestRef!)).Parts
            .Select(p => ObjectPartName.Parse(p.Name)).Where(o => o?.PrivateOwnerId is not null).Select(o => o!.QId).ToHashSet();

        // After the point: a measure changed, a sheet added (shared), the script edited, and a user's new private bookmark.
        string measure = atPoint.Keys.First(k => atPoint[k].StartsWith("Measure|", StringComparison.Ordinal));
        string owner = h.App(appId).OwnerId;
        string privateOwner = h.Tenant.Read(s => s.FindApp(appId)!.Document.Objects.Values.First(o => !o.Published && capturedPrivate.Contains(o.Id)).OwnerId!);
        h.Tenant.UpdateAppDocument(appId, new SimulatedActor(owner), (_, doc) =>
        {
            doc.Objects[measure].Properties["qMeasure"]!["qDef"] = "Sum(Changed)";
            var sheet = doc.Objects.Values.First(o => o.QType == "sheet" && o.Published).DeepClone();
            sheet.Id = "added-after-point";
            sheet.Properties["qProperty"]!["qInfo"]!["qId"] = sheet.Id;
            sheet.Properties["qChildren"] = new System.Text.Json.Nodes.JsonArray();
            doc.Objects[sheet.Id] = sheet;
            doc.Script += "\n// edited after the point";
            var mine = doc.Objects.Values.First(o => o.OwnerId == privateOwner && !o.Published).DeepClone();
            mine.Id = "private-after-point";
            mine.ObjectClass = SimObjectClass.Bookmark;
            mine.QType = "bookmark";
            mine.Properties = new System.Text.Json.Nodes.JsonObject
            {
                ["qInfo"] = new System.Text.Json.Nodes.JsonObject { ["qId"] = mine.Id, ["qType"] = "bookmark" },
                ["qMetaDef"] = new System.Text.Json.Nodes.JsonObject { ["title"] = "mine" },
            };
            doc.Objects[mine.Id] = mine;
            return 0;
        });
        var privateAfter = h.Objects(appId)["private-after-point"];

        var (plan, _) = await h.RestoreAsync(new RestoreRequest { Scope = RestoreScope.App, PointId = point.PointId, Operator = RestoreHarness.Operator });

        Assert.Contains(plan.Actions, a => (a.Kind, a.ObjectId) == (RestoreActionKind.Replace, measure));
        Assert.Contains(plan.Actions, a => (a.Kind, a.ObjectId, a.Step) == (RestoreActionKind.Delete, "added-after-point", RestoreStep.DeleteObject));
        Assert.Contains(plan.Actions, a => (a.Kind, a.Step) == (RestoreActionKind.Replace, RestoreStep.Script));
        Assert.DoesNotContain(plan.Actions, a => a.ObjectId == "private-after-point");
        var now = h.Objects(appId);
        Assert.False(now.ContainsKey("added-after-point"));
        Assert.Equal(privateAfter, now["private-after-point"]);
        Assert.Equal(script, h.App(appId).Document.Script);
        foreach (var (id, was) in atPoint.Where(a => !a.Value.Contains("|False|") || capturedPrivate.Contains(a.Key)))
            Assert.True(ScenarioTests.Same(was, h.Contents(appId)[id]), $"Object {id} is not as at the point.");

        // A second restore of the same point finds nothing to do.
        var again = await h.Restore.PlanAsync(new RestoreRequest { Scope = RestoreScope.App, PointId = point.PointId, Operator = RestoreHarness.Operator });
        Assert.All(again.Actions, a => Assert.Equal(RestoreActionKind.Skip, a.Kind));
    }

    [Fact]
    public async Task Deleted_private_object_is_recreated_as_its_owner_and_stays_private()
    {
        await using var h = await RestoreHarness.StartAsync(azurite);
        string appId = h.SharedApp();
        var point = await h.CaptureAsync(AssetKind.App, appId);
        var manifest = await h.Store.ReadManifestAsync(h.TenantId, point.ManifestRef!);
        var part = manifest.Parts.Select(p => ObjectPartName.Parse(p.Name)).First(o => o?.PrivateOwnerId is not null)!;
        var was = h.Contents(appId)[part.QId];
        h.Tenant.UpdateAppDocument(appId, new SimulatedActor(part.PrivateOwnerId!), (_, doc) => doc.Objects.Remove(part.QId));
        var others = h.Objects(appId);

        var (plan, _) = await h.RestoreAsync(new RestoreRequest { Scope = RestoreScope.Object, PointId = point.PointId, ObjectId = part.QId, Operator = RestoreHarness.Operator });

        Assert.Equal(RestoreActionKind.Create, Assert.Single(plan.Actions).Kind);
        var now = h.Contents(appId)[part.QId];
        Assert.True(ScenarioTests.Same(was, now), $"{was}\n{now}");
        Assert.Equal(part.PrivateOwnerId, ScenarioTests.SplitOwner(now).Owner);
        var after = h.Objects(appId);
        foreach (var (id, state) in others) Assert.Equal(state, after[id]);
        // The admin still cannot see it: it is private to its owner.
        await using var session = await h.Engine.OpenAppAsync(appId);
        Assert.DoesNotContain(await session.ListObjectsAsync(), o => o.QId == part.QId);
    }

    [Fact]
    public async Task Deleted_published_app_is_restored_by_publishing_into_its_managed_space_and_promotion_republishes()
    {
        await using var h = await RestoreHarness.StartAsync(azurite);
        var (publishedId, managedSpace) = h.Tenant.Read(s => s.Apps.Where(a => a.Published && a.OriginAppId is not null)
            .Select(a => (a.Id, a.SpaceId!)).First());
        var original = h.App(publishedId);
        var contents = h.Contents(publishedId);
        var point = await h.CaptureAsync(AssetKind.App, publishedId);
        await h.DeleteAppPastWindowAsync(publishedId);

        var (plan, result) = await h.RestoreAsync(new RestoreRequest { Scope = RestoreScope.App, PointId = point.PointId, Operator = RestoreHarness.Operator });

        Assert.Contains(plan.Actions, a => a.Step == RestoreStep.Publish && a.ObjectId == managedSpace);
        var restored = h.App(result.RestoredAssetId!);
        Assert.Equal((managedSpace, true, original.Name, original.OwnerId), (restored.SpaceId, restored.Published, restored.Name, restored.OwnerId));
        var now = h.Contents(restored.Id);
        Assert.Equal(contents.Keys.Order(), now.Keys.Order());
        foreach (var (id, was) in contents)
            Assert.True(ScenarioTests.Same(ScenarioTests.SplitOwner(was).Body, ScenarioTests.SplitOwner(now[id]).Body), $"Object {id}: {was}\n{now[id]}");

        // Promote into a published copy: its source app gets the validated content and is republished over it.
        string source = restored.OriginAppId!;
        string measure = contents.Keys.First(k => contents[k].StartsWith("Measure|", StringComparison.Ordinal));
        h.Tenant.UpdateAppDocument(restored.Id, SimulatedActor.System, (_, doc) =>
        {
            doc.Objects[measure].Properties["qMeasure"]!["qDef"] = "Sum(BadRepublish)";
            return 0;
        });
        var (_, validation) = await h.RestoreAsync(new RestoreRequest
        {
            Scope = RestoreScope.App, PointId = point.PointId, Target = RestoreTargetKind.ValidationSpace, CreateTargetSpace = true, Operator = RestoreHarness.Operator,
        });
        var promoted = await h.Restore.PromoteAsync(new PromoteRequest { ValidationAppId = validation.RestoredAssetId!, ProductionAppId = restored.Id, Operator = RestoreHarness.Operator });
        Assert.Equal((PromoteMethod.Republish, restored.Id), (promoted.Method, promoted.ProductionAppId));
        Assert.Contains(source, promoted.Changes.Last());
        Assert.True(ScenarioTests.Same(ScenarioTests.SplitOwner(contents[measure]).Body, ScenarioTests.SplitOwner(h.Contents(restored.Id)[measure]).Body));
    }

    [Fact]
    public async Task Owners_and_publish_state_recorded_in_the_point_come_back_after_a_qvf_import()
    {
        await using var h = await RestoreHarness.StartAsync(azurite);
        string appId = h.SharedApp();
        // A colleague (a member of the space) owns one of the shared sheets.
        string colleague = h.Tenant.Read(s => s.SpaceAssignments.First(a => a.SpaceId == s.FindApp(appId)!.SpaceId && a.Type == "user").AssigneeId);
        string sheet = h.Tenant.Read(s => s.FindApp(appId)!.Document.Objects.Values.First(o => o.QType == "sheet" && o.Published).Id);
        h.Tenant.UpdateAppDocument(appId, SimulatedActor.System, (_, doc) => doc.Objects[sheet].OwnerId = colleague);
        var contents = h.Contents(appId);
        var point = await h.CaptureAsync(AssetKind.App, appId);
        Assert.NotNull((await h.Store.ReadManifestAsync(h.TenantId, point.ManifestRef!)).Find(CapturePartNames.Objects));
        await h.DeleteAppPastWindowAsync(appId);

        var (plan, result) = await h.RestoreAsync(new RestoreRequest { Scope = RestoreScope.App, PointId = point.PointId, Operator = RestoreHarness.Operator });

        Assert.DoesNotContain(plan.ReconfigurationChecklist, c => c.Contains("does not record who owned"));
        var now = h.Contents(result.RestoredAssetId!);
        Assert.Equal(colleague, ScenarioTests.SplitOwner(now[sheet]).Owner);
        foreach (var (id, was) in contents) Assert.True(ScenarioTests.Same(was, now[id]), $"Object {id}:\n{was}\n{now[id]}");
    }

    [Fact]
    public async Task Points_without_an_objects_index_restore_shared_objects_published_and_say_owners_were_not_recorded()
    {
        await using var h = await RestoreHarness.StartAsync(azurite);
        string appId = h.SharedApp(1);
        var contents = h.Contents(appId);
        var point = await WithoutPartAsync(h, await h.CaptureAsync(AssetKind.App, appId), CapturePartNames.Objects);
        // A shared sheet deleted: recreated through the Engine, so only the restore can make it shared again.
        string sheet = h.Tenant.Read(s => s.FindApp(appId)!.Document.Objects.Values.First(o => o.QType == "sheet" && o.Published).Id);
        h.Tenant.UpdateAppDocument(appId, SimulatedActor.System, (_, doc) => doc.Objects.Remove(sheet));

        var (plan, _) = await h.RestoreAsync(new RestoreRequest { Scope = RestoreScope.Object, PointId = point.PointId, ObjectId = sheet, Operator = RestoreHarness.Operator });
        Assert.Equal(RestoreActionKind.Create, Assert.Single(plan.Actions).Kind);
        Assert.True(ScenarioTests.Same(ScenarioTests.SplitOwner(contents[sheet]).Body, ScenarioTests.SplitOwner(h.Contents(appId)[sheet]).Body));

        await h.DeleteAppPastWindowAsync(appId);
        var (appPlan, _) = await h.RestoreAsync(new RestoreRequest { Scope = RestoreScope.App, PointId = point.PointId, Operator = RestoreHarness.Operator });
        Assert.Contains(appPlan.ReconfigurationChecklist, c => c.Contains("does not record who owned"));
    }

    /// <summary>Files a copy of <paramref name="point"/> one second later without the named part (a point from an older capture).</summary>
    static async Task<RecoveryPoint> WithoutPartAsync(RestoreHarness h, RecoveryPoint point, string part)
    {
        var manifest = await h.Store.ReadManifestAsync(h.TenantId, point.ManifestRef!);
        var at = point.CapturedAt.AddSeconds(1);
        var copy = point with
        {
            PointId = RecoveryPointIds.Create(point.Kind, point.AssetId, at), CapturedAt = at,
            ManifestRef = (await h.Store.PutManifestAsync(h.TenantId, new Manifest(manifest.Parts.Where(p => p.Name != part).ToList()))).ContentRef,
        };
        await h.Index.AddAsync(copy);
        return copy;
    }
}
