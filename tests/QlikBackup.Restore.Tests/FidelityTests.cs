using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using QlikBackup.Core.Verify;
using QlikBackup.Qlik.Simulator.Api;

namespace QlikBackup.Restore.Tests;

/// <summary>Restore fidelity (issue 10): owners, publish state, links and descriptions come back as they were before the incident.</summary>
[Collection(RestoreCollection.Name)]
public sealed class FidelityTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Deleted_published_app_comes_back_linked_to_its_source_with_every_object_owned_by_its_owner()
    {
        await using var h = await RestoreHarness.StartAsync(azurite);
        string publishedId = h.Tenant.Read(s => s.Apps.First(a => a.Published && a.OriginAppId is { } o && s.FindApp(o) is not null).Id);
        h.Tenant.Write(SimulatedActor.System, c => c.State.FindApp(publishedId)!.Description = "Sales KPIs for the board");
        var before = h.App(publishedId);
        var contents = h.Contents(publishedId);
        // The seeded copy holds base content of the app owner and a community sheet of a space member.
        Assert.Contains(contents.Values, c => ScenarioTests.SplitOwner(c).Owner != before.OwnerId && c.Contains("|True|False|"));
        int apps = h.Tenant.Read(s => s.Apps.Count);
        var point = await h.CaptureAsync(AssetKind.App, publishedId);
        await h.DeleteAppPastWindowAsync(publishedId);

        var (plan, result) = await h.RestoreAsync(new RestoreRequest { Scope = RestoreScope.App, PointId = point.PointId, Operator = RestoreHarness.Operator });

        var restored = h.App(result.RestoredAssetId!);
        Assert.Equal((before.SpaceId, before.Published, before.Name, before.OwnerId, before.Description, before.OriginAppId),
            (restored.SpaceId, restored.Published, restored.Name, restored.OwnerId, restored.Description, restored.OriginAppId));
        var now = h.Contents(restored.Id);
        Assert.Equal(contents.Keys.Order(), now.Keys.Order());
        foreach (var (id, was) in contents)
            Assert.True(ScenarioTests.Same(was, now[id]), $"Object {id} (class|type|owner|published|approved|properties):\n{was}\n{now[id]}");
        // Nothing is left in the restore principal's personal space: the imported app was moved away by the publish.
        Assert.Equal(apps, h.Tenant.Read(s => s.Apps.Count));
        Assert.DoesNotContain(plan.ReconfigurationChecklist, c => c.Contains("source app", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Reimported_app_keeps_its_description()
    {
        await using var h = await RestoreHarness.StartAsync(azurite);
        string appId = h.SharedApp(1);
        h.Tenant.Write(SimulatedActor.System, c => c.State.FindApp(appId)!.Description = "Monthly margin by region; owner: finance");
        var before = h.App(appId);
        await h.CaptureAsync(AssetKind.App, appId);
        await h.DeleteAppPastWindowAsync(appId);

        var (_, result) = await h.RestoreAsync(new RestoreRequest { Scope = RestoreScope.App, AssetId = appId, Operator = RestoreHarness.Operator });

        var restored = h.App(result.RestoredAssetId!);
        Assert.Equal((before.Name, before.Description, before.SpaceId, before.OwnerId), (restored.Name, restored.Description, restored.SpaceId, restored.OwnerId));
    }

    [Fact]
    public async Task Isolated_copy_of_a_shared_app_has_every_owner_private_object_and_disabled_reload_tasks_in_a_new_space()
    {
        await using var h = await RestoreHarness.StartAsync(azurite);
        string appId = h.Tenant.Read(s => s.Resource(ResourceKinds.ReloadTasks).Select(t => t["appId"]!.GetValue<string>())
            .First(id => s.FindApp(id) is { Published: false, SpaceId: not null } a && s.FindSpace(a.SpaceId!)!.Type == SpaceTypes.Shared));
        var before = h.App(appId);
        var contents = h.Contents(appId);
        var tasks = h.ReloadTasksOf(appId);
        Assert.NotEmpty(tasks);
        Assert.Contains(contents.Values, c => c.Contains("|False|"));  // private objects of other users
        var point = await h.CaptureAsync(AssetKind.App, appId);

        var (plan, result) = await h.RestoreAsync(new RestoreRequest
        {
            Scope = RestoreScope.App, PointId = point.PointId, Target = RestoreTargetKind.Isolated, TargetSpaceName = "drill-shared", CreateTargetSpace = true,
            Operator = RestoreHarness.Operator,
        });

        string spaceId = Assert.Single(result.CreatedSpaceIds!);
        var space = h.Tenant.Read(s => s.FindSpace(spaceId)!);
        Assert.Equal(("drill-shared", SpaceTypes.Shared), (space.Name, space.Type));
        var copy = h.App(result.RestoredAssetId!);
        Assert.NotEqual(appId, copy.Id);
        Assert.Equal((spaceId, before.Name, before.OwnerId, before.Description, before.Document.Script),
            (copy.SpaceId, copy.Name, copy.OwnerId, copy.Description, copy.Document.Script));
        var now = h.Contents(copy.Id);
        Assert.Equal(contents.Keys.Order(), now.Keys.Order());
        foreach (var (id, was) in contents)
            Assert.True(ScenarioTests.Same(was, now[id]), $"Object {id}:\n{was}\n{now[id]}");
        // Every owner is a member, so Qlik lets them own their content there.
        var owners = contents.Values.Select(c => ScenarioTests.SplitOwner(c).Owner).Append(before.OwnerId).Where(o => o.Length > 0).Distinct();
        var members = h.Tenant.Read(s => s.SpaceAssignments.Where(a => a.SpaceId == spaceId).Select(a => a.AssigneeId).ToHashSet());
        Assert.Superset(owners.ToHashSet(), members);
        // Reload tasks come back with their schedules, disabled so they never reload the copy.
        var copied = h.ReloadTasksOf(copy.Id);
        Assert.Equal(tasks.Select(t => Without(RestoreHarness.Schedule(t), "state")).Order(), copied.Select(t => Without(RestoreHarness.Schedule(t), "state")).Order());
        Assert.All(copied, t => Assert.Equal("Disabled", t["state"]!.GetValue<string>()));
        // Production is untouched: the original app, its tasks and every other asset.
        Assert.Equal(contents, h.Contents(appId));
        Assert.Equal(tasks.Select(t => t.ToJsonString()), h.ReloadTasksOf(appId).Select(t => t.ToJsonString()));
        Assert.Contains(plan.Actions, a => a.Step == RestoreStep.TargetSpace && a.ObjectId == SpaceTypes.Shared);
    }

    [Fact]
    public async Task Isolated_reload_tasks_are_never_enabled_with_a_trigger_and_end_disabled_with_their_schedules()
    {
        await using var h = await RestoreHarness.StartAsync(azurite);
        string appId = h.Tenant.Read(s => s.Resource(ResourceKinds.ReloadTasks).Where(t => t["recurrence"] is JsonArray { Count: > 0 })
            .Select(t => t.Str("appId")!).First(id => s.FindApp(id) is { Published: false, SpaceId: not null }));
        var tasks = h.ReloadTasksOf(appId);
        var point = await h.CaptureAsync(AssetKind.App, appId);
        h.Faults.Calls.Clear();

        var (_, result) = await h.RestoreAsync(new RestoreRequest
        {
            Scope = RestoreScope.App, PointId = point.PointId, Target = RestoreTargetKind.Isolated, TargetSpaceName = "drill-tasks", CreateTargetSpace = true,
            Operator = RestoreHarness.Operator,
        });

        // Every request that touched a reload task: Qlik creates a task Enabled, so a create must carry no trigger, and every later write is Disabled.
        var writes = h.Faults.Calls.Where(c => c.Args.Length > 0 && c.Args[0] is QlikResourceKind.ReloadTask
            && c.Method is nameof(IQlikRestClient.CreateAsync) or nameof(IQlikRestClient.CreateAsAsync) or nameof(IQlikRestClient.ReplaceAsync)).ToList();
        Assert.Equal(tasks.Count * 2, writes.Count);
        foreach (var (method, args) in writes)
        {
            var body = JsonNode.Parse(((JsonElement)args[method == nameof(IQlikRestClient.ReplaceAsync) ? 2 : 1]!).GetRawText())!;
            if (method == nameof(IQlikRestClient.ReplaceAsync)) Assert.Equal("Disabled", body.Str("state"));
            else
            {
                Assert.Empty(body["recurrence"]!.AsArray());
                Assert.False(body["autoReload"]!.GetValue<bool>());
                Assert.False(body["autoReloadPartial"]!.GetValue<bool>());
            }
        }
        // The end state: the copy's tasks have production's schedules, attribute by attribute, and are Disabled.
        var copied = h.ReloadTasksOf(result.RestoredAssetId!);
        Assert.Equal(tasks.Select(t => Without(RestoreHarness.Schedule(t), "state")).Order(), copied.Select(t => Without(RestoreHarness.Schedule(t), "state")).Order());
        Assert.All(copied, t => Assert.Equal("Disabled", t.Str("state")));
        Assert.All(h.ReloadTasksOf(appId), t => Assert.Equal("Enabled", t.Str("state")));
    }

    [Fact]
    public async Task Isolated_copy_of_a_published_app_is_published_into_a_new_managed_space_with_owners_and_community_content()
    {
        await using var h = await RestoreHarness.StartAsync(azurite);
        string publishedId = h.Tenant.Read(s => s.Apps.First(a => a.Published && a.OriginAppId is not null).Id);
        var before = h.App(publishedId);
        var contents = h.Contents(publishedId);
        int apps = h.Tenant.Read(s => s.Apps.Count);
        var point = await h.CaptureAsync(AssetKind.App, publishedId);

        var (_, result) = await h.RestoreAsync(new RestoreRequest
        {
            Scope = RestoreScope.App, PointId = point.PointId, Target = RestoreTargetKind.Isolated, TargetSpaceName = "drill-managed", CreateTargetSpace = true,
            Operator = RestoreHarness.Operator,
        });

        string spaceId = Assert.Single(result.CreatedSpaceIds!);
        Assert.Equal(SpaceTypes.Managed, h.Tenant.Read(s => s.FindSpace(spaceId)!.Type));
        var copy = h.App(result.RestoredAssetId!);
        Assert.Equal((spaceId, true, before.Name, before.OwnerId), (copy.SpaceId, copy.Published, copy.Name, copy.OwnerId));
        Assert.NotEqual(before.OriginAppId, copy.OriginAppId);  // production's source app cannot republish over the drill copy
        var now = h.Contents(copy.Id);
        Assert.Equal(contents.Keys.Order(), now.Keys.Order());
        foreach (var (id, was) in contents)
            Assert.True(ScenarioTests.Same(was, now[id]), $"Object {id}:\n{was}\n{now[id]}");
        Assert.Equal(apps + 1, h.Tenant.Read(s => s.Apps.Count));  // the copy only: no source app left in a personal space
        Assert.Equal(contents, h.Contents(publishedId));
    }

    [Fact]
    public async Task Isolated_copy_of_a_space_has_its_members_and_every_app_with_owners_while_production_stays_untouched()
    {
        await using var h = await RestoreHarness.StartAsync(azurite);
        var space = h.Tenant.Read(s => s.Spaces.Where(x => x.Type == SpaceTypes.Shared).OrderBy(x => x.Name).First());
        var assignments = Assignments(h, space.Id);
        var apps = h.Tenant.Read(s => s.Apps.Where(a => a.SpaceId == space.Id).Select(a => a.Id).ToList());
        var before = apps.ToDictionary(a => h.App(a).Name, a => (App: h.App(a), Contents: h.Contents(a)));
        foreach (var asset in await h.Capture.ListAssetsAsync(new SpaceCaptureTarget(space.Id, space.Name, Tier.T3))) await h.CaptureAsync(asset.Kind, asset.Id);
        var spacePoint = (await h.Index.GetNewestAsync(h.TenantId, AssetKind.Space, space.Id, 1)).Single();

        var (_, result) = await h.RestoreAsync(new RestoreRequest
        {
            Scope = RestoreScope.Space, PointId = spacePoint.PointId, Target = RestoreTargetKind.Isolated, TargetSpaceName = "drill-space", CreateTargetSpace = true,
            Operator = RestoreHarness.Operator,
        });

        string copyId = Assert.Single(result.CreatedSpaceIds!);
        var copy = h.Tenant.Read(s => s.FindSpace(copyId)!);
        Assert.Equal(("drill-space", space.Type), (copy.Name, copy.Type));
        // The space's own assignments come back; content owners who were not members are added so they can own their content.
        Assert.Subset(Assignments(h, copyId).ToHashSet(), assignments.ToHashSet());
        var copies = h.Tenant.Read(s => s.Apps.Where(a => a.SpaceId == copyId).Select(a => a.Id).ToList());
        Assert.Equal(before.Keys.Order(), copies.Select(a => h.App(a).Name).Order());
        foreach (var a in copies)
        {
            var (app, contents) = before[h.App(a).Name];
            Assert.Equal((app.OwnerId, app.Description, app.Document.Script), (h.App(a).OwnerId, h.App(a).Description, h.App(a).Document.Script));
            var now = h.Contents(a);
            // Every object the point holds (capture reaches private objects only of owners who can open the app).
            var point = (await h.Index.GetNewestAsync(h.TenantId, AssetKind.App, app.Id, 1)).Single();
            var captured = (await h.Store.ReadManifestAsync(h.TenantId, point.ManifestRef!)).Parts.Select(p => ObjectPartName.Parse(p.Name)?.QId).OfType<string>().ToHashSet();
            Assert.Equal(captured.Order(), now.Keys.Order());
            foreach (var (id, was) in contents.Where(c => captured.Contains(c.Key))) Assert.True(ScenarioTests.Same(was, now[id]), $"Object {id} of app {a}:\n{was}\n{now[id]}");
        }
        Assert.Equal(assignments, Assignments(h, space.Id));
        Assert.All(apps, a => Assert.Equal(before[h.App(a).Name].Contents, h.Contents(a)));
    }

    [Fact]
    public async Task Space_plan_has_one_checklist_line_per_manual_step_and_names_target_spaces_in_words()
    {
        await using var h = await RestoreHarness.StartAsync(azurite);
        var space = h.Tenant.Read(s => s.Spaces.Where(x => x.Type == SpaceTypes.Shared).OrderBy(x => x.Name).First());
        var connections = h.Tenant.Read(s => s.Resource(ResourceKinds.DataConnections).Where(d => d["space"]?.GetValue<string>() == space.Id)
            .Select(d => (Id: d["qID"]!.GetValue<string>(), Name: d["qName"]!.GetValue<string>(), User: d["qUsername"]?.GetValue<string>())).ToList());
        Assert.NotEmpty(connections);
        foreach (var asset in await h.Capture.ListAssetsAsync(new SpaceCaptureTarget(space.Id, space.Name, Tier.T3))) await h.CaptureAsync(asset.Kind, asset.Id);
        var spacePoint = (await h.Index.GetNewestAsync(h.TenantId, AssetKind.Space, space.Id, 1)).Single();
        foreach (var a in h.Tenant.Read(s => s.Apps.Where(a => a.SpaceId == space.Id).Select(a => a.Id).ToList())) await h.DeleteAppPastWindowAsync(a);
        foreach (var c in connections) await h.Rest.DeleteAsync(QlikResourceKind.DataConnection, c.Id);
        foreach (var c in h.Tenant.Read(s => s.Resource(ResourceKinds.AutomationConnections).Where(d => d["spaceId"]?.GetValue<string>() == space.Id).Select(d => d["id"]!.GetValue<string>()).ToList()))
            await h.Rest.DeleteAsync(QlikResourceKind.AutomationConnection, c);
        await h.Rest.DeleteSpaceAsync(space.Id);

        var plan = await h.Restore.PlanAsync(new RestoreRequest { Scope = RestoreScope.Space, PointId = spacePoint.PointId, DryRun = true, Operator = RestoreHarness.Operator });

        foreach (var c in connections)
        {
            string line = Assert.Single(plan.ReconfigurationChecklist, l => l.Contains($"'{c.Name}'", StringComparison.Ordinal));
            if (c.User is { Length: > 0 } user) Assert.Contains($"user '{user}'", line);
        }
        Assert.DoesNotContain(plan.ReconfigurationChecklist, l => l.Contains("user '0'") || l.Contains("user '1'"));
        Assert.Equal(plan.ReconfigurationChecklist.Count, plan.ReconfigurationChecklist.Distinct().Count());
        // "Restored into" names spaces in words: never an internal action id, never the id of the deleted space.
        var actionIds = plan.Actions.Select(a => a.Id).ToHashSet();
        foreach (var t in plan.Targets!.Where(t => t.Kind != AssetKind.Space || t.TargetSpace is not null))
        {
            Assert.False(string.IsNullOrEmpty(t.TargetSpace), $"{t.Kind} {t.Name} has no target space in words.");
            Assert.DoesNotContain(space.Id, t.TargetSpace);
            Assert.DoesNotContain(actionIds, id => t.TargetSpace!.Contains(id));
        }
        Assert.All(plan.Targets!.Where(t => t.Kind == AssetKind.DataConnection), t => Assert.Equal($"space '{space.Name}' (created by this restore)", t.TargetSpace));
    }

    [Fact]
    public async Task Target_space_is_honoured_for_an_import_refused_with_a_warning_in_place_and_validation_names_carry_the_prefix()
    {
        await using var h = await RestoreHarness.StartAsync(azurite);
        string appId = h.SharedApp(), other = h.SharedApp(3);
        var point = await h.CaptureAsync(AssetKind.App, appId);
        string elsewhere = h.App(other).SpaceId!;
        Assert.NotEqual(h.App(appId).SpaceId, elsewhere);

        // In place: the live app stays where it is, and the plan says the named space is not used.
        var inPlace = await h.Restore.PlanAsync(new RestoreRequest { Scope = RestoreScope.App, PointId = point.PointId, TargetSpaceId = elsewhere, DryRun = true, Operator = RestoreHarness.Operator });
        Assert.Contains(inPlace.Warnings, w => w.Contains($"targetSpaceId '{elsewhere}' is not used", StringComparison.Ordinal));

        // Deleted: the import goes into the named space.
        await h.DeleteAppPastWindowAsync(appId);
        var (_, imported) = await h.RestoreAsync(new RestoreRequest { Scope = RestoreScope.App, PointId = point.PointId, TargetSpaceId = elsewhere, Operator = RestoreHarness.Operator });
        Assert.Equal(elsewhere, h.App(imported.RestoredAssetId!).SpaceId);

        // A validation space named by the request still carries Restore:ValidationSpacePrefix.
        var (_, validated) = await h.RestoreAsync(new RestoreRequest
        {
            Scope = RestoreScope.App, PointId = point.PointId, Target = RestoreTargetKind.ValidationSpace, TargetSpaceName = "q4-check", CreateTargetSpace = true,
            Operator = RestoreHarness.Operator,
        });
        Assert.Equal("validation-q4-check", h.Tenant.Read(s => s.FindSpace(h.App(validated.RestoredAssetId!).SpaceId!)!.Name));
    }

    [Fact]
    public async Task Failed_isolated_restore_removes_the_space_and_apps_it_created_and_nothing_else()
    {
        await using var h = await RestoreHarness.StartAsync(azurite);
        string publishedId = h.Tenant.Read(s => s.Apps.First(a => a.Published && a.OriginAppId is not null).Id);
        var point = await h.CaptureAsync(AssetKind.App, publishedId);
        var spaces = h.Tenant.Read(s => s.Spaces.Select(x => x.Id).Order().ToList());
        var apps = h.Tenant.Read(s => s.Apps.Select(x => x.Id).Order().ToList());
        var tasks = h.Tenant.Read(s => s.Resource(ResourceKinds.ReloadTasks).Count);
        var plan = await h.Restore.PlanAsync(new RestoreRequest
        {
            Scope = RestoreScope.App, PointId = point.PointId, Target = RestoreTargetKind.Isolated, TargetSpaceName = "drill-fails", CreateTargetSpace = true,
            Operator = RestoreHarness.Operator,
        });
        // The space is created, the app imported and published, then the publish's answer is lost and the attempt fails.
        h.Faults.LoseResponse(nameof(IQlikRestClient.PublishAppAsync), 1);
        await Assert.ThrowsAnyAsync<Exception>(() => h.Restore.ExecuteAsync(plan));
        Assert.Contains(h.Tenant.Read(s => s.Spaces.Select(x => x.Name).ToList()), n => n == "drill-fails");

        var removed = await h.Restore.DiscardAsync(plan);

        Assert.Single(removed);
        Assert.Equal(spaces, h.Tenant.Read(s => s.Spaces.Select(x => x.Id).Order().ToList()));
        Assert.Equal(apps, h.Tenant.Read(s => s.Apps.Select(x => x.Id).Order().ToList()));
        Assert.Equal(tasks, h.Tenant.Read(s => s.Resource(ResourceKinds.ReloadTasks).Count));
        Assert.Empty(await h.Restore.DiscardAsync(plan));  // again: nothing left to remove
    }

    [Fact]
    public async Task Plan_is_stored_under_its_id_and_a_plan_the_tenant_no_longer_matches_is_refused_with_409_saying_what_changed()
    {
        await using var h = await RestoreHarness.StartAsync(azurite);
        string appId = h.SharedApp();
        var point = await h.CaptureAsync(AssetKind.App, appId);
        var request = new RestoreRequest { Scope = RestoreScope.App, PointId = point.PointId, DryRun = true, Operator = RestoreHarness.Operator };

        var plan = await h.Restore.PlanAsync(request, "restore-op-1");

        Assert.Equal("restore-op-1", plan.RestoreId);
        var stored = await h.Restore.GetPlanAsync("restore-op-1");
        Assert.NotNull(stored);
        Assert.Equal(plan.Actions, stored.Actions);
        Assert.Equal(plan.Points.Select(p => p.PointId), stored.Points.Select(p => p.PointId));
        Assert.Equal(plan.ReconfigurationChecklist, stored.ReconfigurationChecklist);
        Assert.Null(await h.Restore.GetPlanAsync("no-such-restore"));
        await h.Restore.CheckCurrentAsync(stored);  // nothing changed: accepted

        // The app is deleted after the plan was shown: in-place actions no longer fit, Qlik's restore (or an import) is needed.
        await h.DeleteAppPastWindowAsync(appId);
        var ex = await Assert.ThrowsAsync<RestoreRequestException>(() => h.Restore.CheckCurrentAsync(stored));

        Assert.Equal(409, ex.Status);
        Assert.Contains("new: Create — Ask Qlik to restore the deleted app", ex.Message);
    }

    [Fact]
    public async Task Deleted_space_brings_back_connections_automations_alerts_and_tasks_owned_by_their_owners()
    {
        await using var h = await RestoreHarness.StartAsync(azurite);
        var space = h.Tenant.Read(s => s.Spaces.Where(x => x.Type == SpaceTypes.Shared)
            .OrderByDescending(x => s.Resource(ResourceKinds.Automations).Count(a => a.Str("spaceId") == x.Id)).ThenBy(x => x.Name).First());
        var apps = h.Tenant.Read(s => s.Apps.Where(a => a.SpaceId == space.Id).Select(a => a.Id).ToHashSet());
        // Before the incident: each resource's owner and the attributes that must survive, keyed by name.
        Dictionary<string, string> State() => h.Tenant.Read(s =>
        {
            string? Space(string? id) => id is null ? null : s.FindSpace(id)?.Name;
            string? App(string? id) => id is null ? null : s.FindApp(id)?.Name;
            return s.Resource(ResourceKinds.DataConnections).Where(d => Space(d.Str("space")) == space.Name)
                    .Select(d => ($"dc:{d.Str("qName")}", $"{d.Str("user")}|{d.Str("qConnectStatement")}|{d.Str("qType")}"))
                .Concat(s.Resource(ResourceKinds.AutomationConnections).Where(d => Space(d.Str("spaceId")) == space.Name)
                    .Select(d => ($"ac:{d.Str("name")}", $"{d.Str("ownerId")}|{d.Str("connectorId")}")))
                .Concat(s.Resource(ResourceKinds.Automations).Where(d => Space(d.Str("spaceId")) == space.Name)
                    .Select(d => ($"au:{d.Str("name")}", $"{d.Str("ownerId")}|{d.Str("runMode")}|{Canon(d["schedules"])}")))
                .Concat(s.Resource(ResourceKinds.DataAlerts).Where(d => App(d.Str("appId")) is { } n && s.FindApp(d.Str("appId")!)!.SpaceId is { } sp && Space(sp) == space.Name)
                    .Select(d => ($"da:{d.Str("name")}", $"{d.Str("ownerId")}|{App(d.Str("appId"))}|{d.Str("conditionId")}")))
                .Concat(s.Resource(ResourceKinds.ReloadTasks).Where(d => s.FindApp(d.Str("appId")!)?.SpaceId is { } sp && Space(sp) == space.Name)
                    .Select(d => ($"rt:{App(d.Str("appId"))}:{d["recurrence"]?.ToJsonString()}", $"{d.Str("userId")}|{d.Str("timeZone")}")))
                .GroupBy(x => x.Item1).ToDictionary(g => g.Key, g => string.Join(";", g.Select(x => x.Item2).Order()));
        });
        var before = State();
        Assert.Contains(before.Keys, k => k.StartsWith("dc:"));
        Assert.Contains(before.Keys, k => k.StartsWith("au:"));
        Assert.Contains(before.Keys, k => k.StartsWith("rt:"));
        // Owned by other users than the restore principal, or the test would prove nothing.
        string principal = h.Tenant.Read(s => s.OAuthClients.First(c => c.AllowsImpersonation).UserId);
        Assert.Contains(before.Values, v => !v.StartsWith(principal + "|"));

        foreach (var asset in await h.Capture.ListAssetsAsync(new SpaceCaptureTarget(space.Id, space.Name, Tier.T3))) await h.CaptureAsync(asset.Kind, asset.Id);
        var spacePoint = (await h.Index.GetNewestAsync(h.TenantId, AssetKind.Space, space.Id, 1)).Single();
        h.Tenant.Write(SimulatedActor.System, c =>
        {
            // The incident: everything in the space goes, then the space.
            foreach (var kind in new[] { ResourceKinds.DataConnections, ResourceKinds.AutomationConnections, ResourceKinds.Automations, ResourceKinds.DataAlerts, ResourceKinds.ReloadTasks })
                c.State.Resource(kind).RemoveAll(d => (d.Str("space") ?? d.Str("spaceId")) == space.Id || (d.Str("appId") is { } a && apps.Contains(a)));
            c.State.Apps.RemoveAll(a => apps.Contains(a.Id));
            c.State.SpaceAssignments.RemoveAll(a => a.SpaceId == space.Id);
            c.State.Spaces.RemoveAll(x => x.Id == space.Id);
        });

        var (plan, _) = await h.RestoreAsync(new RestoreRequest { Scope = RestoreScope.Space, PointId = spacePoint.PointId, Operator = RestoreHarness.Operator });

        var after = State();
        Assert.Equal(before.Keys.Order(), after.Keys.Order());
        foreach (var (key, was) in before) Assert.True(was == after[key], $"{key}: was {was}, now {after[key]}");
        Assert.DoesNotContain(plan.ReconfigurationChecklist, l => l.Contains("owner") && l.Contains("no longer exists"));
    }

    [Fact]
    public async Task An_owner_Qlik_refuses_to_impersonate_is_a_checklist_line_naming_the_resource_the_owner_and_the_manual_step()
    {
        await using var h = await RestoreHarness.StartAsync(azurite);
        string principal = h.Tenant.Read(s => s.OAuthClients.First(c => c.AllowsImpersonation).UserId);
        // A data connection in a shared space owned by someone other than the principal (Qlik has no change-owner for it).
        var (connId, connName, owner, spaceId) = h.Tenant.Read(s => s.Resource(ResourceKinds.DataConnections)
            .Where(d => d.Str("space") is { } sp && s.FindSpace(sp)?.Type == SpaceTypes.Shared && d.Str("user") is { } u && u != principal)
            .Select(d => (d.Str("qID")!, d.Str("qName")!, d.Str("user")!, d.Str("space")!)).OrderBy(d => d.Item2).First());
        string ownerName = h.Tenant.Read(s => s.FindUser(owner)!.Name);
        var point = await h.CaptureAsync(AssetKind.DataConnection, connId);
        h.Tenant.Write(SimulatedActor.System, c => c.State.Resource(ResourceKinds.DataConnections).RemoveAll(d => d.Str("qID") == connId));
        h.Simulator.Faults.RefuseImpersonationOf(owner);

        var (plan, result) = await h.RestoreAsync(new RestoreRequest { Scope = RestoreScope.TenantConfig, PointId = point.PointId, Operator = RestoreHarness.Operator });

        var back = h.Tenant.Read(s => s.Resource(ResourceKinds.DataConnections).Single(d => d.Str("qName") == connName && d.Str("space") == spaceId));
        string newId = back.Str("qID")!;
        Assert.Equal(principal, back.Str("user"));
        var line = Assert.Single(result.Checklist!);
        Assert.Contains($"'{connName}'", line);
        Assert.Contains(newId, line);
        Assert.Contains(owner, line);
        Assert.Contains(ownerName, line);
        Assert.Contains($"Manual step: sign in as '{ownerName}' ({owner}), create DataConnection '{connName}' again with the settings of {newId}, then delete {newId}.", line);
        Assert.DoesNotContain(plan.ReconfigurationChecklist, l => l.Contains(connName) && l.Contains("owner"));

        // A retried execution (every action already done) still reports it: the line is kept with the action's progress.
        var again = await h.Restore.ExecuteAsync(plan);
        Assert.Equal(result.Checklist, again.Checklist);

        // Without the refusal the same restore gives it to its owner and has nothing to say.
        h.Simulator.Faults.Reset();
        h.Tenant.Write(SimulatedActor.System, c => c.State.Resource(ResourceKinds.DataConnections).RemoveAll(d => d.Str("qID") == newId));
        var (_, clean) = await h.RestoreAsync(new RestoreRequest { Scope = RestoreScope.TenantConfig, PointId = point.PointId, Operator = RestoreHarness.Operator });
        Assert.Empty(clean.Checklist!);
        Assert.Equal(owner, h.Tenant.Read(s => s.Resource(ResourceKinds.DataConnections).Single(d => d.Str("qName") == connName && d.Str("space") == spaceId).Str("user")));
    }

    [Fact]
    public async Task An_app_back_with_a_new_id_keeps_its_history_searchable_capturable_and_restorable_from_earlier_points()
    {
        await using var h = await RestoreHarness.StartAsync(azurite);
        string appId = h.SharedApp(2);
        string sheet = h.Tenant.Read(s => s.FindApp(appId)!.Document.Objects.Values.First(o => o.QType == "sheet" && o.Published).Id);
        string good = h.Contents(appId)[sheet];
        var early = await h.CaptureAsync(AssetKind.App, appId);
        await h.DeleteAppPastWindowAsync(appId);
        var (_, result) = await h.RestoreAsync(new RestoreRequest { Scope = RestoreScope.App, PointId = early.PointId, Operator = RestoreHarness.Operator });
        string newId = result.RestoredAssetId!;

        // A search by the new id finds the history from before the incident, and it verifies: the point filed under the
        // new id has a manifest that names it (a row naming another point's manifest is how verify detects a swapped row).
        var history = await h.Index.QueryAsync(h.TenantId, new RecoveryPointQuery { Kind = AssetKind.App, AssetId = newId });
        var refiled = Assert.Single(history, p => p.CapturedAt == early.CapturedAt);
        var verify = new VerifyRun();
        await h.Services.GetRequiredService<PointVerifier>().VerifyAsync(refiled, readData: true, verify);
        Assert.True(verify.ToReport().Ok, string.Join("; ", verify.ToReport().Problems.Select(p => p.Detail)));
        // Capture continues that history.
        var next = await h.Capture.CaptureAssetAsync(new AssetRef(AssetKind.App, newId), Tier.T3, CaptureTrigger.OnDemand);
        Assert.True(next.Outcome is CaptureOutcome.Captured or CaptureOutcome.Unchanged, $"{next.Outcome} {next.Error}");

        // The earlier point (filed under the old id) still restores one object, into the app as it is now.
        h.Tenant.UpdateAppDocument(newId, SimulatedActor.System, (_, doc) => doc.Objects[sheet].Properties["qProperty"]!["qMetaDef"]!["title"] = "Broken after the restore");
        var (objectPlan, objectResult) = await h.RestoreAsync(new RestoreRequest { Scope = RestoreScope.Object, PointId = early.PointId, ObjectId = sheet, Operator = RestoreHarness.Operator });
        Assert.Equal(newId, objectResult.RestoredAssetId);
        Assert.True(ScenarioTests.Same(good, h.Contents(newId)[sheet]), "The sheet is back as at the earlier point.");
        Assert.Contains(objectPlan.Warnings, w => w.Contains(newId));
    }

    [Fact]
    public async Task A_recreated_space_keeps_its_tier_and_the_result_maps_its_old_id_to_the_new()
    {
        await using var h = await RestoreHarness.StartAsync(azurite);
        var space = h.Tenant.Read(s => s.Spaces.Where(x => x.Type == SpaceTypes.Shared).OrderBy(x => x.Name).Last());
        var tiers = h.Services.GetRequiredService<ISpaceTierStore>();
        await tiers.SetAsync(space.Id, Tier.T1);
        Assert.NotEqual(Tier.T1, tiers.DefaultTier);
        foreach (var asset in await h.Capture.ListAssetsAsync(new SpaceCaptureTarget(space.Id, space.Name, Tier.T1))) await h.CaptureAsync(asset.Kind, asset.Id);
        var spacePoint = (await h.Index.GetNewestAsync(h.TenantId, AssetKind.Space, space.Id, 1)).Single();
        h.Tenant.Write(SimulatedActor.System, c =>
        {
            c.State.Apps.RemoveAll(a => a.SpaceId == space.Id);
            foreach (var kind in new[] { ResourceKinds.DataConnections, ResourceKinds.AutomationConnections, ResourceKinds.Automations })
                c.State.Resource(kind).RemoveAll(d => (d.Str("space") ?? d.Str("spaceId")) == space.Id);
            c.State.SpaceAssignments.RemoveAll(a => a.SpaceId == space.Id);
            c.State.Spaces.RemoveAll(x => x.Id == space.Id);
        });

        var (_, result) = await h.RestoreAsync(new RestoreRequest { Scope = RestoreScope.Space, PointId = spacePoint.PointId, Operator = RestoreHarness.Operator });

        string newId = result.RestoredAssetId!;
        Assert.NotEqual(space.Id, newId);
        Assert.Equal(newId, result.IdMap[space.Id]);
        Assert.Equal(Tier.T1, await tiers.GetTierAsync(newId));
        Assert.Contains(await h.Index.QueryAsync(h.TenantId, new RecoveryPointQuery { Kind = AssetKind.Space, AssetId = newId }), p => p.CapturedAt == spacePoint.CapturedAt);
        // The old id's history ends "deleted, restored as the new id", and the next capture of the gone space adds no bare Deleted point.
        var last = (await h.Index.GetNewestAsync(h.TenantId, AssetKind.Space, space.Id, 1)).Single();
        Assert.Equal((RecoveryPointStatus.Deleted, newId), (last.Status, last.RestoredAsId));
        var marked = await h.Capture.MarkDeletedAsync(new SpaceCaptureTarget(space.Id, space.Name, Tier.T1), []);
        Assert.DoesNotContain(marked, r => r.Asset.Kind == AssetKind.Space && r.Outcome == CaptureOutcome.Deleted);
        Assert.Equal(last.PointId, (await h.Index.GetNewestAsync(h.TenantId, AssetKind.Space, space.Id, 1)).Single().PointId);
    }

    [Fact]
    public async Task Published_copies_are_relinked_to_their_source_app_when_it_comes_back_with_a_new_id()
    {
        await using var h = await RestoreHarness.StartAsync(azurite);
        var (copyId, sourceId) = h.Tenant.Read(s => s.Apps.Where(a => a.Published && a.OriginAppId is { } o && s.FindApp(o) is not null).Select(a => (a.Id, a.OriginAppId!)).First());
        var copy = h.App(copyId);
        var community = h.Contents(copyId).Where(c => c.Value.Contains("|True|False|")).ToDictionary();
        Assert.NotEmpty(community);
        var point = await h.CaptureAsync(AssetKind.App, sourceId);
        await h.DeleteAppPastWindowAsync(sourceId);

        var (plan, result) = await h.RestoreAsync(new RestoreRequest { Scope = RestoreScope.App, PointId = point.PointId, Operator = RestoreHarness.Operator });

        string newSource = result.RestoredAssetId!;
        Assert.Contains(plan.Actions, a => a.Step == RestoreStep.Relink && a.ObjectId == copyId);
        var after = h.App(copyId);
        Assert.Equal((newSource, copy.SpaceId, copy.Published, copy.Name, copy.OwnerId), (after.OriginAppId, after.SpaceId, after.Published, after.Name, after.OwnerId));
        var now = h.Contents(copyId);
        foreach (var (id, was) in community) Assert.True(ScenarioTests.Same(was, now[id]), $"Community object {id} of the copy changed.");
    }

    [Fact]
    public async Task Deleted_groups_follow_what_Qliks_API_allows_per_provider_type_and_users_come_back_without_a_400()
    {
        await using var h = await RestoreHarness.StartAsync(azurite);
        // A custom group (Qlik's API creates these) with a member, and an identity-provider group (it does not).
        var custom = await h.Rest.CreateAsync(QlikResourceKind.Group, System.Text.Json.JsonSerializer.SerializeToElement(new { name = "Finance reviewers", assignedRoles = new[] { new { name = "Developer" } } }));
        var (idpGroup, idpName, members, customMember) = h.Tenant.Read(s =>
        {
            var g = s.Groups.First(x => x.ProviderType == "idp" && s.Users.Any(u => u.AssignedGroups.Contains(x.Id)));
            return (g.Id, g.Name, s.Users.Where(u => u.AssignedGroups.Contains(g.Id)).Select(u => u.Id).ToList(), s.Users.First(u => u.AssignedGroups.Contains(g.Id)).Id);
        });
        h.Tenant.Write(SimulatedActor.System, c => c.State.FindUser(customMember)!.AssignedGroups.Add(custom.Id));
        var before = h.Tenant.Read(s => s.Groups.Where(g => g.Id == custom.Id).Select(g => (g.Name, g.ProviderType, g.Status, Roles: string.Join(",", g.AssignedRoles))).Single());
        await h.CaptureAsync(AssetKind.Group, custom.Id);
        await h.CaptureAsync(AssetKind.Group, idpGroup);
        foreach (var user in members) await h.CaptureAsync(AssetKind.User, user);
        await h.Rest.DeleteAsync(QlikResourceKind.Group, custom.Id);
        await h.Rest.DeleteAsync(QlikResourceKind.Group, idpGroup);

        var (plan, _) = await h.RestoreAsync(new RestoreRequest { Scope = RestoreScope.TenantConfig, Kinds = [AssetKind.Group, AssetKind.User], Operator = RestoreHarness.Operator });

        // The custom group is back as it was (new id), with its member.
        var restored = h.Tenant.Read(s => s.Groups.Single(g => g.Name == "Finance reviewers"));
        Assert.Equal(before, (restored.Name, restored.ProviderType, restored.Status, string.Join(",", restored.AssignedRoles)));
        Assert.Contains(restored.Id, h.Tenant.Read(s => s.FindUser(customMember)!.AssignedGroups));
        // The IdP group is not faked as a custom group; the checklist says what to do, once, and names the members left out.
        Assert.DoesNotContain(h.Tenant.Read(s => s.Groups.Select(g => g.Name).ToList()), n => n == idpName);
        Assert.Single(plan.ReconfigurationChecklist, l => l.StartsWith($"Group '{idpName}' (idp)", StringComparison.Ordinal));
        Assert.Contains(plan.ReconfigurationChecklist, l => l.Contains($"group '{idpName}' ({idpGroup})"));
    }

    [Fact]
    public async Task A_recreated_group_gets_back_its_space_assignments_space_by_space_with_their_roles()
    {
        await using var h = await RestoreHarness.StartAsync(azurite);
        var group = await h.Rest.CreateAsync(QlikResourceKind.Group, JsonSerializer.SerializeToElement(new { name = "Plant managers", assignedRoles = new[] { new { name = "Developer" } } }));
        var spaces = h.Tenant.Read(s => s.Spaces.Where(x => x.Type == SpaceTypes.Shared).OrderBy(x => x.Name).Take(2).Select(x => x.Id).ToList());
        Assert.Equal(2, spaces.Count);
        await h.Rest.CreateSpaceAssignmentAsync(spaces[0], "group", group.Id, ["consumer"]);
        await h.Rest.CreateSpaceAssignmentAsync(spaces[1], "group", group.Id, ["producer", "dataconsumer"]);
        // Before the incident: (space, type, roles) of each of the group's assignments, and every other assignment of those spaces.
        List<(string Space, string Type, string Roles)> GroupAssignments(string groupId) => h.Tenant.Read(s => s.SpaceAssignments
            .Where(a => a.Type == "group" && a.AssigneeId == groupId).Select(a => (a.SpaceId, a.Type, string.Join("+", a.Roles.Order()))).Order().ToList());
        var before = GroupAssignments(group.Id);
        Assert.Equal(2, before.Count);
        var others = spaces.ToDictionary(id => id, id => Assignments(h, id).Where(a => !a.Contains(group.Id)).ToList());
        await h.CaptureAsync(AssetKind.Group, group.Id);
        foreach (var id in spaces) await h.CaptureAsync(AssetKind.Space, id);
        await h.Rest.DeleteAsync(QlikResourceKind.Group, group.Id);   // Qlik drops the group's assignments with it
        Assert.Empty(GroupAssignments(group.Id));

        var (plan, result) = await h.RestoreAsync(new RestoreRequest { Scope = RestoreScope.TenantConfig, Kinds = [AssetKind.Group], Operator = RestoreHarness.Operator });

        string newId = h.Tenant.Read(s => s.Groups.Single(g => g.Name == "Plant managers").Id);
        Assert.NotEqual(group.Id, newId);
        Assert.Equal(newId, result.IdMap[group.Id]);
        var after = GroupAssignments(newId);
        Assert.Equal(before.Count, after.Count);
        for (int i = 0; i < before.Count; i++)
        {
            Assert.Equal(before[i].Space, after[i].Space);
            Assert.Equal(before[i].Type, after[i].Type);
            Assert.Equal(before[i].Roles, after[i].Roles);
        }
        // Nothing else in those spaces changed.
        foreach (var id in spaces) Assert.Equal(others[id], Assignments(h, id).Where(a => !a.Contains(newId)).ToList());
        Assert.Equal(2, plan.Actions.Count(a => a.Step == RestoreStep.Assignment && a.Kind == RestoreActionKind.Create));

        // A space restored later from its point (which names the group's old id) assigns the recreated group, with the same roles.
        h.Tenant.Write(SimulatedActor.System, c => c.State.SpaceAssignments.RemoveAll(a => a.SpaceId == spaces[1] && a.AssigneeId == newId));
        var spacePoint = (await h.Index.GetNewestAsync(h.TenantId, AssetKind.Space, spaces[1], 1)).Single();
        await h.RestoreAsync(new RestoreRequest { Scope = RestoreScope.Space, PointId = spacePoint.PointId, Operator = RestoreHarness.Operator });
        Assert.Equal(after, GroupAssignments(newId));
    }

    /// <summary>JSON text with object members in name order (Qlik does not keep member order).</summary>
    static string Canon(System.Text.Json.Nodes.JsonNode? n) => n switch
    {
        System.Text.Json.Nodes.JsonObject o => "{" + string.Join(",", o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"\"{p.Key}\":{Canon(p.Value)}")) + "}",
        System.Text.Json.Nodes.JsonArray a => "[" + string.Join(",", a.Select(Canon)) + "]",
        null => "null",
        _ => n.ToJsonString(),
    };

    static List<string> Assignments(RestoreHarness h, string spaceId) => h.Tenant.Read(s => s.SpaceAssignments.Where(a => a.SpaceId == spaceId)
        .Select(a => $"{a.Type}:{a.AssigneeId}:{string.Join("+", a.Roles.Order())}").Order().ToList());

    [Theory]
    [InlineData(null, true, 400)]
    [InlineData("drill-x", false, 400)]
    [InlineData("existing", true, 409)]
    public async Task Isolated_restore_needs_a_new_space_name(string? name, bool create, int status)
    {
        await using var h = await RestoreHarness.StartAsync(azurite);
        string appId = h.SharedApp();
        var point = await h.CaptureAsync(AssetKind.App, appId);
        if (name == "existing") name = h.Tenant.Read(s => s.FindSpace(s.FindApp(appId)!.SpaceId!)!.Name);

        var ex = await Assert.ThrowsAsync<RestoreRequestException>(() => h.Restore.PlanAsync(new RestoreRequest
        {
            Scope = RestoreScope.App, PointId = point.PointId, Target = RestoreTargetKind.Isolated, TargetSpaceName = name, CreateTargetSpace = create,
            Operator = RestoreHarness.Operator,
        }));
        Assert.Equal(status, ex.Status);
    }

    static string Without(string schedule, string field) => string.Join("|", schedule.Split('|').SkipLast(field == "state" ? 1 : 0));
}
