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
    /// <summary>Holds stored plans and results; execution fails a given number of times; records what each call saw.</summary>
    sealed class ScriptedRestore(int failures, string failure = "Qlik answered 500.") : IRestoreService
    {
        int _failures = failures;
        public ConcurrentDictionary<string, RestorePlan> Plans { get; } = new();
        public ConcurrentDictionary<string, RestoreResult> Results { get; } = new();
        public ConcurrentQueue<string> Executed { get; } = [];
        public ConcurrentQueue<int> Batches { get; } = [];
        public ConcurrentBag<string> Discarded { get; } = [];
        public ConcurrentBag<(string RestoreId, RestoreResult? Result)> Audited { get; } = [];
        public bool FailAudit { get; init; }
        public int Planned;

        public Task<RestorePlan> PlanAsync(RestoreRequest request, CancellationToken ct = default) => PlanAsync(request, null, ct);
        public Task<RestorePlan> PlanAsync(RestoreRequest request, string? restoreId, CancellationToken ct = default)
        {
            Interlocked.Increment(ref Planned);
            throw new InvalidOperationException("The orchestration must not plan again.");
        }
        public Task<RestorePlan?> GetPlanAsync(string restoreId, CancellationToken ct = default) => Task.FromResult(Plans.GetValueOrDefault(restoreId));
        public Task CheckCurrentAsync(RestorePlan plan, CancellationToken ct = default) => Task.CompletedTask;
        public Task<RestoreResult> ExecuteAsync(RestorePlan plan, CancellationToken ct = default) => throw new NotSupportedException("The orchestration executes in batches.");
        public Task<RestoreBatchPlan> PrepareAsync(string restoreId, int maxActionsPerBatch, CancellationToken ct = default)
        {
            var plan = Plans[restoreId];
            return Task.FromResult(new RestoreBatchPlan(restoreId, plan.Actions.Count, RestoreBatchPlan.Split(plan.Actions, maxActionsPerBatch)));
        }
        public Task<RestoreBatchResult> ExecuteBatchAsync(string restoreId, int until, CancellationToken ct = default)
        {
            Executed.Enqueue(restoreId);
            Batches.Enqueue(until);
            if (Interlocked.Decrement(ref _failures) >= 0) throw new InvalidOperationException(failure);
            var plan = Plans[restoreId];
            if (until == plan.Actions.Count)
                Results.TryAdd(restoreId, new RestoreResult(restoreId, true, plan.Actions, new Dictionary<string, string>(), "new-app", null, ["space-1"]));
            return Task.FromResult(new RestoreBatchResult(until, plan.Actions.Count));
        }
        public Task<RestoreSummary> CompleteAsync(string restoreId, string? error, TimeSpan duration, CancellationToken ct = default)
        {
            if (FailAudit) throw new InvalidOperationException("The audit table answered 503.");
            var result = error is null ? Results[restoreId] : new RestoreResult(restoreId, false, [], new Dictionary<string, string>(), null, error);
            Results.TryAdd(restoreId, result);
            Audited.Add((restoreId, result));
            return Task.FromResult(RestoreSummary.Of(Plans[restoreId], result, duration));
        }
        public Task<RestoreResult?> GetResultAsync(string restoreId, CancellationToken ct = default) => Task.FromResult(Results.GetValueOrDefault(restoreId));
        public Task<IReadOnlyList<string>> DiscardAsync(RestorePlan plan, CancellationToken ct = default)
        {
            Discarded.Add(plan.RestoreId);
            return Task.FromResult<IReadOnlyList<string>>(["space-1"]);
        }
        public Task RecordAuditAsync(RestorePlan plan, RestoreResult? result, TimeSpan duration, CancellationToken ct = default) => throw new NotSupportedException();
        public Task<PromoteResult> PromoteAsync(PromoteRequest request, CancellationToken ct = default) => throw new NotSupportedException();
        public Task<RestoreComparison> CompareAsync(string leftPointId, string? rightPointId, CancellationToken ct = default) => throw new NotSupportedException();
    }

    static RestorePlan Plan(string id) => new(id,
        new RestoreRequest { Scope = RestoreScope.App, PointId = "p", Target = RestoreTargetKind.Isolated, TargetSpaceName = "drill-1", CreateTargetSpace = true, DryRun = true, Operator = "ops" },
        [], [new RestoreAction($"{id}:TargetSpace:drill-1", RestoreActionKind.Create, Core.Assets.AssetKind.Space, "drill-1", "drill-1", "shared", "Create shared space 'drill-1'.", Step: RestoreStep.TargetSpace)],
        [], []);

    /// <summary>
    /// A space restore's plan at the size that failed (a 300-app space: 5,480 actions), twice over: an isolated space, then per app an
    /// import and its objects (Engine writes) as the planner makes them.
    /// </summary>
    static RestorePlan LargePlan(string id, int apps, int objectsPerApp)
    {
        var actions = new List<RestoreAction> { Plan(id).Actions[0] };
        for (int a = 0; a < apps; a++)
        {
            string app = $"{a:D8}-0000-4000-8000-000000000000", point = $"QXBwfHthcHB9fDA2Mzg3NTU0ODAwMDAwMDAwMDB8{a:D8}";
            actions.Add(new RestoreAction($"{id}:ImportApp:{app}", RestoreActionKind.Create, Core.Assets.AssetKind.App, app, $"Sales analysis {a}", null,
                $"Import app 'Sales analysis {a}' from its QVF into the isolated space 'drill-1'.", point, "qvf", RestoreStep.ImportApp));
            for (int o = 0; o < objectsPerApp; o++)
                actions.Add(new RestoreAction($"{id}:Object:{app}:object/GenericObject/obj{o:D4}", RestoreActionKind.Create, Core.Assets.AssetKind.App, app, $"Sales analysis {a}",
                    $"obj{o:D4}", $"Create GenericObject obj{o:D4} (sheet) owned by user-{o % 3} in app 'Sales analysis {a}' of the isolated space 'drill-1'.",
                    point, $"object/GenericObject/obj{o:D4}", RestoreStep.Object));
        }
        return Plan(id) with { Actions = actions };
    }

    static Task<DurableTaskTestHost> StartAsync(ScriptedRestore restore, int maxActionsPerBatch = 500) =>
        TestHosts.StartAsync(
            registry =>
            {
                registry.AddOrchestrator<RestoreOrchestrator>();
                registry.AddActivity<PrepareRestore>();
                registry.AddActivity<ExecuteRestoreBatch>();
                registry.AddActivity<DiscardRestore>();
                registry.AddActivity<CompleteRestore>();
            },
            new DurableTaskTestHostOptions
            {
                ConfigureServices = services => services.AddSingleton<IRestoreService>(restore).Configure<RestoreOptions>(o => o.MaxActionsPerBatch = maxActionsPerBatch),
            });

    async Task<(OrchestrationMetadata Meta, RestoreSummary Outcome)> RunAsync(DurableTaskTestHost host, string restoreId)
    {
        string id = await host.Client.ScheduleNewOrchestrationInstanceAsync(nameof(RestoreOrchestrator), restoreId, new StartOrchestrationOptions(restoreId));
        var meta = await host.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, new CancellationTokenSource(TimeSpan.FromSeconds(90)).Token);
        return (meta, meta.RuntimeStatus == OrchestrationRuntimeStatus.Completed ? meta.ReadOutputAs<RestoreSummary>()! : null!);
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
        Assert.Equal(("r-42", true, "new-app"), (outcome.RestoreId, outcome.Succeeded, outcome.RestoredAssetId));
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
        Assert.False(outcome.Succeeded);
        Assert.Equal(3, restore.Executed.Count);
        Assert.Equal("r-7", Assert.Single(restore.Discarded));
        var (auditedId, audited) = Assert.Single(restore.Audited);
        Assert.Equal("r-7", auditedId);
        Assert.Contains("Qlik answered 500.", audited!.Error);
        Assert.Contains("removed: space-1", audited.Error);
    }

    [Fact]
    public async Task A_plan_too_large_for_one_Durable_message_is_executed_in_batches_and_completes()
    {
        // Twice the 300-app space restore that ended Failed: whole, its plan is over the 3.9 MB one orchestrator action may carry.
        RestorePlan plan = LargePlan("r-big", apps: 600, objectsPerApp: 18);
        Assert.True(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(plan).Length > 4_089_446);
        var restore = new ScriptedRestore(failures: 1);
        restore.Plans["r-big"] = plan;
        await using var host = await StartAsync(restore, maxActionsPerBatch: 1000);

        var (meta, outcome) = await RunAsync(host, "r-big");

        Assert.Equal(OrchestrationRuntimeStatus.Completed, meta.RuntimeStatus);
        Assert.True(outcome.Succeeded, outcome.Error);
        Assert.Equal((plan.Actions.Count, plan.Actions.Count), (outcome.Actions, outcome.Done));
        // Batches end where an app's import starts, at most twice the batch size, and cover the plan in order; the failed first batch was retried.
        int[] ends = [.. restore.Batches];
        Assert.Equal(ends[0], ends[1]);
        Assert.Equal(plan.Actions.Count, ends[^1]);
        Assert.True(ends.Length >= 12, $"{ends.Length} batches");
        Assert.All(ends.Skip(1).Zip(ends.Skip(2)), p => Assert.InRange(p.Second - p.First, 1, 2000));
        Assert.All(ends[..^1], e => Assert.Equal(RestoreStep.ImportApp, plan.Actions[e].Step));
        // What travels through Durable stays small: the summary, not the plan or its result.
        Assert.True(meta.SerializedOutput!.Length < 10_000, $"{meta.SerializedOutput.Length} characters of output");
        Assert.Equal(plan.Actions.Count, restore.Results["r-big"].Done.Count);
    }

    [Fact]
    public async Task An_activity_failure_without_a_message_still_says_what_failed()
    {
        var restore = new ScriptedRestore(failures: 100, failure: "");
        restore.Plans["r-9"] = Plan("r-9");
        await using var host = await StartAsync(restore);

        var (meta, outcome) = await RunAsync(host, "r-9");

        Assert.Equal(OrchestrationRuntimeStatus.Completed, meta.RuntimeStatus);
        Assert.False(outcome.Succeeded);
        Assert.Contains("'ExecuteRestoreBatch' failed with System.InvalidOperationException and no message.", outcome.Error);
        var (_, audited) = Assert.Single(restore.Audited);
        Assert.Equal(outcome.Error, audited!.Error);
    }

    [Fact]
    public async Task A_restore_whose_audit_fails_ends_Failed_with_the_reason()
    {
        var restore = new ScriptedRestore(failures: 0) { FailAudit = true };
        restore.Plans["r-3"] = Plan("r-3");
        await using var host = await StartAsync(restore);

        var (meta, _) = await RunAsync(host, "r-3");

        Assert.Equal(OrchestrationRuntimeStatus.Failed, meta.RuntimeStatus);
        Assert.Contains("recording its result and audit failed: The audit table answered 503.", Failures.Describe(meta));
    }
}
