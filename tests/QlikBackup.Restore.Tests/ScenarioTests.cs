using System.Text.Json.Nodes;

namespace QlikBackup.Restore.Tests;

/// <summary>The seed scenarios of the restore issue, each end to end: real capture, simulated Qlik, Azurite.</summary>
[Collection(RestoreCollection.Name)]
public sealed class ScenarioTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Overwritten_sheet_is_rolled_back_and_every_other_object_stays_byte_identical()
    {
        await using var h = await RestoreHarness.StartAsync(azurite);
        string appId = h.SharedApp();
        var sheets = h.Tenant.Read(s => s.FindApp(appId)!.Document.Objects.Values.Where(o => o.QType == "sheet" && o.Published).Select(o => o.Id).Order().ToList());
        string overwritten = sheets[0], colleagues = sheets[1];
        var good = h.Contents(appId)[overwritten];
        var point = await h.CaptureAsync(AssetKind.App, appId);

        // The incident: the sheet is overwritten (title changed, a chart dropped); meanwhile a colleague keeps working on another sheet.
        var owner = new SimulatedActor(h.App(appId).OwnerId);
        h.Tenant.UpdateAppDocument(appId, owner, (_, doc) =>
        {
            var o = doc.Objects[overwritten];
            o.Properties["qProperty"]!["qMetaDef"]!["title"] = "Overwritten by mistake";
            o.Properties["qChildren"]!.AsArray().RemoveAt(0);
            o.ModifiedDate = h.Tenant.Time.GetUtcNow();
            return 0;
        });
        h.Tenant.UpdateAppDocument(appId, owner, (_, doc) =>
        {
            doc.Objects[colleagues].Properties["qProperty"]!["qMetaDef"]!["title"] = "Colleague work after the point";
            doc.Objects[colleagues].ModifiedDate = h.Tenant.Time.GetUtcNow();
            return 0;
        });
        var before = h.Objects(appId);
        string script = h.App(appId).Document.Script;

        var (plan, result) = await h.RestoreAsync(new RestoreRequest { Scope = RestoreScope.Object, PointId = point.PointId, ObjectId = overwritten, Operator = RestoreHarness.Operator });

        var action = Assert.Single(plan.Actions);
        Assert.Equal(RestoreActionKind.Replace, action.Kind);
        Assert.Equal(overwritten, action.ObjectId);
        Assert.Single(result.Done);
        Assert.Equal(appId, result.RestoredAssetId);
        var after = h.Objects(appId);
        Assert.True(Same(good, h.Contents(appId)[overwritten]), "The sheet is back as at the point, with its charts.");
        Assert.Equal(before.Keys.Order(), after.Keys.Order());
        foreach (var (id, state) in before.Where(b => b.Key != overwritten))
            Assert.True(state == after[id], $"Object {id} changed although only {overwritten} was restored.");
        Assert.Contains("Colleague work after the point", after[colleagues]);
        Assert.Equal(script, h.App(appId).Document.Script);
    }

    [Fact]
    public async Task Deleted_app_comes_back_with_all_its_objects_private_objects_owner_space_and_reload_tasks()
    {
        await using var h = await RestoreHarness.StartAsync(azurite);
        string appId = h.Tenant.Read(s => s.Resource(ResourceKinds.ReloadTasks).Select(t => t["appId"]!.GetValue<string>()).First());
        var original = h.App(appId);
        var contents = h.Contents(appId);
        var schedules = h.ReloadTasksOf(appId).Select(RestoreHarness.Schedule).Order().ToList();
        Assert.Contains(contents.Values, c => c.Contains("|False|"));  // private objects of other users exist
        Assert.NotEmpty(schedules);
        await h.CaptureAsync(AssetKind.App, appId);

        await h.DeleteAppPastWindowAsync(appId);
        var deleted = await h.Capture.CaptureAssetAsync(new AssetRef(AssetKind.App, appId), Tier.T3, CaptureTrigger.OnDemand);
        Assert.Equal(CaptureOutcome.Deleted, deleted.Outcome);

        var (plan, result) = await h.RestoreAsync(new RestoreRequest { Scope = RestoreScope.App, AssetId = appId, Operator = RestoreHarness.Operator });

        Assert.Contains(plan.Actions, a => a.Step == RestoreStep.ImportApp && a.Kind == RestoreActionKind.Create);
        string newId = Assert.IsType<string>(result.RestoredAssetId);
        Assert.NotEqual(appId, newId);
        Assert.Equal(newId, result.IdMap[appId]);
        var restored = h.App(newId);
        Assert.Equal(original.Name, restored.Name);
        Assert.Equal(original.SpaceId, restored.SpaceId);
        Assert.Equal(original.OwnerId, restored.OwnerId);
        Assert.Equal(original.Document.Script, restored.Document.Script);

        // Every object of the point is back with its content: sheets, stories, bookmarks, master items, variables, private objects of each owner.
        var now = h.Contents(newId);
        var manifest = await h.Store.ReadManifestAsync(h.TenantId, plan.Points[0].ManifestRef!);
        var captured = CapturedObjects(manifest);
        Assert.True(captured.Count(c => c.Value is not null) >= 2, "The point holds private objects of other users.");
        Assert.Equal(captured.Keys.Order(), now.Keys.Order());
        var types = h.Tenant.Read(s => s.FindApp(newId)!.Document.Objects.Values.Select(o => o.QType).ToHashSet());
        Assert.Superset(new HashSet<string> { "sheet", "story", "bookmark", "measure", "dimension", "masterobject", "variable" }, types);
        Assert.NotNull(manifest.Find(CapturePartNames.Objects));
        foreach (var (id, was) in contents.Where(c => captured.ContainsKey(c.Key)))
        {
            var (wasOwner, wasRest) = SplitOwner(was);
            var (isOwner, isRest) = SplitOwner(now[id]);
            Assert.True(Same(wasRest, isRest), $"Object {id} differs from the point:\n{wasRest}\n{isRest}");
            Assert.Equal(wasOwner, isOwner);
        }
        Assert.Equal(schedules, h.ReloadTasksOf(newId).Select(RestoreHarness.Schedule).Order().ToList());
    }

    [Fact]
    public async Task Bad_deployment_is_undone_through_a_validation_space_smoke_tested_and_promoted()
    {
        await using var h = await RestoreHarness.StartAsync(azurite);
        string appId = h.SharedApp(2);
        var goodContents = h.Contents(appId);
        string goodScript = h.App(appId).Document.Script;
        var good = await h.CaptureAsync(AssetKind.App, appId);
        await Task.Delay(20);
        var incident = DateTimeOffset.UtcNow;

        // The bad deployment: broken script, a sheet removed, a master measure changed.
        string removedSheet = h.Tenant.Read(s => s.FindApp(appId)!.Document.Objects.Values.First(o => o.QType == "sheet" && o.Published).Id);
        string measure = h.Tenant.Read(s => s.FindApp(appId)!.Document.Objects.Values.First(o => o.QType == "measure").Id);
        h.Tenant.UpdateAppDocument(appId, new SimulatedActor(h.App(appId).OwnerId), (_, doc) =>
        {
            doc.Script = "// deployed by mistake\nLOAD * FROM [lib://nowhere/broken.qvd];";
            doc.Objects.Remove(removedSheet);
            doc.Objects[measure].Properties["qMeasure"]!["qDef"] = "Sum(Broken)";
            return 0;
        });
        var bad = await h.CaptureAsync(AssetKind.App, appId);
        Assert.NotEqual(good.PointId, bad.PointId);
        var privateBefore = h.Objects(appId).Where(o => o.Value.Split('|')[3] == "False").ToDictionary();

        var (plan, result) = await h.RestoreAsync(new RestoreRequest
        {
            Scope = RestoreScope.App, AssetId = appId, IncidentTime = incident, Target = RestoreTargetKind.ValidationSpace,
            CreateTargetSpace = true, Operator = RestoreHarness.Operator,
        });
        Assert.Equal(good.PointId, plan.Points[0].PointId);
        Assert.Contains(plan.Warnings, w => w.Contains(bad.PointId));
        string validationId = result.RestoredAssetId!;
        string validationSpace = h.App(validationId).SpaceId!;
        Assert.Equal("validation-" + good.Name, h.Tenant.Read(s => s.FindSpace(validationSpace)!.Name));
        Assert.Empty(h.ReloadTasksOf(validationId));

        // Smoke test through the Engine, as an operator's check would: the app opens, lists its objects, has a script, counts match.
        var manifest = await h.Store.ReadManifestAsync(h.TenantId, good.ManifestRef!);
        int sharedParts = manifest.Parts.Count(p => p.Name.StartsWith(CapturePartNames.ObjectPrefix, StringComparison.Ordinal));
        await using (var session = await h.Engine.OpenAppAsync(validationId))
        {
            var objects = await session.ListObjectsAsync();
            Assert.Equal(goodScript, await session.GetScriptAsync());
            var roots = objects.Where(o => o.QType is "sheet" or "story" or "bookmark" or "measure" or "dimension" or "masterobject" or "variable" or "appprops" or "LoadModel");
            Assert.Equal(sharedParts, roots.Count());
            Assert.Contains(objects, o => o.QId == removedSheet);
        }

        var promoted = await h.Restore.PromoteAsync(new PromoteRequest { ValidationAppId = validationId, ProductionAppId = appId, Operator = RestoreHarness.Operator });
        Assert.Equal(PromoteMethod.ReplaceContent, promoted.Method);
        Assert.Equal(appId, promoted.ProductionAppId);
        Assert.Contains(promoted.Changes, c => c.Contains(removedSheet));
        Assert.Equal(goodScript, h.App(appId).Document.Script);
        var after = h.Contents(appId);
        Assert.True(Same(SplitOwner(goodContents[measure]).Body, SplitOwner(after[measure]).Body));
        Assert.True(Same(SplitOwner(goodContents[removedSheet]).Body, SplitOwner(after[removedSheet]).Body), "The removed sheet is back, published, with its charts.");
        // Other users' private work in production was not touched by the promotion.
        var objectsAfter = h.Objects(appId);
        foreach (var (id, state) in privateBefore) Assert.Equal(state, objectsAfter[id]);
        // Promoting again changes nothing.
        Assert.Empty((await h.Restore.PromoteAsync(new PromoteRequest { ValidationAppId = validationId, ProductionAppId = appId, Operator = RestoreHarness.Operator })).Changes);
    }

    [Fact]
    public async Task Deleted_space_is_recreated_with_its_assignments_and_every_app()
    {
        await using var h = await RestoreHarness.StartAsync(azurite);
        var space = h.Tenant.Read(s => s.Spaces.Where(x => x.Type == SpaceTypes.Shared).OrderBy(x => x.Name).First());
        var assignments = h.Tenant.Read(s => s.SpaceAssignments.Where(a => a.SpaceId == space.Id)
            .Select(a => $"{a.Type}:{a.AssigneeId}:{string.Join("+", a.Roles.Order())}").Order().ToList());
        var apps = h.Tenant.Read(s => s.Apps.Where(a => a.SpaceId == space.Id).Select(a => a.Id).ToList());
        Assert.NotEmpty(assignments);
        Assert.True(apps.Count >= 2);
        var appContents = apps.ToDictionary(a => h.App(a).Name, a => (Contents: h.Contents(a), Script: h.App(a).Document.Script));
        var connections = h.Tenant.Read(s => s.Resource(ResourceKinds.DataConnections).Where(d => d["space"]?.GetValue<string>() == space.Id)
            .Select(d => (Id: d["qID"]!.GetValue<string>(), Name: d["qName"]!.GetValue<string>(), Connect: d["qConnectStatement"]!.GetValue<string>())).ToList());
        var automationConnections = h.Tenant.Read(s => s.Resource(ResourceKinds.AutomationConnections).Where(d => d["spaceId"]?.GetValue<string>() == space.Id)
            .Select(d => d["id"]!.GetValue<string>()).ToList());
        Assert.NotEmpty(connections);

        // A scheduled capture of the space: the space itself, its apps, its connections.
        var assets = await h.Capture.ListAssetsAsync(new SpaceCaptureTarget(space.Id, space.Name, Tier.T3));
        foreach (var asset in assets) await h.CaptureAsync(asset.Kind, asset.Id);
        var spacePoint = (await h.Index.GetNewestAsync(h.TenantId, AssetKind.Space, space.Id, 1)).Single();

        // The incident: everything in the space is deleted, then the space.
        foreach (var a in apps) await h.DeleteAppPastWindowAsync(a);
        foreach (var c in connections) await h.Rest.DeleteAsync(QlikResourceKind.DataConnection, c.Id);
        foreach (var c in automationConnections) await h.Rest.DeleteAsync(QlikResourceKind.AutomationConnection, c);
        await h.Rest.DeleteSpaceAsync(space.Id);

        var (plan, result) = await h.RestoreAsync(new RestoreRequest { Scope = RestoreScope.Space, PointId = spacePoint.PointId, Operator = RestoreHarness.Operator });

        Assert.Equal(apps.Count, plan.Actions.Count(a => a.Step == RestoreStep.ImportApp));
        string newSpaceId = result.RestoredAssetId!;
        var restored = h.Tenant.Read(s => s.FindSpace(newSpaceId))!;
        Assert.Equal((space.Name, space.Type, space.Description, space.OwnerId), (restored.Name, restored.Type, restored.Description, restored.OwnerId));
        Assert.Equal(assignments, h.Tenant.Read(s => s.SpaceAssignments.Where(a => a.SpaceId == newSpaceId)
            .Select(a => $"{a.Type}:{a.AssigneeId}:{string.Join("+", a.Roles.Order())}").Order().ToList()));
        var newApps = h.Tenant.Read(s => s.Apps.Where(a => a.SpaceId == newSpaceId).Select(a => a.Id).ToList());
        Assert.Equal(appContents.Keys.Order(), newApps.Select(a => h.App(a).Name).Order());
        foreach (var a in newApps)
        {
            var (contents, script) = appContents[h.App(a).Name];
            Assert.Equal(script, h.App(a).Document.Script);
            var now = h.Contents(a);
            var point = plan.Points.Single(p => p.Kind == AssetKind.App && p.Name == h.App(a).Name);
            var captured = CapturedObjects(await h.Store.ReadManifestAsync(h.TenantId, point.ManifestRef!));
            Assert.Equal(captured.Keys.Order(), now.Keys.Order());
            foreach (var (id, was) in contents.Where(c => captured.ContainsKey(c.Key))) Assert.True(Same(SplitOwner(was).Body, SplitOwner(now[id]).Body), $"Object {id} of app {a} differs.");
        }
        Assert.Equal(connections.Select(c => (c.Name, c.Connect)).Order(), h.Tenant.Read(s => s.Resource(ResourceKinds.DataConnections)
            .Where(d => d["space"]?.GetValue<string>() == newSpaceId).Select(d => (d["qName"]!.GetValue<string>(), d["qConnectStatement"]!.GetValue<string>())).Order().ToList()));
        Assert.Contains(plan.ReconfigurationChecklist, c => c.Contains(connections[0].Name));
    }

    [Fact]
    public async Task Wiped_reload_tasks_come_back_from_the_point_before_the_wipe_with_equal_schedules()
    {
        await using var h = await RestoreHarness.StartAsync(azurite);
        string appId = h.Tenant.Read(s => s.Resource(ResourceKinds.ReloadTasks).GroupBy(t => t["appId"]!.GetValue<string>()).OrderByDescending(g => g.Count()).First().Key);
        var tasks = h.ReloadTasksOf(appId);
        var schedules = tasks.Select(RestoreHarness.Schedule).Order().ToList();
        Assert.Contains(tasks, t => t["recurrence"]!.AsArray().Count > 0 && t["timeZone"] is not null);
        var before = await h.CaptureAsync(AssetKind.App, appId);
        await Task.Delay(20);
        var wipedAt = DateTimeOffset.UtcNow;
        foreach (var t in tasks) await h.Rest.DeleteAsync(QlikResourceKind.ReloadTask, t["id"]!.GetValue<string>());
        var after = await h.CaptureAsync(AssetKind.App, appId);
        Assert.NotEqual(before.PointId, after.PointId);
        Assert.Empty(h.ReloadTasksOf(appId));
        var objects = h.Objects(appId);

        var (plan, result) = await h.RestoreAsync(new RestoreRequest { Scope = RestoreScope.App, AssetId = appId, IncidentTime = wipedAt, Operator = RestoreHarness.Operator });

        Assert.Equal(before.PointId, plan.Points[0].PointId);
        var changes = plan.Actions.Where(a => a.Kind != RestoreActionKind.Skip).ToList();
        Assert.All(changes, a => Assert.Equal((RestoreStep.ReloadTask, RestoreActionKind.Create), (a.Step!.Value, a.Kind)));
        Assert.Equal(tasks.Count, changes.Count(a => a.AssetKind == AssetKind.ReloadTask));
        Assert.Equal(schedules, h.ReloadTasksOf(appId).Select(RestoreHarness.Schedule).Order().ToList());
        Assert.Equal(objects, h.Objects(appId));
        Assert.Equal(tasks.Count, result.IdMap.Count);
    }

    [Fact]
    public async Task Ninety_day_old_version_is_found_by_date_and_restored_into_a_validation_space_with_its_attribution()
    {
        await using var h = await RestoreHarness.StartAsync(azurite);
        string appId = h.SharedApp(1);
        string sheet = h.Tenant.Read(s => s.FindApp(appId)!.Document.Objects.Values.First(o => o.QType == "sheet" && o.Published).Id);
        var now = DateTimeOffset.UtcNow;
        string ownerId = h.App(appId).OwnerId;
        string originalTitle = Title(h.Contents(appId)[sheet]);

        var v1 = await h.RedateAsync(await h.CaptureAsync(AssetKind.App, appId), now.AddDays(-90), changedBy: ownerId, client: "Qlik Sense hub");
        foreach (var (days, title) in new[] { (-30, "Q3 layout"), (0, "Q4 layout") })
        {
            h.Tenant.UpdateAppDocument(appId, new SimulatedActor(ownerId), (_, doc) =>
            {
                doc.Objects[sheet].Properties["qProperty"]!["qMetaDef"]!["title"] = title;
                return 0;
            });
            var p = await h.CaptureAsync(AssetKind.App, appId);
            if (days != 0) await h.RedateAsync(p, now.AddDays(days));
        }

        var (plan, result) = await h.RestoreAsync(new RestoreRequest
        {
            Scope = RestoreScope.App, AssetId = appId, IncidentTime = now.AddDays(-60), Target = RestoreTargetKind.ValidationSpace,
            TargetSpaceName = "validation-archive", CreateTargetSpace = true, Operator = RestoreHarness.Operator,
        });

        Assert.Equal(v1.PointId, plan.Points[0].PointId);
        var attribution = Assert.Single(plan.Attributions!);
        Assert.Equal((v1.PointId, ownerId, "Qlik Sense hub"), (attribution.PointId, attribution.ChangedBy, attribution.ChangedFromClient));
        Assert.Equal(now.AddDays(-90).ToUnixTimeSeconds(), attribution.CapturedAt.ToUnixTimeSeconds());
        Assert.Contains(plan.Warnings, w => w.Contains("2 point(s)"));
        Assert.Contains(plan.Actions, a => a.Step == RestoreStep.TargetSpace && a.Name == "validation-archive");
        string restored = result.RestoredAssetId!;
        Assert.Equal("validation-archive", h.Tenant.Read(s => s.FindSpace(h.App(restored).SpaceId!)!.Name));
        Assert.Equal(originalTitle, Title(h.Contents(restored)[sheet]));
        // Production is untouched.
        Assert.Equal("Q4 layout", Title(h.Contents(appId)[sheet]));
    }

    static string Title(string state) => JsonNode.Parse(state.Split('|', 6)[5])!["qProperty"]!["qMetaDef"]!["title"]!.GetValue<string>();

    /// <summary>qIds of the objects a point holds, with the owner for private ones.</summary>
    static Dictionary<string, string?> CapturedObjects(Manifest manifest)
        => manifest.Parts.Select(p => ObjectPartName.Parse(p.Name)).OfType<ObjectPartName>().ToDictionary(o => o.QId, o => o.PrivateOwnerId);

    /// <summary>"class|type|owner|rest" → (owner, the rest without the owner).</summary>
    internal static (string Owner, string Body) SplitOwner(string state)
    {
        var parts = state.Split('|', 6);
        return (parts[2], string.Join('|', parts[0], parts[1], parts[3], parts[4], parts[5]));
    }

    /// <summary>Equal apart from JSON property order.</summary>
    internal static bool Same(string a, string b)
    {
        int ia = a.IndexOf('{'), ib = b.IndexOf('{');
        return a[..ia] == b[..ib] && JsonNode.DeepEquals(JsonNode.Parse(a[ia..]), JsonNode.Parse(b[ib..]));
    }
}
