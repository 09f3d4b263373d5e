using System.Collections.Concurrent;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using QlikBackup.Core.Restore;
using QlikBackup.DevServices.Azurite;
using QlikBackup.Functions.Orchestrators;
using QlikBackup.LocalHost.Demo;
using QlikBackup.Qlik.Simulator;

namespace QlikBackup.LocalHost.Tests;

/// <summary>
/// An activity that runs longer than the task hub's work-item visibility timeout (30 s) on the local host: its queue message is
/// renewed while it runs, so it is neither dequeued a second time nor fails to complete with PopReceiptMismatch.
/// </summary>
public sealed class ActivityLeaseTests
{
    /// <summary>A restore engine whose one batch takes longer than the visibility timeout.</summary>
    sealed class SlowRestore(TimeSpan batch) : IRestoreService
    {
        public int Batches;
        static RestorePlan Plan(string id) => new(id, new RestoreRequest { Scope = RestoreScope.App, PointId = "p", Operator = "ops" }, [],
            [new RestoreAction($"{id}:Script", RestoreActionKind.Replace, Core.Assets.AssetKind.App, "app-1", "App", null, "Replace the load script.", "p", "script", RestoreStep.Script)], [], []);
        public Task<RestorePlan?> GetPlanAsync(string restoreId, CancellationToken ct = default) => Task.FromResult<RestorePlan?>(Plan(restoreId));
        public Task<RestoreBatchPlan> PrepareAsync(string restoreId, int maxActionsPerBatch, CancellationToken ct = default) => Task.FromResult(new RestoreBatchPlan(restoreId, 1, [1]));
        public async Task<RestoreBatchResult> ExecuteBatchAsync(string restoreId, int until, CancellationToken ct = default)
        {
            Interlocked.Increment(ref Batches);
            await Task.Delay(batch, ct);
            return new RestoreBatchResult(1, 1);
        }
        public Task<RestoreSummary> CompleteAsync(string restoreId, string? error, TimeSpan duration, CancellationToken ct = default)
            => Task.FromResult(RestoreSummary.Of(Plan(restoreId), new RestoreResult(restoreId, error is null, [], new Dictionary<string, string>(), null, error), duration));
        public Task<RestoreResult?> GetResultAsync(string restoreId, CancellationToken ct = default) => Task.FromResult<RestoreResult?>(null);
        public Task<RestorePlan> PlanAsync(RestoreRequest request, CancellationToken ct = default) => throw new NotSupportedException();
        public Task<RestorePlan> PlanAsync(RestoreRequest request, string? restoreId, CancellationToken ct = default) => throw new NotSupportedException();
        public Task CheckCurrentAsync(RestorePlan plan, CancellationToken ct = default) => throw new NotSupportedException();
        public Task<RestoreResult> ExecuteAsync(RestorePlan plan, CancellationToken ct = default) => throw new NotSupportedException();
        public Task<IReadOnlyList<string>> DiscardAsync(RestorePlan plan, CancellationToken ct = default) => throw new NotSupportedException();
        public Task RecordAuditAsync(RestorePlan plan, RestoreResult? result, TimeSpan duration, CancellationToken ct = default) => throw new NotSupportedException();
        public Task<PromoteResult> PromoteAsync(PromoteRequest request, CancellationToken ct = default) => throw new NotSupportedException();
        public Task<RestoreComparison> CompareAsync(string leftPointId, string? rightPointId, CancellationToken ct = default) => throw new NotSupportedException();
    }

    /// <summary>Keeps the task hub's warnings and errors.</summary>
    sealed class Warnings : ILoggerProvider, ILogger
    {
        public ConcurrentQueue<string> Lines { get; } = [];
        public ILogger CreateLogger(string categoryName) => this;
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            => Lines.Enqueue($"{logLevel} {formatter(state, exception)} {exception?.Message}");
        public void Dispose() { }
    }

    [Fact]
    public async Task An_activity_longer_than_the_visibility_timeout_runs_once_and_completes()
    {
        await using AzuriteServer azurite = await AzuriteServer.StartAsync();
        await using QlikSimulatorHost tenant = await CrashRecoveryTests.SmallTenantAsync();
        var slow = new SlowRestore(TimeSpan.FromSeconds(45));
        var warnings = new Warnings();
        using var logs = LoggerFactory.Create(b => b.AddProvider(warnings));
        await using LocalBackupHost host = await LocalBackupHost.StartAsync(LocalSettings.For(azurite.ConnectionString, tenant), logs, s => s.AddSingleton<IRestoreService>(slow));

        string id = await host.Client.ScheduleNewOrchestrationInstanceAsync(nameof(RestoreOrchestrator), "r-slow");
        OrchestrationMetadata done = await host.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, new CancellationTokenSource(TimeSpan.FromMinutes(3)).Token);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        Assert.True(done.ReadOutputAs<RestoreSummary>()!.Succeeded);
        Assert.Equal(1, slow.Batches);
        Assert.DoesNotContain(warnings.Lines, l => l.Contains("multiple times concurrently") || l.Contains("PopReceiptMismatch") || l.Contains("pop receipt"));
    }
}
