using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using QlikBackup.Core.Alerts;
using QlikBackup.Core.Drill;
using QlikBackup.Core.Fidelity;
using QlikBackup.Qlik.Simulator.Model;

namespace QlikBackup.Restore.Tests;

/// <summary>Drill steps end to end: real captures in Azurite, isolated restores into the simulated tenant, fidelity, clean-up.</summary>
[Collection(RestoreCollection.Name)]
public sealed class DrillServiceTests(AzuriteFixture azurite)
{
    sealed class RecordingAlerts : IAlertSink
    {
        public ConcurrentQueue<Alert> Sent { get; } = new();
        public Task SendAsync(Alert alert, CancellationToken ct = default) { Sent.Enqueue(alert); return Task.CompletedTask; }
    }

    static DrillService Drills(RestoreHarness h, IAlertSink alerts)
    {
        var drill = Options.Create(new DrillOptions());
        var store = ActivatorUtilities.CreateInstance<DrillReportStore>(h.Services, drill);
        var drillAlerts = ActivatorUtilities.CreateInstance<DrillAlerts>(h.Services, alerts, drill);
        return ActivatorUtilities.CreateInstance<DrillService>(h.Services, ActivatorUtilities.CreateInstance<FidelityCheck>(h.Services),
            store, drillAlerts, drill, Options.Create(new RtoOptions()));
    }

    /// <summary>Everything the simulated tenant holds except its audit trail (a drill is audited) and issued tokens.</summary>
    static Dictionary<string, string> Production(RestoreHarness h)
    {
        var node = JsonNode.Parse(h.TenantJson())!.AsObject();
        node.Remove(nameof(TenantState.Audits));
        return node.ToDictionary(p => p.Key, p => p.Value?.ToJsonString() ?? "null");
    }

    [Fact]
    public void A_plan_that_would_write_into_production_is_never_executed_by_a_drill()
    {
        var point = new RecoveryPoint { TenantId = "t", PointId = "p1", Kind = AssetKind.App, AssetId = "app-1", CapturedAt = DateTimeOffset.UnixEpoch };
        RestorePlan Plan(RestoreTarget target, params RestoreAction[] actions) => new("r1", new RestoreRequest { Operator = "drill" }, [point], actions, [], [], [target]);
        var import = new RestoreAction("a1", RestoreActionKind.Create, AssetKind.App, "app-1", "Sales", null, "Import", "p1", "qvf", RestoreStep.ImportApp);

        DrillService.EnsureIsolated(Plan(new RestoreTarget("p1", AssetKind.App, "app-1", "Sales", null, "space-new", "s1", Isolated: true), import));
        var inPlace = Assert.Throws<InvalidOperationException>(() => DrillService.EnsureIsolated(Plan(new RestoreTarget("p1", AssetKind.App, "app-1", "Sales", "app-1", "space-prod"), import)));
        Assert.Contains("App app-1", inPlace.Message);
        Assert.Throws<InvalidOperationException>(() => DrillService.EnsureIsolated(Plan(new RestoreTarget("p1", AssetKind.App, "app-1", "Sales", null, "space-new", "s1", Isolated: true),
            import with { Id = "a2", Kind = RestoreActionKind.Delete, Step = RestoreStep.DeleteObject })));
    }

