using QlikBackup.Functions.Tests.Support;
using System.Collections.Concurrent;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.DependencyInjection;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Drill;
using QlikBackup.Core.Fidelity;
using QlikBackup.Functions.Activities;
using QlikBackup.Functions.Orchestrators;

namespace QlikBackup.Functions.Tests.Orchestrators;

/// <summary>Replays the real drill orchestrator and activity classes on DurableTaskTestHost with a scripted drill service.</summary>
public sealed class DrillOrchestrationTests
{
    sealed class ScriptedDrills(int assets, TimeSpan objective) : IDrillService
    {
        public ConcurrentDictionary<string, int> Attempts { get; } = new();
        public HashSet<string> Broken { get; } = [];
        public HashSet<string> Crashing { get; } = [];
        public ConcurrentBag<string> Cleaned { get; } = [];
        public ConcurrentBag<DrillSelection> CleanedSelections { get; } = [];
        public bool CleanupFails { get; init; }
        public ConcurrentBag<DrillReport> Recorded { get; } = [];
        /// <summary>Each asset run as the orchestrator asked for it, in order (where it is restored: its scope).</summary>
        public ConcurrentQueue<(string AssetId, DrillScope Scope)> Runs { get; } = new();
        public TimeSpan AssetDelay { get; init; }
        public bool SelectFails { get; init; }

        public Task<DrillSelection> SelectAsync(string drillId, DrillRequest request, CancellationToken ct = default)
            => SelectFails ? throw new DrillRequestException(404, "Nothing to drill", "Space 's' has no captured recovery point.") : Task.FromResult(new DrillSelection(drillId, "tenant", request, request.Tier ?? Tier.T1, objective, 42,
                Enumerable.Range(1, assets).Select(i => new DrillAsset(AssetKind.App, $"app-{i}", $"App {i}", $"p{i}", DateTimeOffset.UnixEpoch, "s", "Sales")).ToList(),
                request.Scope == DrillScope.Tenant ? ["user admin-1"] : null));

        public async Task<IReadOnlyList<DrillAssetOutcome>> RunAssetAsync(DrillAssetInput input, CancellationToken ct = default)
        {
            Attempts.AddOrUpdate(input.Asset.AssetId, 1, (_, n) => n + 1);
            Runs.Enqueue((input.Asset.AssetId, input.Scope));
            await Task.Delay(AssetDelay, ct);
            if (Crashing.Contains(input.Asset.AssetId)) throw new InvalidOperationException($"worker lost on {input.Asset.AssetId}");
            bool broken = Broken.Contains(input.Asset.AssetId);
            var diffs = broken ? new[] { new FidelityDifference(input.Asset.Name!, "GenericObject sheet-1", "owner", "u1", "u2") } : [];
            var fidelity = new FidelityResult(input.Asset.Name!, input.Asset.PointId, "new-" + input.Asset.AssetId, 10, broken ? 9 : 10, true, diffs, []);
            return [new DrillAssetOutcome(input.Asset, broken ? DrillAssetResult.Different : DrillAssetResult.Equal, "drill-x-Sales", fidelity.LiveAssetId, TimeSpan.FromSeconds(1), fidelity, [], null)];
        }

        public Task<DrillCleanup> CleanupAsync(DrillSelection selection, CancellationToken ct = default)
        {
            Cleaned.Add(selection.DrillId);
            CleanedSelections.Add(selection);
            if (CleanupFails) throw new InvalidOperationException("Qlik API 403: the standby refused");
            return Task.FromResult(new DrillCleanup([$"space 'drill-{selection.DrillId}'"], []));
        }

        public Task RecordAsync(DrillReport report, CancellationToken ct = default)
        {
            Recorded.Add(report);
            return Task.CompletedTask;
        }

        public ConcurrentBag<DrillCleanUpRun> RecordedCleanUps { get; } = [];

        /// <summary>From the recorded report, as the real service reads the stored one.</summary>
        public Task<DrillSelection> CleanUpSelectionAsync(string drillId, CancellationToken ct = default)
        {
            var report = Recorded.FirstOrDefault(r => r.DrillId == drillId) ?? throw new DrillRequestException(404, "Drill not found", $"no drill '{drillId}'");
            return Task.FromResult(new DrillSelection(drillId, report.TenantId, report.Request with { KeepStandby = false }, report.Tier, report.RtoObjective, report.Seed, [], report.StandbyBefore));
        }

        public Task RecordCleanUpAsync(DrillCleanUpRun run, CancellationToken ct = default)
        {
            RecordedCleanUps.Add(run);
            return Task.CompletedTask;
        }
    }

