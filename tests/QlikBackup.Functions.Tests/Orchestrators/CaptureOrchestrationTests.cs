using QlikBackup.Functions.Tests.Support;
using System.Collections.Concurrent;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.DependencyInjection;
using QlikBackup.Core.Alerts;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Capture;
using QlikBackup.Functions.Activities;
using QlikBackup.Functions.Orchestrators;

namespace QlikBackup.Functions.Tests.Orchestrators;

/// <summary>Replays the real orchestrator classes on DurableTaskTestHost with a scripted engine beneath.</summary>
public sealed class CaptureOrchestrationTests
{
    static readonly SpaceCaptureTarget Sales = new("sales", "Sales", Tier.T1);
    static readonly SpaceCaptureTarget Finance = new("finance", "Finance", Tier.T1);
    static readonly SpaceCaptureTarget Archive = new("archive", "Archive", Tier.T3);

    static Dictionary<SpaceCaptureTarget, AssetRef[]> Tenant() => new()
    {
        [Sales] = Enumerable.Range(1, 5).Select(i => new AssetRef(AssetKind.App, $"sales-app-{i}")).ToArray(),
        [Finance] = Enumerable.Range(1, 3).Select(i => new AssetRef(AssetKind.App, $"fin-app-{i}")).ToArray(),
        [Archive] = [new AssetRef(AssetKind.App, "old-app")],
    };

    sealed class RecordingAlerts : IAlertSink
    {
        public ConcurrentBag<Alert> Sent { get; } = [];
        /// <summary>The Logic App is down: every delivery throws (after being counted).</summary>
        public bool Down { get; set; }

        public Task SendAsync(Alert alert, CancellationToken ct = default)
        {
            Sent.Add(alert);
            return Down ? throw new HttpRequestException("Logic App answered 503") : Task.CompletedTask;
        }
    }

    /// <summary>What the run log was given, in order.</summary>
    readonly ConcurrentQueue<CaptureRunResult> recorded = new();

    Task<DurableTaskTestHost> StartAsync(ScriptedCaptureService capture, RecordingAlerts alerts) =>
        TestHosts.StartAsync(
            registry =>
            {
                registry.AddOrchestrator<CaptureTierOrchestrator>();
                registry.AddOrchestrator<CaptureSpaceOrchestrator>();
                registry.AddOrchestrator<CaptureLaneOrchestrator>();
                registry.AddActivity<ListSpacesForTier>();
                registry.AddActivity<ListSpaceAssets>();
                registry.AddActivity<FindUnchangedAssets>();
                registry.AddActivity<BeginCaptureRun>();
                registry.AddActivity<EndCaptureRun>();
                registry.AddActivityFunc<CaptureBatchInput, List<BatchItemResult>>(nameof(CaptureAssets), async (ctx, batch) =>
                {
                    capture.BatchSizes.Enqueue(batch.Assets.Count);
                    return await new CaptureAssets(capture).RunAsync(ctx, batch);
                });
                registry.AddActivity<CaptureAsset>();
                registry.AddActivity<RecordCaptureFailure>();
                registry.AddActivity<MarkDeletedAssets>();
                registry.AddActivity<SendAlert>();
                // The run log writes to Table storage; here the run result is asserted directly.
                registry.AddActivityFunc<CaptureRunResult, bool>(nameof(RecordCaptureRun), (_, run) => { recorded.Enqueue(run); return true; });
            },
            new DurableTaskTestHostOptions
            {
                ConfigureServices = services =>
                {
                    services.AddSingleton<ICaptureService>(capture);
                    services.AddSingleton<IAlertSink>(alerts);
                },
            });