    [Fact]
    public async Task A_seeded_sample_restores_isolated_copies_equal_to_their_points_and_leaves_production_unchanged()
    {
        await using var h = await RestoreHarness.StartAsync(azurite);
        var apps = h.Tenant.Read(s => s.Apps.Where(a => a.SpaceId is not null).Select(a => a.Id).ToList());
        foreach (var app in apps) await h.CaptureAsync(AssetKind.App, app);
        var drills = Drills(h, new RecordingAlerts());
        var before = Production(h);

        var selection = await drills.SelectAsync("drill1", new DrillRequest { Scope = DrillScope.Sample, Tier = Tier.T3, SampleSize = 3, Seed = 7 });
        var again = await drills.SelectAsync("drill2", new DrillRequest { Scope = DrillScope.Sample, Tier = Tier.T3, SampleSize = 3, Seed = 7 });
        Assert.Equal(3, selection.Assets.Count);
        Assert.Equal(7, selection.Seed);
        Assert.Equal(selection.Assets, again.Assets);   // the seed in the report re-runs the same drill

        var outcomes = new List<DrillAssetOutcome>();
        foreach (var asset in selection.Assets) outcomes.Add(Assert.Single(await drills.RunAssetAsync(new DrillAssetInput("drill1", asset))));
        var cleanup = await drills.CleanupAsync(selection);

        foreach (var o in outcomes)
        {
            Assert.True(o.Result == DrillAssetResult.Equal, $"{o.Asset.Name}: {o.Error}\n{string.Join("\n", o.Fidelity?.Differences ?? [])}");
            Assert.True(o.Fidelity!.Opened);
            Assert.NotEqual(o.Asset.AssetId, o.RestoredAssetId);
        }
        Assert.Empty(cleanup.LeftBehind);
        Assert.Equal(3, cleanup.Removed.Count(r => r.StartsWith("space 'drill-drill1-", StringComparison.Ordinal)));
        AssertUnchanged(before, Production(h));
    }

    static void AssertUnchanged(Dictionary<string, string> before, Dictionary<string, string> after)
    {
        foreach (var (section, state) in before) Assert.True(state == after[section], $"{section} changed:\n{state}\n{after[section]}");
    }

    [Fact]
    public async Task A_space_drill_restores_the_space_its_members_and_every_app_equal_and_leaves_production_unchanged()
    {
        await using var h = await RestoreHarness.StartAsync(azurite);
        var space = h.Tenant.Read(s => s.Spaces.Where(x => x.Type == SpaceTypes.Shared).OrderBy(x => x.Name, StringComparer.Ordinal).First());
        var apps = h.Tenant.Read(s => s.Apps.Count(a => a.SpaceId == space.Id));
        foreach (var asset in await h.Capture.ListAssetsAsync(new SpaceCaptureTarget(space.Id, space.Name, Tier.T3))) await h.CaptureAsync(asset.Kind, asset.Id);
        var drills = Drills(h, new RecordingAlerts());
        var before = Production(h);

        var selection = await drills.SelectAsync("drillsp", new DrillRequest { Scope = DrillScope.Space, SpaceId = space.Id });
        var outcomes = await drills.RunAssetAsync(new DrillAssetInput("drillsp", Assert.Single(selection.Assets)));
        var cleanup = await drills.CleanupAsync(selection);

        Assert.Equal(AssetKind.Space, outcomes[0].Asset.Kind);
        Assert.Equal(apps, outcomes.Count(o => o.Asset.Kind == AssetKind.App));
        foreach (var o in outcomes)
            Assert.True(o.Result == DrillAssetResult.Equal, $"{o.Asset.Kind} {o.Asset.Name}: {o.Error}\n{string.Join("\n", o.Fidelity?.Differences ?? [])}");
        Assert.True(outcomes[0].Fidelity!.Objects > 1, "the space's assignments are compared");
        Assert.Empty(cleanup.LeftBehind);
        AssertUnchanged(before, Production(h));
        await Assert.ThrowsAsync<DrillRequestException>(() => drills.SelectAsync("x", new DrillRequest { Scope = DrillScope.Space, SpaceId = "no-such-space" }));
    }

    /// <summary>A Logic App stand-in: an HTTP listener on loopback that keeps every alert body it receives.</summary>
    sealed class AlertListener : IDisposable
    {
        readonly HttpListener _listener = new();
        readonly Task _loop;