    static Task<DurableTaskTestHost> StartAsync(ScriptedDrills drills) => TestHosts.StartAsync(
        registry =>
        {
            registry.AddOrchestrator<DrillOrchestrator>();
            registry.AddActivity<SelectDrillAssets>();
            registry.AddActivity<RunDrillAsset>();
            registry.AddActivity<CleanupDrill>();
            registry.AddActivity<RecordDrillReport>();
            registry.AddOrchestrator<DrillCleanUpOrchestrator>();
            registry.AddActivity<LoadDrillCleanUp>();
            registry.AddActivity<RecordDrillCleanUp>();
        },
        new DurableTaskTestHostOptions { ConfigureServices = services => services.AddSingleton<IDrillService>(drills) });

    static async Task<DrillReport> RunAsync(DurableTaskTestHost host, DrillRequest request)
    {
        string id = await host.Client.ScheduleNewOrchestrationInstanceAsync(nameof(DrillOrchestrator), request);
        var meta = await host.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, meta.RuntimeStatus);
        var report = meta.ReadOutputAs<DrillReport>()!;
        Assert.Equal(id, report.DrillId);
        return report;
    }

    [Fact]
    public async Task A_tenant_drill_runs_each_step_in_order_into_the_standby_and_reports_against_its_own_objective()
    {
        var drills = new ScriptedDrills(3, TimeSpan.FromDays(1));
        await using var host = await StartAsync(drills);

        var report = await RunAsync(host, new DrillRequest { Scope = DrillScope.Tenant, Operator = "ops" });

        // One step after another (users before the spaces that name them), each told it restores into the standby tenant.
        Assert.Equal([("app-1", DrillScope.Tenant), ("app-2", DrillScope.Tenant), ("app-3", DrillScope.Tenant)], drills.Runs.ToArray());
        Assert.True(report.Passed);
        Assert.Equal(DrillScope.Tenant, report.Request.Scope);
        Assert.Equal(TimeSpan.FromDays(1), report.RtoObjective);
        Assert.Equal(DrillService.StandbyNotChecked, report.NotChecked);
        Assert.Equal(report.DrillId, Assert.Single(drills.Recorded).DrillId);
        // The clean-up gets the selection: what the standby held before the drill, and whether the operator asked to keep the rebuild.
        var cleaned = Assert.Single(drills.CleanedSelections);
        Assert.Equal(["user admin-1"], cleaned.StandbyBefore);
        Assert.False(cleaned.Request.KeepStandby);
    }

    [Fact]
    public async Task A_standby_clean_up_that_fails_every_retry_fails_the_drill_naming_the_standby_and_the_keep_flag_reaches_the_clean_up()
    {
        var drills = new ScriptedDrills(2, TimeSpan.FromDays(1)) { CleanupFails = true };
        await using var host = await StartAsync(drills);

        var report = await RunAsync(host, new DrillRequest { Scope = DrillScope.Tenant, KeepStandby = true });

        Assert.False(report.Passed);
        Assert.Equal(2, report.AssetsEqual);
        var left = Assert.Single(report.Cleanup.LeftBehind);
        Assert.Contains("in the standby tenant: clean-up failed", left, StringComparison.Ordinal);
        Assert.Contains("Qlik API 403", left, StringComparison.Ordinal);
        Assert.All(drills.CleanedSelections, s => Assert.True(s.Request.KeepStandby));
        Assert.Single(drills.Recorded);
    }

    [Fact]
    public async Task Every_asset_is_restored_once_verified_cleaned_up_and_the_report_recorded()
    {
        var drills = new ScriptedDrills(3, TimeSpan.FromMinutes(30));
        await using var host = await StartAsync(drills);

        var report = await RunAsync(host, new DrillRequest { Scope = DrillScope.Sample, Tier = Tier.T1, SampleSize = 3 });

        Assert.True(report.Passed, report.Headline);
        Assert.Equal("3 of 3 assets, 30 of 30 objects restored equal", report.Headline[..report.Headline.IndexOf(", RTO", StringComparison.Ordinal)]);
        Assert.All(drills.Attempts.Values, n => Assert.Equal(1, n));
        Assert.Equal([report.DrillId], drills.Cleaned);
        Assert.Equal(report.DrillId, Assert.Single(drills.Recorded).DrillId);
        Assert.Equal(42, report.Seed);
        Assert.All(report.Assets, a => Assert.NotNull(a.VerifiedAt));
        Assert.Equal(report.Assets.Max(a => a.VerifiedAt)!.Value - report.StartedAt, report.Rto);
    }

    [Fact]
    public async Task A_difference_fails_the_drill_naming_it_and_a_crash_midway_still_cleans_up()
    {
        var drills = new ScriptedDrills(3, TimeSpan.FromMinutes(30));
        drills.Broken.Add("app-1");
        drills.Crashing.Add("app-2");
        await using var host = await StartAsync(drills);

        var report = await RunAsync(host, new DrillRequest { Scope = DrillScope.Tier, Tier = Tier.T2 });

        Assert.False(report.Passed);
        Assert.Equal(3, drills.Attempts["app-2"]);              // retried, then given up
        Assert.False(drills.Attempts.ContainsKey("app-3"));      // the drill stopped there
        Assert.Contains("worker lost on app-2", report.Error);
        Assert.Equal("owner", Assert.Single(Assert.Single(report.Assets).Fidelity!.Differences).Attribute);
        Assert.Equal([report.DrillId], drills.Cleaned);
        Assert.Single(drills.Recorded);
    }

    [Fact]
    public async Task A_drill_whose_points_cannot_be_chosen_is_still_reported_as_failed()
    {
        var drills = new ScriptedDrills(1, TimeSpan.FromMinutes(30)) { SelectFails = true };
        await using var host = await StartAsync(drills);

        var report = await RunAsync(host, new DrillRequest { Scope = DrillScope.Space, SpaceId = "s" });

        Assert.False(report.Passed);
        Assert.Contains("has no captured recovery point", report.Error);
        Assert.Empty(drills.Attempts);
        Assert.Equal(report.DrillId, Assert.Single(drills.Recorded).DrillId);
    }

    [Fact]
    public async Task A_drill_slower_than_its_objective_breaches_the_RTO()
    {
        var drills = new ScriptedDrills(2, TimeSpan.FromMilliseconds(1)) { AssetDelay = TimeSpan.FromMilliseconds(50) };
        await using var host = await StartAsync(drills);

        var report = await RunAsync(host, new DrillRequest { Scope = DrillScope.Sample, Tier = Tier.T1 });

        Assert.True(report.RtoBreached);
        Assert.False(report.Passed);
        Assert.Equal(2, report.AssetsEqual);
    }

    [Fact]
    public async Task A_kept_standby_is_emptied_by_the_clean_up_operation_with_what_the_drill_recorded_before_it_and_the_run_is_recorded()
    {
        var drills = new ScriptedDrills(2, TimeSpan.FromDays(1));
        await using var host = await StartAsync(drills);
        var report = await RunAsync(host, new DrillRequest { Scope = DrillScope.Tenant, KeepStandby = true });
        // The report keeps what the standby held before the drill, so the clean-up can be run again later.
        Assert.Equal(["user admin-1"], report.StandbyBefore);

        string id = await host.Client.ScheduleNewOrchestrationInstanceAsync(nameof(DrillCleanUpOrchestrator), new DrillCleanUpRequest(report.DrillId, "ops"));
        var meta = await host.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, meta.RuntimeStatus);
        var run = meta.ReadOutputAs<DrillCleanUpRun>()!;
        Assert.Equal((report.DrillId, id, "ops"), (run.DrillId, run.OperationId, run.Operator));
        Assert.True(run.Passed);
        Assert.Equal([$"space 'drill-{report.DrillId}'"], run.Cleanup.Removed);
        // The second clean-up got the drill's record and is not told to keep the standby this time.
        var again = drills.CleanedSelections.Where(s => !s.Request.KeepStandby).ToList();
        Assert.Equal(["user admin-1"], Assert.Single(again).StandbyBefore);
        var recorded = Assert.Single(drills.RecordedCleanUps);
        Assert.Equal(run.OperationId, recorded.OperationId);
        Assert.Equal(run.Cleanup.Removed, recorded.Cleanup.Removed);
    }

    [Fact]
    public async Task A_clean_up_operation_that_fails_every_retry_is_recorded_as_left_behind_naming_the_drill()
    {
        var drills = new ScriptedDrills(1, TimeSpan.FromDays(1));
        await using var host = await StartAsync(drills);

        string id = await host.Client.ScheduleNewOrchestrationInstanceAsync(nameof(DrillCleanUpOrchestrator), new DrillCleanUpRequest("gone", "ops"));
        var meta = await host.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, meta.RuntimeStatus);
        var run = meta.ReadOutputAs<DrillCleanUpRun>()!;
        Assert.False(run.Passed);
        Assert.Contains("drill gone", Assert.Single(run.Cleanup.LeftBehind), StringComparison.Ordinal);
        Assert.Single(drills.RecordedCleanUps);
        Assert.Empty(drills.Cleaned);
    }
}
