using QlikBackup.Functions.Tests.Support;
using System.Collections.Concurrent;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.DependencyInjection;
using QlikBackup.Core.Restore;
using QlikBackup.Functions.Activities;
using QlikBackup.Functions.Orchestrators;

namespace QlikBackup.Functions.Tests.Orchestrators;

/// <summary>Replays RestoreOrchestrator on DurableTaskTestHost over a scripted restore engine.</summary>
public sealed class RestoreOrchestrationTests
{
    /// <summary>Holds stored plans; execution fails a given number of times; records what each call saw.</summary>
    sealed class ScriptedRestore(int failures) : IRestoreService
    {
        int _failures = failures;
        public ConcurrentDictionary<string, RestorePlan> Plans { get; } = new();
        public ConcurrentBag<string> Executed { get; } = [];
        public ConcurrentBag<string> Discarded { get; } = [];
        public ConcurrentBag<(string RestoreId, RestoreResult? Result)> Audited { get; } = [];
        public int Planned;

        public Task<RestorePlan> PlanAsync(RestoreRequest request, CancellationToken ct = default) => PlanAsync(request, null, ct);
        public Task<RestorePlan> PlanAsync(RestoreRequest request, string? restoreId, CancellationToken ct = default)
        {
            Interlocked.Increment(ref Planned);
            throw new InvalidOperationException("The orchestration must not plan again.");
        }
        public Task<RestorePlan?> GetPlanAsync(string restoreId, CancellationToken ct = default) => Task.FromResult(Plans.GetValueOrDefault(restoreId));
        public Task CheckCurrentAsync(RestorePlan plan, CancellationToken ct = default) => Task.CompletedTask;
        public Task<RestoreResult> ExecuteAsync(RestorePlan plan, CancellationToken ct = default)
        {
            Executed.Add(plan.RestoreId);
            if (Interlocked.Decrement(ref _failures) >= 0) throw new InvalidOperationException("Qlik answered 500.");
            return Task.FromResult(new RestoreResult(plan.RestoreId, true, plan.Actions, new Dictionary<string, string>(), "new-app", null, ["space-1"]));
        }
        public Task<IReadOnlyList<string>> DiscardAsync(RestorePlan plan, CancellationToken ct = default)
        {
            Discarded.Add(plan.RestoreId);
            return Task.FromResult<IReadOnlyList<string>>(["space-1"]);
        }
        public Task RecordAuditAsync(RestorePlan plan, RestoreResult? result, TimeSpan duration, CancellationToken ct = default)
        {
            Audited.Add((plan.RestoreId, result));
            return Task.CompletedTask;
        }
        public Task<PromoteResult> PromoteAsync(PromoteRequest request, CancellationToken ct = default) => throw new NotSupportedException();
        public Task<RestoreComparison> CompareAsync(string leftPointId, string? rightPointId, CancellationToken ct = default) => throw new NotSupportedException();
    }

    static RestorePlan Plan(string id) => new(id,
        new RestoreRequest { Scope = RestoreScope.App, PointId = "p", Target = RestoreTargetKind.Isolated, TargetSpaceName = "drill-1", CreateTargetSpace = true, DryRun = true, Operator = "ops" },
        [], [new RestoreAction($"{id}:TargetSpace:drill-1", RestoreActionKind.Create, Core.Assets.AssetKind.Space, "drill-1", "drill-1", "shared", "Create shared space 'drill-1'.", Step: RestoreStep.TargetSpace)],
        [], []);

    static Task<DurableTaskTestHost> StartAsync(ScriptedRestore restore) =>
        TestHosts.StartAsync(
            registry =>
            {
                registry.AddOrchestrator<RestoreOrchestrator>();
                registry.AddActivity<LoadRestorePlan>();
                registry.AddActivity<ExecuteRestore>();
                registry.AddActivity<DiscardRestore>();
                registry.AddActivity<RecordRestoreAudit>();
            },
            new DurableTaskTestHostOptions { ConfigureServices = services => services.AddSingleton<IRestoreService>(restore) });

    async Task<(OrchestrationMetadata Meta, RestoreOutcome Outcome)> RunAsync(DurableTaskTestHost host, string restoreId)
    {
        string id = await host.Client.ScheduleNewOrchestrationInstanceAsync(nameof(RestoreOrchestrator), restoreId, new StartOrchestrationOptions(restoreId));
        var meta = await host.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, new CancellationTokenSource(TimeSpan.FromSeconds(90)).Token);
        return (meta, meta.ReadOutputAs<RestoreOutcome>()!);
    }

    [Fact]
    public async Task The_stored_plan_is_executed_and_audited_under_its_own_id_without_planning_again()
    {
        var restore = new ScriptedRestore(failures: 1);
        restore.Plans["r-42"] = Plan("r-42");
        await using var host = await StartAsync(restore);

        var (meta, outcome) = await RunAsync(host, "r-42");

        Assert.Equal(OrchestrationRuntimeStatus.Completed, meta.RuntimeStatus);
        Assert.Equal("r-42", meta.InstanceId);
        Assert.Equal(("r-42", true, "r-42"), (outcome.Plan.RestoreId, outcome.Result!.Succeeded, outcome.Result.RestoreId));
        Assert.False(outcome.Plan.Request.DryRun);  // started by its id: executed, though it was shown as a dry run
        Assert.Equal(0, restore.Planned);
        Assert.Equal(["r-42", "r-42"], restore.Executed);  // one retry after the failure
        Assert.Empty(restore.Discarded);
        Assert.Equal("r-42", Assert.Single(restore.Audited).RestoreId);
    }

    [Fact]
    public async Task A_restore_that_fails_for_good_removes_the_spaces_it_created_and_says_so_in_the_audit()
    {
        var restore = new ScriptedRestore(failures: 100);
        restore.Plans["r-7"] = Plan("r-7");
        await using var host = await StartAsync(restore);

        var (meta, outcome) = await RunAsync(host, "r-7");

        Assert.Equal(OrchestrationRuntimeStatus.Completed, meta.RuntimeStatus);
        Assert.False(outcome.Result!.Succeeded);
        Assert.Equal(3, restore.Executed.Count);
        Assert.Equal("r-7", Assert.Single(restore.Discarded));
        var (auditedId, audited) = Assert.Single(restore.Audited);
        Assert.Equal("r-7", auditedId);
        Assert.Contains("Qlik answered 500.", audited!.Error);
        Assert.Contains("removed: space-1", audited.Error);
    }
}