        public AlertListener()
        {
            Url = new Uri($"http://127.0.0.1:{QlikBackup.DevServices.LoopbackPort.Free()}/alerts/");
            _listener.Prefixes.Add(Url.ToString());
            _listener.Start();
            _loop = Task.Run(async () =>
            {
                while (_listener.IsListening)
                {
                    HttpListenerContext ctx;
                    try { ctx = await _listener.GetContextAsync(); }
                    catch (Exception) { return; }
                    using (var reader = new StreamReader(ctx.Request.InputStream)) Received.Enqueue((ctx.Request.ContentType ?? "", JsonNode.Parse(await reader.ReadToEndAsync())!.AsObject()));
                    ctx.Response.StatusCode = 202;
                    ctx.Response.Close();
                }
            });
        }

        public Uri Url { get; }
        public ConcurrentQueue<(string ContentType, JsonObject Body)> Received { get; } = new();

        public void Dispose() => _listener.Close();
    }

    [Fact]
    public async Task A_drill_over_its_objective_is_stored_and_alerts_the_breach_once_and_its_resolution_once()
    {
        await using var h = await RestoreHarness.StartAsync(azurite);
        using var logicApp = new AlertListener();
        using var http = new HttpClient();
        var alerts = new LogicAppAlertSink(http, Options.Create(new AlertOptions { LogicAppUrl = logicApp.Url }), Microsoft.Extensions.Logging.Abstractions.NullLogger<LogicAppAlertSink>.Instance);
        var drills = Drills(h, alerts);
        var asset = new DrillAsset(AssetKind.App, "a1", "App 1", "p1", DateTimeOffset.UtcNow, "s1", "Sales");
        var fidelity = new FidelityResult("App 'App 1'", "p1", "a2", 4, 4, true, [], []);
        DrillReport Report(string id, TimeSpan rto) => new(id, h.TenantId, new DrillRequest { Tier = Tier.T1 }, Tier.T1, 1, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow,
            rto, TimeSpan.FromMilliseconds(1), [new DrillAssetOutcome(asset, DrillAssetResult.Equal, "drill-x", "a2", rto, fidelity, [], null)], new DrillCleanup([], []));

        await drills.RecordAsync(Report("slow1", TimeSpan.FromSeconds(2)));
        await drills.RecordAsync(Report("slow2", TimeSpan.FromSeconds(3)));
        await drills.RecordAsync(Report("fast", TimeSpan.Zero));

        var received = logicApp.Received.ToList();
        Assert.Equal(["DrillFailed", "RtoBreached", "DrillFailed", "RtoResolved"], received.Select(r => (string?)r.Body["kind"]));
        foreach (var (contentType, body) in received)
        {
            // The schema the Logic App's HTTP trigger parses.
            Assert.StartsWith("application/json", contentType);
            Assert.Equal(["detail", "kind", "raisedAt", "reference", "severity", "title"], body.Select(p => p.Key).Order(StringComparer.Ordinal));
            Assert.All(new[] { "kind", "severity", "title", "detail", "reference" }, k => Assert.False(string.IsNullOrEmpty((string?)body[k]), k));
            Assert.True(DateTimeOffset.TryParse((string?)body["raisedAt"], out _));
        }
        var breach = received.Single(r => (string?)r.Body["kind"] == "RtoBreached").Body;
        Assert.Equal(("slow1", "error"), ((string?)breach["reference"], (string?)breach["severity"]));
        Assert.Contains("objective", (string?)breach["detail"]);
        Assert.Equal("info", (string?)received.Single(r => (string?)r.Body["kind"] == "RtoResolved").Body["severity"]);
        var store = ActivatorUtilities.CreateInstance<DrillReportStore>(h.Services, Options.Create(new DrillOptions()));
        Assert.Equal(["fast", "slow2", "slow1"], (await store.ListAsync()).Select(r => r.DrillId));
        var json = JsonDocument.Parse((await store.ReadJsonAsync("slow1"))!).RootElement;
        Assert.Equal("slow1", json.GetProperty("drillId").GetString());
        Assert.Contains("1 of 1 assets, 4 of 4 objects restored equal, RTO 2 s vs objective 0 s", System.Text.Encoding.UTF8.GetString((await store.ReadHtmlAsync("slow1"))!));
    }
}
