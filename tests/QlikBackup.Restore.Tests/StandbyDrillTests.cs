using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using QlikBackup.Core.Alerts;
using QlikBackup.Core.Drill;
using QlikBackup.Core.Fidelity;
using QlikBackup.Qlik.Simulator;

namespace QlikBackup.Restore.Tests;

/// <summary>
/// The whole-tenant drill: every captured point of the demo tenant rebuilt in a second, empty simulated tenant (the standby),
/// checked there against its point, while the production tenant stays exactly as it was.
/// </summary>
[Collection(RestoreCollection.Name)]
public sealed class StandbyDrillTests(AzuriteFixture azurite)
{
    sealed class RecordingAlerts : IAlertSink
    {
        public System.Collections.Concurrent.ConcurrentQueue<Alert> Sent { get; } = new();
        public Task SendAsync(Alert alert, CancellationToken ct = default) { Sent.Enqueue(alert); return Task.CompletedTask; }
    }

    sealed class Standby : IAsyncDisposable
    {
        public required QlikSimulatorHost Simulator { get; init; }
        public required StandbyTenant Tenant { get; init; }

        public static async Task<Standby> StartAsync(RestoreHarness h)
        {
            // Empty: only the simulator's own TenantAdmin, and an OAuth client that may impersonate (private objects are created as their owners).
            var simulator = await QlikSimulatorHost.StartAsync(new SimulatorOptions { SaveOnStop = false });
            var (id, secret) = simulator.CreateOAuthClient(simulator.AdminUserId, allowImpersonation: true);
            var tuning = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Qlik:RetryBaseDelay"] = "00:00:00.020", ["Qlik:RetryMaxDelay"] = "00:00:00.100", ["Qlik:ExportPollInterval"] = "00:00:00.020",
            }).Build();
            var options = new StandbyOptions { TenantUrl = simulator.BaseUrl, ApiKey = simulator.AdminApiKey, OAuthClientId = id, OAuthClientSecret = secret };
            return new Standby { Simulator = simulator, Tenant = new StandbyTenant(h.Services, tuning, Options.Create(options)) };
        }

        public async ValueTask DisposeAsync()
        {
            await Tenant.DisposeAsync();
            await Simulator.DisposeAsync();
        }
    }

    static DrillService Drills(RestoreHarness h, StandbyTenant? standby, IAlertSink? sink = null)
    {
        var drill = Options.Create(new DrillOptions());
        var store = ActivatorUtilities.CreateInstance<DrillReportStore>(h.Services, drill);
        var alerts = ActivatorUtilities.CreateInstance<DrillAlerts>(h.Services, sink ?? new RecordingAlerts(), drill);
        object[] args = standby is null
            ? [ActivatorUtilities.CreateInstance<FidelityCheck>(h.Services), store, alerts, drill, Options.Create(new RtoOptions())]
            : [ActivatorUtilities.CreateInstance<FidelityCheck>(h.Services), store, alerts, drill, Options.Create(new RtoOptions()), standby];
        return ActivatorUtilities.CreateInstance<DrillService>(h.Services, args);
    }

    /// <summary>Every asset of every tier, tenant configuration included, as the capture timers would.</summary>
    static async Task CaptureTenantAsync(RestoreHarness h)
    {
        foreach (var tier in Enum.GetValues<Tier>())
            foreach (var space in await h.Capture.ListSpacesAsync(tier))
                foreach (var asset in await h.Capture.ListAssetsAsync(space))
                    await h.Capture.CaptureAssetAsync(asset, tier, CaptureTrigger.OnDemand);
    }

    /// <summary>Everything the production tenant holds (app data included) except its audit trail and issued tokens.</summary>
    static Dictionary<string, string> Production(RestoreHarness h)
    {
        var node = JsonNode.Parse(h.TenantJson())!.AsObject();
        node.Remove(nameof(TenantState.Audits));
        return node.ToDictionary(p => p.Key, p => p.Value?.ToJsonString() ?? "null");
    }

    static async Task<List<DrillAssetOutcome>> RunAsync(DrillService drills, string drillId)
    {
        var selection = await drills.SelectAsync(drillId, new DrillRequest { Scope = DrillScope.Tenant });
        var outcomes = new List<DrillAssetOutcome>();
        foreach (var asset in selection.Assets) outcomes.AddRange(await drills.RunAssetAsync(new DrillAssetInput(drillId, asset, DrillScope.Tenant)));
        return outcomes;
    }

    [Fact]
    public async Task The_whole_tenant_is_rebuilt_in_an_empty_standby_equal_to_its_points_and_production_is_unchanged()
    {
        await using var h = await RestoreHarness.StartAsync(azurite);
        await using var standby = await Standby.StartAsync(h);
        await CaptureTenantAsync(h);
        var before = Production(h);
        var drills = Drills(h, standby.Tenant);
        // Not even for a moment: after every automation event in the standby, no automation there may be enabled.
        var everEnabled = new System.Collections.Concurrent.ConcurrentBag<string>();
        standby.Simulator.Tenant.EventRaised += e =>
        {
            if (!e.EventType.StartsWith("com.qlik.v1.automation.", StringComparison.Ordinal)) return;
            foreach (var name in standby.Simulator.Tenant.Read(s => s.Resource(ResourceKinds.Automations)
                .Where(a => a["state"]?.GetValue<string>() != "disabled").Select(a => a["name"]!.GetValue<string>()).ToList())) everEnabled.Add(name);
        };

        var outcomes = await RunAsync(drills, "standby1");

        var failed = outcomes.Where(o => o.Result != DrillAssetResult.Equal)
            .Select(o => $"{o.Asset.Kind} {o.Asset.Name}: {o.Error}\n{string.Join("\n", o.Fidelity?.Differences ?? [])}").ToList();
        Assert.True(failed.Count == 0, string.Join("\n", failed));
        // Every app of every shared and managed space, its groups and users, and the standby holds them under its own ids.
        int apps = h.Tenant.Read(s => s.Apps.Count(a => a.SpaceId is not null));
        Assert.Equal(apps, outcomes.Count(o => o.Asset.Kind == AssetKind.App));
        Assert.Equal(apps, standby.Simulator.Tenant.Read(s => s.Apps.Count));
        Assert.Equal(h.Tenant.Read(s => s.Users.Count), outcomes.Count(o => o.Asset.Kind == AssetKind.User));
        // The demo's groups come from the identity provider: Qlik creates them only when a member signs in, so the checklist names each.
        var checklist = outcomes.SelectMany(o => o.Checklist).Distinct().ToList();
        foreach (var group in h.Tenant.Read(s => s.Groups.Select(g => g.Name).ToList()))
            Assert.Contains(checklist, line => line.Contains(group, StringComparison.Ordinal));
        Assert.All(outcomes.Where(o => o.Asset.Kind == AssetKind.App), o => Assert.True(o.Fidelity!.Opened));
        Assert.DoesNotContain(outcomes.Where(o => o.Asset.Kind is AssetKind.App or AssetKind.Space), o => o.RestoredAssetId == o.Asset.AssetId);
        // Production's automations must not run in the standby: every one is rebuilt there disabled (its workspace, schedules and
        // the rest as captured), and each one enabled in production is on the checklist, to enable on failover.
        var enabled = h.Tenant.Read(s => s.Resource(ResourceKinds.Automations)
            .Where(a => a["state"]?.GetValue<string>() != "disabled").Select(a => a["name"]!.GetValue<string>()).ToList());
        Assert.Contains(h.Tenant.Read(s => s.Resource(ResourceKinds.Automations).Select(a => a["runMode"]?.GetValue<string>()).ToList()), m => m is "scheduled" or "triggered");
        Assert.NotEmpty(enabled);
        var rebuilt = standby.Simulator.Tenant.Read(s => s.Resource(ResourceKinds.Automations).Select(a => (Name: a["name"]!.GetValue<string>(), State: a["state"]?.GetValue<string>())).ToList());
        Assert.Equal(h.Tenant.Read(s => s.Resource(ResourceKinds.Automations).Count), rebuilt.Count);
        Assert.All(rebuilt, a => Assert.Equal("disabled", a.State));
        Assert.Empty(everEnabled);
        Assert.Equal(rebuilt.Count, outcomes.Count(o => o.Asset.Kind == AssetKind.Automation && o.Result == DrillAssetResult.Equal));
        foreach (var name in enabled) Assert.Contains(checklist, line => line.StartsWith($"Automation '{name}' (", StringComparison.Ordinal) && line.Contains("rebuilt disabled in the standby", StringComparison.Ordinal));
        // Each space is the original there: its name and description (not a drill copy's), under the standby's own id.
        foreach (var space in outcomes.Where(o => o.Asset.Kind == AssetKind.Space))
            Assert.Equal(h.Tenant.Read(s => s.Spaces.Where(x => x.Id == space.Asset.AssetId).Select(x => (x.Name, x.Description)).Single()),
                standby.Simulator.Tenant.Read(s => s.Spaces.Where(x => x.Id == space.RestoredAssetId).Select(x => (x.Name, x.Description)).Single()));
        // Every published copy whose source app lives in a shared space links to that source's rebuild in the standby, not to production.
        var copies = h.Tenant.Read(s => s.Apps.Where(a => a.OriginAppId is { } origin && s.Apps.Any(x => x.Id == origin && x.SpaceId is not null))
            .Select(a => (Copy: a.Id, Origin: a.OriginAppId!)).ToList());
        Assert.NotEmpty(copies);
        var restoredAs = outcomes.Where(o => o.Asset.Kind == AssetKind.App).ToDictionary(o => o.Asset.AssetId, o => o.RestoredAssetId);
        foreach (var (copy, origin) in copies)
            Assert.Equal(restoredAs[origin], standby.Simulator.Tenant.Read(s => s.FindApp(restoredAs[copy]!)!.OriginAppId));
        var after = Production(h);
        foreach (var (section, state) in before) Assert.True(state == after[section], $"production's {section} changed:\n{state}\n{after[section]}");
        // Kept (no clean-up ran, as with keepStandby): a second drill needs an empty standby again, so it is refused, not written over.
        var again = await Assert.ThrowsAsync<DrillRequestException>(() => drills.SelectAsync("standby2", new DrillRequest { Scope = DrillScope.Tenant }));
        Assert.Equal(409, again.Status);
    }

    /// <summary>Everything the standby holds, section by section, except its audit trail and the tokens the drill was issued.</summary>
    static Dictionary<string, string> StandbyState(Standby standby)
    {
        var node = JsonNode.Parse(standby.Simulator.Tenant.Read(s => System.Text.Json.JsonSerializer.Serialize(s)))!.AsObject();
        node.Remove(nameof(TenantState.Audits));
        node.Remove(nameof(TenantState.AccessTokens));
        // A user there before that the drill changed and the clean-up set back keeps Qlik's bookkeeping of it (lastUpdatedAt);
        // its roles are a set, whatever their order.
        foreach (var user in node[nameof(TenantState.Users)]!.AsArray().OfType<JsonObject>())
        {
            user.Remove(nameof(SimUser.LastUpdatedAt));
            user[nameof(SimUser.AssignedRoles)] = new JsonArray([.. user[nameof(SimUser.AssignedRoles)]!.AsArray().Select(r => r!.GetValue<string>()).Order(StringComparer.Ordinal).Select(r => (JsonNode)r)]);
        }
        return node.ToDictionary(p => p.Key, p => p.Value?.ToJsonString() ?? "null");
    }

    static void AssertSameState(Dictionary<string, string> before, Dictionary<string, string> after, string what)
    {
        foreach (var (section, state) in before) Assert.True(state == after[section], $"{what}: the standby's {section} changed:\n{state}\n{after[section]}");
    }

    static string Describe(IEnumerable<DrillAssetOutcome> outcomes) => string.Join("\n", outcomes.Where(o => o.Result != DrillAssetResult.Equal)
        .Select(o => $"{o.Asset.Kind} {o.Asset.Name}: {o.Error}\n{string.Join("\n", o.Fidelity?.Differences ?? [])}"));

    [Fact]
    public async Task Two_standby_drills_back_to_back_both_pass_and_each_leaves_the_standby_exactly_as_it_found_it()
    {
        await using var h = await RestoreHarness.StartAsync(azurite);
        await using var standby = await Standby.StartAsync(h);
        await CaptureTenantAsync(h);
        var drills = Drills(h, standby.Tenant);
        var empty = StandbyState(standby);

        foreach (var drillId in new[] { "standbyA", "standbyB" })
        {
            var selection = await drills.SelectAsync(drillId, new DrillRequest { Scope = DrillScope.Tenant });
            var outcomes = new List<DrillAssetOutcome>();
            foreach (var asset in selection.Assets) outcomes.AddRange(await drills.RunAssetAsync(new DrillAssetInput(drillId, asset, DrillScope.Tenant)));
            Assert.True(outcomes.All(o => o.Result == DrillAssetResult.Equal), Describe(outcomes));
            int apps = standby.Simulator.Tenant.Read(s => s.Apps.Count), users = standby.Simulator.Tenant.Read(s => s.Users.Count);
            Assert.True(apps > 0 && users > 1, "the drill rebuilt apps and users in the standby");

            var cleanup = await drills.CleanupAsync(selection);

            Assert.True(cleanup.LeftBehind.Count == 0, string.Join("\n", cleanup.LeftBehind));
            Assert.Null(cleanup.Kept);
            // Every app, space and user it created is named as removed; the standby's own administrator is not touched.
            Assert.Equal(apps, cleanup.Removed.Count(r => r.StartsWith("app '", StringComparison.Ordinal)));
            Assert.Equal(users - 1, cleanup.Removed.Count(r => r.StartsWith("user '", StringComparison.Ordinal)));
            Assert.Contains(cleanup.Removed, r => r.StartsWith("space '", StringComparison.Ordinal));
            Assert.Contains(cleanup.Removed, r => r.StartsWith("reload task ", StringComparison.Ordinal));
            Assert.Contains(cleanup.Removed, r => r.StartsWith("automation '", StringComparison.Ordinal));
            AssertSameState(empty, StandbyState(standby), drillId);
            var report = new DrillReport(drillId, h.TenantId, selection.Request, Tier.T1, null, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddMinutes(1),
                TimeSpan.FromMinutes(1), selection.RtoObjective, outcomes, cleanup);
            Assert.True(report.Passed);
        }
    }

    [Fact]
    public async Task A_clean_up_the_standby_refuses_is_named_in_the_report_and_alerted_and_a_later_clean_up_finishes_it()
    {
        await using var h = await RestoreHarness.StartAsync(azurite);
        await using var standby = await Standby.StartAsync(h);
        await CaptureTenantAsync(h);
        var sink = new RecordingAlerts();
        var drills = Drills(h, standby.Tenant, sink);
        var empty = StandbyState(standby);
        var selection = await drills.SelectAsync("standbyC", new DrillRequest { Scope = DrillScope.Tenant });
        var outcomes = new List<DrillAssetOutcome>();
        foreach (var asset in selection.Assets) outcomes.AddRange(await drills.RunAssetAsync(new DrillAssetInput("standbyC", asset, DrillScope.Tenant)));
        Assert.True(outcomes.All(o => o.Result == DrillAssetResult.Equal), Describe(outcomes));

        // The standby refuses the first app deletion: that app, and the space that still holds it, stay.
        standby.Simulator.Faults.FailNext(1, 403, "/api/v1/apps/", "DELETE");
        var cleanup = await drills.CleanupAsync(selection);

        var (appId, spaceId) = standby.Simulator.Tenant.Read(s => (Assert.Single(s.Apps).Id, s.Apps[0].SpaceId));
        Assert.Equal(2, cleanup.LeftBehind.Count);
        Assert.Contains(cleanup.LeftBehind, l => l.Contains($"({appId}) in the standby tenant: Qlik API 403", StringComparison.Ordinal));
        Assert.Contains(cleanup.LeftBehind, l => l.StartsWith("space '", StringComparison.Ordinal) && l.Contains($"({spaceId}) in the standby tenant: Qlik API 412", StringComparison.Ordinal));
        Assert.NotEmpty(cleanup.Removed);
        var report = new DrillReport("standbyC", h.TenantId, selection.Request, Tier.T1, null, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddMinutes(1),
            TimeSpan.FromMinutes(1), selection.RtoObjective, outcomes, cleanup);
        Assert.False(report.Passed);
        await drills.RecordAsync(report);
        var alert = Assert.Single(sink.Sent);
        Assert.Equal((AlertKind.DrillFailed, "Tenant drill failed"), (alert.Kind, alert.Title));
        Assert.Contains("left behind 2", alert.Detail, StringComparison.Ordinal);
        Assert.Contains($"left behind app '", alert.Detail, StringComparison.Ordinal);
        Assert.Contains(appId, alert.Detail, StringComparison.Ordinal);
        var stored = System.Text.Encoding.UTF8.GetString((await ActivatorUtilities.CreateInstance<DrillReportStore>(h.Services, Options.Create(new DrillOptions())).ReadJsonAsync("standbyC"))!);
        Assert.Contains("Qlik API 403", stored, StringComparison.Ordinal);
        // Refused as long as the space is there; the clean-up run again (as Durable retries it) removes the rest.
        Assert.Equal(409, (await Assert.ThrowsAsync<DrillRequestException>(() => drills.SelectAsync("standbyD", new DrillRequest { Scope = DrillScope.Tenant }))).Status);
        var again = await drills.CleanupAsync(selection);
        Assert.Empty(again.LeftBehind);
        AssertSameState(empty, StandbyState(standby), "after the second clean-up");
    }

    [Fact]
    public async Task A_standby_kept_for_inspection_is_not_emptied_and_the_report_says_where_it_is()
    {
        await using var h = await RestoreHarness.StartAsync(azurite);
        await using var standby = await Standby.StartAsync(h);
        await CaptureTenantAsync(h);
        var drills = Drills(h, standby.Tenant);
        var selection = await drills.SelectAsync("standbyK", new DrillRequest { Scope = DrillScope.Tenant, KeepStandby = true });
        foreach (var asset in selection.Assets.Where(a => a.Kind == AssetKind.Space).Take(1)) await drills.RunAssetAsync(new DrillAssetInput("standbyK", asset, DrillScope.Tenant));
        int apps = standby.Simulator.Tenant.Read(s => s.Apps.Count);

        var cleanup = await drills.CleanupAsync(selection);

        Assert.True(apps > 0);
        Assert.Equal(apps, standby.Simulator.Tenant.Read(s => s.Apps.Count));
        Assert.Empty(cleanup.LeftBehind);
        Assert.Contains(standby.Tenant.TenantUrl!, cleanup.Kept, StringComparison.Ordinal);
        // Only a Tenant drill rebuilds into the standby.
        var bad = await Assert.ThrowsAsync<DrillRequestException>(() => drills.SelectAsync("x", new DrillRequest { Scope = DrillScope.Tier, Tier = Tier.T1, KeepStandby = true }));
        Assert.Equal(400, bad.Status);
        Assert.Contains("keepStandby", bad.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_kept_standby_is_emptied_exactly_by_the_clean_up_run_again_from_the_stored_report_and_the_next_tenant_drill_is_accepted()
    {
        await using var h = await RestoreHarness.StartAsync(azurite);
        await using var standby = await Standby.StartAsync(h);
        await CaptureTenantAsync(h);
        var sink = new RecordingAlerts();
        var drills = Drills(h, standby.Tenant, sink);
        var empty = StandbyState(standby);
        var selection = await drills.SelectAsync("standbyKC", new DrillRequest { Scope = DrillScope.Tenant, KeepStandby = true });
        var outcomes = new List<DrillAssetOutcome>();
        foreach (var asset in selection.Assets) outcomes.AddRange(await drills.RunAssetAsync(new DrillAssetInput("standbyKC", asset, DrillScope.Tenant)));
        var kept = await drills.CleanupAsync(selection);
        // Recorded as the orchestrator records it: with what the standby held before, chosen at selection.
        await drills.RecordAsync(new DrillReport("standbyKC", h.TenantId, selection.Request, Tier.T1, null, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddMinutes(1),
            TimeSpan.FromMinutes(1), selection.RtoObjective, outcomes, kept, null, selection.StandbyBefore));

        // Kept: the standby is full, the report says how to empty it, and the next Tenant drill is refused.
        int apps = standby.Simulator.Tenant.Read(s => s.Apps.Count);
        Assert.True(apps > 0 && standby.Simulator.Tenant.Read(s => s.Spaces.Count) > 0, "the kept rebuild is in the standby");
        Assert.Contains("drills/standbyKC/clean-up", kept.Kept, StringComparison.Ordinal);
        var refused = await Assert.ThrowsAsync<DrillRequestException>(() => drills.SelectAsync("standbyNext", new DrillRequest { Scope = DrillScope.Tenant }));
        Assert.Equal(409, refused.Status);
        Assert.Contains("/clean-up", refused.Message, StringComparison.Ordinal);

        // The clean-up run again from the stored report: never keeps, and removes exactly what the drill added.
        var again = await drills.CleanUpSelectionAsync("standbyKC");
        Assert.False(again.Request.KeepStandby);
        Assert.Equal(selection.StandbyBefore, again.StandbyBefore);
        var cleanup = await drills.CleanupAsync(again);

        Assert.True(cleanup.LeftBehind.Count == 0, string.Join("\n", cleanup.LeftBehind));
        Assert.Null(cleanup.Kept);
        Assert.Equal(apps, cleanup.Removed.Count(r => r.StartsWith("app '", StringComparison.Ordinal)));
        AssertSameState(empty, StandbyState(standby), "after the clean-up run again");
        var run = new DrillCleanUpRun("standbyKC", "op-1", "ops", DateTimeOffset.UnixEpoch.AddHours(1), DateTimeOffset.UnixEpoch.AddHours(1).AddMinutes(2), cleanup);
        await drills.RecordCleanUpAsync(run);
        Assert.Empty(sink.Sent);
        var shown = await ActivatorUtilities.CreateInstance<DrillReportStore>(h.Services, Options.Create(new DrillOptions())).ReadAsync("standbyKC");
        Assert.Equal(cleanup.Removed, Assert.Single(shown!.CleanUps!).Cleanup.Removed);
        Assert.Contains("Clean-up run again op-1", DrillReportHtml.Render(shown), StringComparison.Ordinal);
        // The next Tenant drill is accepted.
        var next = await drills.SelectAsync("standbyNext", new DrillRequest { Scope = DrillScope.Tenant });
        Assert.NotEmpty(next.Assets);
    }

    [Fact]
    public async Task A_clean_up_run_again_that_leaves_things_behind_is_stored_with_the_drill_and_alerted_and_bad_drills_are_refused()
    {
        await using var h = await RestoreHarness.StartAsync(azurite);
        await using var standby = await Standby.StartAsync(h);
        await CaptureTenantAsync(h);
        var sink = new RecordingAlerts();
        var drills = Drills(h, standby.Tenant, sink);
        var selection = await drills.SelectAsync("standbyKL", new DrillRequest { Scope = DrillScope.Tenant, KeepStandby = true });
        var outcomes = new List<DrillAssetOutcome>();
        foreach (var asset in selection.Assets.Where(a => a.Kind == AssetKind.Space).Take(1)) outcomes.AddRange(await drills.RunAssetAsync(new DrillAssetInput("standbyKL", asset, DrillScope.Tenant)));
        await drills.RecordAsync(new DrillReport("standbyKL", h.TenantId, selection.Request, Tier.T1, null, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddMinutes(1),
            TimeSpan.FromMinutes(1), selection.RtoObjective, outcomes, await drills.CleanupAsync(selection), null, selection.StandbyBefore));
        sink.Sent.Clear();

        standby.Simulator.Faults.FailNext(1, 403, "/api/v1/apps/", "DELETE");
        var cleanup = await drills.CleanupAsync(await drills.CleanUpSelectionAsync("standbyKL"));
        await drills.RecordCleanUpAsync(new DrillCleanUpRun("standbyKL", "op-2", "ops", DateTimeOffset.UnixEpoch.AddHours(1), DateTimeOffset.UnixEpoch.AddHours(2), cleanup));

        Assert.NotEmpty(cleanup.LeftBehind);
        var alert = Assert.Single(sink.Sent);
        Assert.Equal(AlertKind.DrillFailed, alert.Kind);
        Assert.Contains("left behind app '", alert.Detail, StringComparison.Ordinal);
        var store = ActivatorUtilities.CreateInstance<DrillReportStore>(h.Services, Options.Create(new DrillOptions()));
        Assert.False(Assert.Single((await store.ReadAsync("standbyKL"))!.CleanUps!).Passed);
        // Run again, it finishes.
        Assert.Empty((await drills.CleanupAsync(await drills.CleanUpSelectionAsync("standbyKL"))).LeftBehind);

        // No such drill: 404; a drill that is not a Tenant drill: 400.
        Assert.Equal(404, (await Assert.ThrowsAsync<DrillRequestException>(() => drills.CleanUpSelectionAsync("nope"))).Status);
        await drills.RecordAsync(new DrillReport("tierD", h.TenantId, new DrillRequest { Scope = DrillScope.Tier, Tier = Tier.T1 }, Tier.T1, null, DateTimeOffset.UnixEpoch,
            DateTimeOffset.UnixEpoch, TimeSpan.Zero, TimeSpan.FromMinutes(30), [], new DrillCleanup([], [])));
        var notTenant = await Assert.ThrowsAsync<DrillRequestException>(() => drills.CleanUpSelectionAsync("tierD"));
        Assert.Equal(400, notTenant.Status);
        Assert.Contains("Tenant", notTenant.Message, StringComparison.Ordinal);
    }

    /// <summary>The backup principal's own personal app, with a sheet of its own: the only personal content Qlik lets it list and capture.</summary>
    static async Task<RecoveryPoint> PersonalAppAsync(RestoreHarness h)
    {
        var personal = await h.Rest.CreateAppAsync("Scratch analysis", "kept in my personal space", null);
        h.Tenant.Write(new SimulatedActor(h.Simulator.AdminUserId), c =>
        {
            var app = c.State.FindApp(personal.Id)!;
            app.Document.Objects["scratch-sheet"] = new SimulatedObject { Id = "scratch-sheet", QType = "sheet", ObjectClass = SimObjectClass.GenericObject,
                OwnerId = app.OwnerId, CreatedDate = c.Now, ModifiedDate = c.Now,
                Properties = new JsonObject { ["qInfo"] = new JsonObject { ["qId"] = "scratch-sheet", ["qType"] = "sheet" }, ["qMetaDef"] = new JsonObject { ["title"] = "Mine" } } };
            return 0;
        });
        await CaptureTenantAsync(h);
        var point = Assert.Single(await h.Index.GetNewestAsync(h.TenantId, AssetKind.App, personal.Id, 1));
        Assert.Equal("personal", point.SpaceId);
        return point;
    }

    [Fact]
    public async Task A_personal_app_of_the_principal_is_rebuilt_in_the_standby_principals_personal_space_checked_equal_and_cleaned_up()
    {
        await using var h = await RestoreHarness.StartAsync(azurite);
        await using var standby = await Standby.StartAsync(h);
        var point = await PersonalAppAsync(h);
        // The standby's principal is the same identity as production's backup principal (one identity provider): the id map gives it the app.
        var (name, subject, email) = h.Tenant.Read(s => s.FindUser(point.OwnerId!) is { } u ? (u.Name, u.Subject, u.Email) : throw new InvalidOperationException("no owner"));
        standby.Simulator.Tenant.Write(new SimulatedActor(standby.Simulator.AdminUserId), c =>
        {
            var admin = c.State.FindUser(standby.Simulator.AdminUserId)!;
            (admin.Name, admin.Subject, admin.Email) = (name, subject, email);
            return 0;
        });
        var drills = Drills(h, standby.Tenant);
        var empty = StandbyState(standby);
        var selection = await drills.SelectAsync("standbyP", new DrillRequest { Scope = DrillScope.Tenant });
        var outcomes = new List<DrillAssetOutcome>();
        foreach (var asset in selection.Assets) outcomes.AddRange(await drills.RunAssetAsync(new DrillAssetInput("standbyP", asset, DrillScope.Tenant)));

        Assert.True(outcomes.All(o => o.Result == DrillAssetResult.Equal), Describe(outcomes));
        var app = Assert.Single(outcomes, o => o.Asset.PointId == point.PointId);
        Assert.True(app.Fidelity!.Opened);
        Assert.True(app.Fidelity.Objects >= 2, "its objects and attributes are compared");
        var rebuilt = standby.Simulator.Tenant.Read(s => s.FindApp(app.RestoredAssetId!)!);
        Assert.Null(rebuilt.SpaceId);   // a personal space, as in production
        Assert.Equal(standby.Simulator.AdminUserId, rebuilt.OwnerId);
        Assert.Equal((standby.Simulator.AdminUserId, false), (rebuilt.Document.Objects["scratch-sheet"].OwnerId, rebuilt.Document.Objects["scratch-sheet"].Published));
        Assert.DoesNotContain(outcomes.SelectMany(o => o.Checklist), l => l.Contains("Scratch analysis", StringComparison.Ordinal) && l.Contains("not rebuilt", StringComparison.Ordinal));

        var cleanup = await drills.CleanupAsync(selection);
        Assert.Empty(cleanup.LeftBehind);
        Assert.Contains(cleanup.Removed, r => r.StartsWith("app 'Scratch analysis'", StringComparison.Ordinal));
        // Matched to production's principal, the standby's principal got its roles; they are set back, and the report says so.
        Assert.Contains(cleanup.Removed, r => r.StartsWith($"changes the drill made to user '{name}' ({standby.Simulator.AdminUserId})", StringComparison.Ordinal));
        AssertSameState(empty, StandbyState(standby), "after the clean-up");
    }

    [Fact]
    public async Task A_personal_app_of_another_owner_than_the_standby_principal_is_named_on_the_checklist_with_its_owner_and_point()
    {
        await using var h = await RestoreHarness.StartAsync(azurite);
        await using var standby = await Standby.StartAsync(h);
        var point = await PersonalAppAsync(h);
        // The standby's principal is another identity than production's backup principal, who is a user like the others there.
        standby.Simulator.Tenant.Write(new SimulatedActor(standby.Simulator.AdminUserId), c =>
        {
            var admin = c.State.FindUser(standby.Simulator.AdminUserId)!;
            (admin.Subject, admin.Email) = ("auth0|standby-service", "standby-service@simulated.example");
            return 0;
        });

        var outcomes = await RunAsync(Drills(h, standby.Tenant), "standbyQ");

        Assert.True(outcomes.All(o => o.Result == DrillAssetResult.Equal), Describe(outcomes));
        Assert.DoesNotContain(outcomes, o => o.Asset.PointId == point.PointId);
        var line = Assert.Single(outcomes.SelectMany(o => o.Checklist).Distinct(), l => l.StartsWith("App 'Scratch analysis' in the personal space of user '", StringComparison.Ordinal));
        Assert.Contains($"({point.OwnerId}) is not rebuilt in the standby", line, StringComparison.Ordinal);
        Assert.Contains(point.PointId, line, StringComparison.Ordinal);
        Assert.False(standby.Simulator.Tenant.Read(s => s.Apps.Any(a => a.Name == "Scratch analysis")));
    }

    [Fact]
    public async Task A_user_changed_in_the_standby_after_its_restore_fails_the_drill_naming_user_and_attribute()
    {
        await using var h = await RestoreHarness.StartAsync(azurite);
        await using var standby = await Standby.StartAsync(h);
        await CaptureTenantAsync(h);
        // The injected difference: the standby renames every user as soon as Qlik has created it (before the drill checks it).
        var target = standby.Simulator.Tenant;
        target.EventRaised += e =>
        {
            if (e.EventType == "com.qlik.v1.user.created")
                target.Write(new SimulatedActor(standby.Simulator.AdminUserId), c => { foreach (var u in c.State.Users.Where(u => u.Name.StartsWith("Bo ", StringComparison.Ordinal))) u.Name = "Bo Renamed"; return 0; });
        };

        var outcomes = await RunAsync(Drills(h, standby.Tenant), "standby3");

        var different = Assert.Single(outcomes, o => o.Result != DrillAssetResult.Equal);
        Assert.Equal(AssetKind.User, different.Asset.Kind);
        var difference = Assert.Single(different.Fidelity!.Differences);
        Assert.Equal("User 'Bo Finance'", difference.Asset);
        Assert.Equal("(resource)", difference.Object);
        Assert.Equal("$.name", difference.Attribute);
        Assert.Equal("\"Bo Renamed\"", difference.Actual);
    }

    [Fact]
    public async Task A_sheet_changed_in_the_standby_after_its_restore_fails_the_drill_naming_app_object_and_attribute()
    {
        await using var h = await RestoreHarness.StartAsync(azurite);
        await using var standby = await Standby.StartAsync(h);
        await CaptureTenantAsync(h);
        var (appName, spaceName, qId) = h.Tenant.Read(s =>
        {
            var app = s.Apps.Where(a => s.Spaces.Any(x => x.Id == a.SpaceId && x.Type == SpaceTypes.Shared)).OrderBy(a => a.Name, StringComparer.Ordinal).First();
            return (app.Name, s.Spaces.First(x => x.Id == app.SpaceId).Name,
                app.Document.Objects.Values.Where(o => o.QType == "sheet" && o.Published).OrderBy(o => o.Id, StringComparer.Ordinal).First().Id);
        });
        // The injected difference: whenever the standby's copy of that app changes, its sheet's title is changed behind the restore's back,
        // so it is still changed when the drill checks the app.
        var target = standby.Simulator.Tenant;
        target.EventRaised += e =>
        {
            if (!e.EventType.StartsWith("com.qlik.v1.app.", StringComparison.Ordinal)) return;
            target.Write(new SimulatedActor(standby.Simulator.AdminUserId), c =>
            {
                // The app in the standby's space of that name (a published copy of it elsewhere keeps its name too).
                foreach (var app in c.State.Apps.Where(a => a.Name == appName && c.State.Spaces.Any(x => x.Id == a.SpaceId && x.Name == spaceName)))
                    if (app.Document.Objects.GetValueOrDefault(qId)?.Properties["qProperty"] is System.Text.Json.Nodes.JsonObject prop)
                        (prop["qMetaDef"] ??= new JsonObject())["title"] = "Tampered in the standby";
                return 0;
            });
        };

        var sink = new RecordingAlerts();
        var drills = Drills(h, standby.Tenant, sink);
        var outcomes = await RunAsync(drills, "standby4");

        var failed = outcomes.Where(o => o.Result != DrillAssetResult.Equal).ToList();
        Assert.True(failed.Count == 1, string.Join("\n", failed.Select(o => $"{o.Asset.Kind} {o.Asset.Name}: {o.Error} {string.Join("; ", o.Fidelity?.Differences ?? [])}")));
        var different = failed[0];
        Assert.Equal((AssetKind.App, appName), (different.Asset.Kind, different.Asset.Name));
        var difference = Assert.Single(different.Fidelity!.Differences);
        Assert.Contains(qId, difference.Object, StringComparison.Ordinal);
        Assert.Equal("content $.qProperty.qMetaDef.title", difference.Attribute);
        Assert.Equal("\"Tampered in the standby\"", difference.Actual);

        // Reported and alerted as other drills are: the stored report names the difference, the alert the app and object.
        var report = new DrillReport("standby4", h.TenantId, new DrillRequest { Scope = DrillScope.Tenant }, Tier.T1, null, DateTimeOffset.UnixEpoch,
            DateTimeOffset.UnixEpoch.AddMinutes(1), TimeSpan.FromMinutes(1), new RtoOptions().Tenant, outcomes, new DrillCleanup([], []));
        await drills.RecordAsync(report);
        var alert = Assert.Single(sink.Sent);
        Assert.Equal((AlertKind.DrillFailed, "Tenant drill failed"), (alert.Kind, alert.Title));
        Assert.Contains($"App '{appName}'", alert.Detail, StringComparison.Ordinal);
        Assert.Contains("qMetaDef.title", alert.Detail, StringComparison.Ordinal);
        var stored = System.Text.Encoding.UTF8.GetString((await ActivatorUtilities.CreateInstance<DrillReportStore>(h.Services, Options.Create(new DrillOptions())).ReadJsonAsync("standby4"))!);
        Assert.Contains("Tampered in the standby", stored, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_step_cut_short_resumes_its_restore_when_run_again_as_Durable_reruns_a_lost_activity()
    {
        await using var h = await RestoreHarness.StartAsync(azurite);
        await using var standby = await Standby.StartAsync(h);
        await CaptureTenantAsync(h);
        var drills = Drills(h, standby.Tenant);
        var selection = await drills.SelectAsync("standby5", new DrillRequest { Scope = DrillScope.Tenant });
        var space = selection.Assets.First(a => a.Kind == AssetKind.Space);
        foreach (var before in selection.Assets.TakeWhile(a => a != space))
            await drills.RunAssetAsync(new DrillAssetInput("standby5", before, DrillScope.Tenant));

        // The space is created, then Qlik refuses the first app import: the step stops there.
        standby.Simulator.Faults.FailNext(1, 400, "/api/v1/apps/import");
        var cut = Assert.Single(await drills.RunAssetAsync(new DrillAssetInput("standby5", space, DrillScope.Tenant)));
        Assert.Equal(DrillAssetResult.Failed, cut.Result);
        Assert.Equal(1, standby.Simulator.Tenant.Read(s => s.Spaces.Count(x => x.Name == space.Name)));

        var again = await drills.RunAssetAsync(new DrillAssetInput("standby5", space, DrillScope.Tenant));

        Assert.All(again, o => Assert.True(o.Result == DrillAssetResult.Equal, $"{o.Asset.Kind} {o.Asset.Name}: {o.Error} {string.Join("; ", o.Fidelity?.Differences ?? [])}"));
        Assert.Equal(h.Tenant.Read(s => s.Apps.Count(a => a.SpaceId == space.AssetId)), again.Count(o => o.Asset.Kind == AssetKind.App));
        Assert.Equal(1, standby.Simulator.Tenant.Read(s => s.Spaces.Count(x => x.Name == space.Name)));
    }

    [Fact]
    public async Task A_user_the_standby_refuses_is_on_the_checklist_with_what_they_owned_and_the_rest_is_restored_equal()
    {
        await using var h = await RestoreHarness.StartAsync(azurite);
        await using var standby = await Standby.StartAsync(h);
        await CaptureTenantAsync(h);
        // Users are created in name order; the standby refuses the first one (e.g. no licence left).
        var (refusedId, refusedName) = h.Tenant.Read(s => s.Users.OrderBy(u => u.Name, StringComparer.OrdinalIgnoreCase).Select(u => (u.Id, u.Name)).First());
        standby.Simulator.Faults.FailNext(1, 403, "/api/v1/users", "POST");

        var outcomes = await RunAsync(Drills(h, standby.Tenant), "standby6");

        var failed = outcomes.Where(o => o.Result != DrillAssetResult.Equal)
            .Select(o => $"{o.Asset.Kind} {o.Asset.Name}: {o.Error}\n{string.Join("\n", o.Fidelity?.Differences ?? [])}").ToList();
        Assert.True(failed.Count == 0, string.Join("\n", failed));
        Assert.DoesNotContain(outcomes, o => o.Asset.AssetId == refusedId);
        Assert.False(standby.Simulator.Tenant.Read(s => s.Users.Any(u => u.Name == refusedName)));
        var checklist = outcomes.SelectMany(o => o.Checklist).Distinct().ToList();
        Assert.Contains(checklist, l => l.Contains($"User '{refusedName}' ({refusedId}) does not exist in the target tenant", StringComparison.Ordinal));
        Assert.Equal(h.Tenant.Read(s => s.Apps.Count(a => a.SpaceId is not null)), outcomes.Count(o => o.Asset.Kind == AssetKind.App));
    }

    [Fact]
    public async Task A_tenant_drill_without_standby_settings_is_a_bad_request_naming_the_setting()
    {
        await using var h = await RestoreHarness.StartAsync(azurite);
        var ex = await Assert.ThrowsAsync<DrillRequestException>(() => Drills(h, null).SelectAsync("x", new DrillRequest { Scope = DrillScope.Tenant }));
        Assert.Equal(400, ex.Status);
        Assert.Contains("Drill:Standby:TenantUrl", ex.Message);
    }
}