    [Fact]
    public async Task Tier_run_captures_exactly_the_tiers_spaces_each_asset_once_within_one_run()
    {
        var capture = new ScriptedCaptureService(Tenant());
        var alerts = new RecordingAlerts();
        await using var host = await StartAsync(capture, alerts);

        string id = await host.Client.ScheduleNewOrchestrationInstanceAsync(nameof(CaptureTierOrchestrator), new CaptureTierInput(Tier.T1, MaxParallelAssets: 2));
        OrchestrationMetadata meta = await host.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, meta.RuntimeStatus);
        var result = meta.ReadOutputAs<CaptureRunResult>()!;
        Assert.Equal(["finance", "sales"], result.Spaces.Select(s => s.Space.SpaceId).Order());
        Assert.Equal(["finance", "sales"], capture.SpacesListed.Order());
        Assert.Equal(8, result.Summary.Captured);
        Assert.Equal(0, result.Summary.Failed);
        Assert.Equal(8, capture.Attempts.Count);
        Assert.All(capture.Attempts.Values, n => Assert.Equal(1, n));
        Assert.DoesNotContain("old-app", capture.Attempts.Keys);
        // Captured as part of one run, so the engine reads tenant-wide listings and audits once for all of them; the run ends
        // after it is recorded, and moves the audit cursor because every space's captures are recorded.
        string runId = Assert.Single(capture.RunsBegun);
        Assert.StartsWith(id, runId);
        Assert.All(capture.RunOf.Values, r => Assert.Equal(runId, r));
        Assert.Equal((runId, true), Assert.Single(capture.RunsEnded));
        Assert.Empty(alerts.Sent);
    }

    [Fact]
    public async Task A_failing_asset_is_retried_then_recorded_and_alerted_without_failing_its_space()
    {
        var capture = new ScriptedCaptureService(Tenant());
        capture.FailuresToInject["sales-app-3"] = 10;  // fails every attempt
        capture.FailuresToInject["fin-app-2"] = 1;      // fails once, then succeeds on retry
        var alerts = new RecordingAlerts();
        await using var host = await StartAsync(capture, alerts);

        string id = await host.Client.ScheduleNewOrchestrationInstanceAsync(nameof(CaptureTierOrchestrator), new CaptureTierInput(Tier.T1));
        OrchestrationMetadata meta = await host.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, new CancellationTokenSource(TimeSpan.FromSeconds(90)).Token);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, meta.RuntimeStatus);
        var result = meta.ReadOutputAs<CaptureRunResult>()!;
        Assert.Equal(3, capture.Attempts["sales-app-3"]);
        Assert.Equal(2, capture.Attempts["fin-app-2"]);
        Assert.Equal(["sales-app-3"], capture.RecordedFailures);

        SpaceCaptureResult sales = result.Spaces.Single(s => s.Space.SpaceId == "sales");
        Assert.Equal(4, sales.Summary.Captured);
        Assert.Equal(1, sales.Summary.Failed);
        Assert.Equal("sales-app-3", Assert.Single(sales.Failures).Asset.Id);
        Assert.Equal(3, result.Spaces.Single(s => s.Space.SpaceId == "finance").Summary.Captured);

        Alert alert = Assert.Single(alerts.Sent);
        Assert.Equal(AlertKind.CaptureFailed, alert.Kind);
        Assert.Contains("sales-app-3", alert.Detail);
    }

    static async Task<CaptureRunResult> RunTierAsync(DurableTaskTestHost host, Tier tier)
    {
        string id = await host.Client.ScheduleNewOrchestrationInstanceAsync(nameof(CaptureTierOrchestrator), new CaptureTierInput(tier));
        OrchestrationMetadata meta = await host.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, new CancellationTokenSource(TimeSpan.FromSeconds(90)).Token);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, meta.RuntimeStatus);
        return meta.ReadOutputAs<CaptureRunResult>()!;
    }

    [Fact]
    public async Task A_run_that_cannot_list_its_spaces_is_recorded_as_failed_and_alerted()
    {
        var capture = new ScriptedCaptureService(Tenant()) { FailSpaceListing = true };
        var alerts = new RecordingAlerts();
        await using var host = await StartAsync(capture, alerts);

        CaptureRunResult result = await RunTierAsync(host, Tier.T1);

        Assert.True(result.Failed);
        Assert.Contains("429", result.Error);
        Assert.Empty(result.Spaces);
        Assert.Contains("429", Assert.Single(recorded).Error);
        Alert alert = Assert.Single(alerts.Sent);
        Assert.Equal(AlertKind.CaptureFailed, alert.Kind);
        Assert.Contains("429", alert.Detail);
    }

    [Fact]
    public async Task A_space_whose_listing_or_deleted_check_fails_keeps_the_other_spaces_and_its_own_captures()
    {
        var capture = new ScriptedCaptureService(Tenant());
        capture.FailAssetListing["finance"] = true;
        capture.FailDeletedCheck["sales"] = true;
        var alerts = new RecordingAlerts();
        await using var host = await StartAsync(capture, alerts);

        CaptureRunResult result = await RunTierAsync(host, Tier.T1);

        SpaceCaptureResult sales = result.Spaces.Single(s => s.Space.SpaceId == "sales");
        Assert.Equal(5, sales.Summary.Captured);
        Assert.Contains("deleted-asset check", sales.Error);
        Assert.Contains("503", result.Spaces.Single(s => s.Space.SpaceId == "finance").Error);
        Assert.True(result.Failed);
        Assert.Equal(5, Assert.Single(recorded).Summary.Captured);
        // A failed run ends without moving the audit cursor: the next run reads those events again.
        Assert.False(Assert.Single(capture.RunsEnded).AdvanceCursor);
        Alert alert = Assert.Single(alerts.Sent);
        Assert.Contains("finance", alert.Detail);
        Assert.Contains("sales", alert.Detail);
    }

    [Fact]
    public async Task An_alert_that_cannot_be_delivered_does_not_fail_the_run_which_is_recorded_first()
    {
        var capture = new ScriptedCaptureService(Tenant());
        capture.FailuresToInject["sales-app-1"] = 10;
        var alerts = new RecordingAlerts { Down = true };
        await using var host = await StartAsync(capture, alerts);

        CaptureRunResult result = await RunTierAsync(host, Tier.T1);

        Assert.Equal(1, result.Summary.Failed);
        Assert.Equal(7, result.Summary.Captured);
        Assert.Equal(1, Assert.Single(recorded).Summary.Failed);
        Assert.Single(alerts.Sent);
    }

    [Fact]
    public async Task Assets_found_unchanged_before_the_fan_out_get_no_capture_activity_and_count_as_unchanged()
    {
        var capture = new ScriptedCaptureService(Tenant());
        capture.Unchanged["sales-app-2"] = true;
        capture.Unchanged["fin-app-1"] = true;
        capture.Unchanged["fin-app-3"] = true;
        var alerts = new RecordingAlerts();
        await using var host = await StartAsync(capture, alerts);

        CaptureRunResult result = await RunTierAsync(host, Tier.T1);

        Assert.Equal(5, result.Summary.Captured);
        Assert.Equal(3, result.Summary.Unchanged);
        Assert.Equal(["fin-app-2", "sales-app-1", "sales-app-3", "sales-app-4", "sales-app-5"], capture.Attempts.Keys.Order());
        Assert.Equal(8, result.Spaces.Sum(s => s.Assets));
        Assert.Empty(alerts.Sent);
    }

    [Fact]
    public async Task A_first_capture_of_a_large_space_runs_in_bounded_batches_and_lanes_and_replays_to_the_same_result()
    {
        var big = new SpaceCaptureTarget("big", "Big", Tier.T2);
        AssetRef[] assets =
        [
            new(AssetKind.Space, "big"),
            .. Enumerable.Range(1, 60).Select(i => new AssetRef(AssetKind.App, $"big-app-{i:00}")),
            .. Enumerable.Range(1, 7).Select(i => new AssetRef(AssetKind.DataConnection, $"big-conn-{i}")),
        ];
        var capture = new ScriptedCaptureService(new Dictionary<SpaceCaptureTarget, AssetRef[]> { [big] = assets });
        capture.FailuresToInject["big-app-17"] = 10; // fails in its batch and on its own: recorded, the batch's others stand
        capture.FailuresToInject["big-app-42"] = 1;  // fails in its batch, captured on its own
        var alerts = new RecordingAlerts();
        await using var host = await StartAsync(capture, alerts);

        string id = await host.Client.ScheduleNewOrchestrationInstanceAsync(nameof(CaptureTierOrchestrator), new CaptureTierInput(Tier.T2, MaxParallelAssets: 4));
        OrchestrationMetadata meta = await host.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, new CancellationTokenSource(TimeSpan.FromSeconds(90)).Token);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, meta.RuntimeStatus);
        CaptureRunResult result = meta.ReadOutputAs<CaptureRunResult>()!;
        Assert.Equal((67, 1), (result.Summary.Captured, result.Summary.Failed));
        Assert.Equal(assets.Select(a => a.Id).Order(), capture.Attempts.Keys.Order());
        Assert.Equal((3, 2), (capture.Attempts["big-app-17"], capture.Attempts["big-app-42"]));
        Assert.All(capture.Attempts.Where(a => a.Key is not ("big-app-17" or "big-app-42")), a => Assert.Equal(1, a.Value));
        Assert.Equal(["big-app-17"], capture.RecordedFailures);
        // 60 apps in batches of at most 5, the 8 other assets in an even share of the parallelism (4 of 2): 16 activities, not
        // 68 (the two retried apps get their own); the orchestration replayed after each, re-cutting the same batches.
        Assert.Equal(16, capture.BatchSizes.Count);
        Assert.Equal(68, capture.BatchSizes.Sum());
        Assert.True(capture.BatchSizes.Max() <= CaptureSpaceOrchestrator.MaxResourcesPerBatch);
        Assert.Equal(12, capture.BatchSizes.Count(n => n == CaptureSpaceOrchestrator.MaxAppsPerBatch));
        // More than 50 changed assets: the space ran one lane per unit of parallelism (4), its own history holding those 4.
        for (int lane = 0; lane < 5; lane++)
        {
            OrchestrationMetadata? laneMeta = await host.Client.GetInstanceAsync($"{id}:big:lane{lane}");
            Assert.Equal(lane < 4, laneMeta is { RuntimeStatus: OrchestrationRuntimeStatus.Completed });
        }
    }

    [Fact]
    public void Lanes_deal_batches_round_robin_to_at_most_the_parallelism()
    {
        var batches = Enumerable.Range(0, 10).Select(i => new List<AssetRef> { new(AssetKind.App, $"a{i}") }).ToList();

        var lanes = CaptureSpaceOrchestrator.Lanes(batches, 4);

        Assert.Equal([3, 3, 2, 2], lanes.Select(l => l.Count));
        Assert.Equal(["a0", "a4", "a8"], lanes[0].Select(b => b[0].Id));
        Assert.Equal(batches.Select(b => b[0].Id).Order(), lanes.SelectMany(l => l).Select(b => b[0].Id).Order());
        Assert.Single(CaptureSpaceOrchestrator.Lanes(batches.Take(1).ToList(), 8));
    }

    [Fact]
    public async Task A_run_whose_audit_read_fails_still_captures_every_asset_within_the_run()
    {
        var capture = new ScriptedCaptureService(Tenant()) { FailAuditRead = true };
        var alerts = new RecordingAlerts();
        await using var host = await StartAsync(capture, alerts);

        CaptureRunResult result = await RunTierAsync(host, Tier.T1);

        Assert.False(result.Failed);
        Assert.Equal(8, result.Summary.Captured);
        // Same run id for every capture (listings still shared); attribution falls back to each point's own window.
        string runId = Assert.Single(capture.RunOf.Values.Distinct())!;
        Assert.Empty(capture.RunsBegun);
        Assert.Equal(runId, Assert.Single(capture.RunsEnded).RunId);
    }

    [Theory]
    [InlineData(3, 8, new[] { 1, 1, 1 })]
    [InlineData(40, 8, new[] { 5, 5, 5, 5, 5, 5, 5, 5 })]
    [InlineData(12, 2, new[] { 5, 5, 2 })]
    public void Batches_are_an_even_share_of_the_parallelism_and_never_more_than_five_apps(int apps, int parallel, int[] sizes)
    {
        var assets = Enumerable.Range(1, apps).Select(i => new AssetRef(AssetKind.App, $"a{i}")).ToList();

        var batches = CaptureSpaceOrchestrator.Batches(assets, parallel).ToList();

        Assert.Equal(sizes, batches.Select(b => b.Count));
        Assert.Equal(assets, batches.SelectMany(b => b));
    }

    [Fact]
    public async Task A_space_run_on_its_own_is_one_run_with_one_audit_read_and_ends_it_without_moving_the_audit_cursor()
    {
        var capture = new ScriptedCaptureService(Tenant());
        var alerts = new RecordingAlerts();
        await using var host = await StartAsync(capture, alerts);

        string id = await host.Client.ScheduleNewOrchestrationInstanceAsync(nameof(CaptureSpaceOrchestrator), new CaptureSpaceInput(Sales, CaptureTrigger.OnDemand, 2));
        OrchestrationMetadata meta = await host.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, meta.RuntimeStatus);
        Assert.Equal(5, meta.ReadOutputAs<SpaceCaptureResult>()!.Summary.Captured);
        string runId = Assert.Single(capture.RunOf.Values.Distinct())!;
        Assert.StartsWith(id, runId);
        Assert.Equal(runId, Assert.Single(capture.RunsBegun));
        Assert.Equal((runId, false), Assert.Single(capture.RunsEnded));
    }
}
