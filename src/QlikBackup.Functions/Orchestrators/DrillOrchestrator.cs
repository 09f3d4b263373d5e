using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using QlikBackup.Core.Drill;
using QlikBackup.Functions.Activities;

namespace QlikBackup.Functions.Orchestrators;

/// <summary>
/// A drill: choose recovery points, restore each into the drill's own space and check it against its point, then
/// always delete the drill spaces (also after a failure midway; a Tenant drill empties the standby again unless asked to keep
/// it), measure the RTO (start to last asset verified) against
/// the tier objective, and store the report (which raises the alerts). The drill id is the instance id.
/// </summary>
public sealed class DrillOrchestrator : TaskOrchestrator<DrillRequest, DrillReport>
{
    [Function(nameof(DrillOrchestrator))]
    public static Task<DrillReport> Run([OrchestrationTrigger] TaskOrchestrationContext context)
        => new DrillOrchestrator().RunAsync(context, context.GetInput<DrillRequest>()!);

    public override async Task<DrillReport> RunAsync(TaskOrchestrationContext context, DrillRequest input)
    {
        DateTimeOffset started = context.CurrentUtcDateTime;
        string drillId = context.InstanceId;
        DrillSelection selection;
        try
        {
            selection = await context.CallActivityAsync<DrillSelection>(nameof(SelectDrillAssets), new SelectDrillInput(drillId, input), ActivityRetry.Default);
        }
        catch (TaskFailedException ex)
        {
            // Nothing was restored; the failed drill is still reported (and alerted).
            var failed = new DrillReport(drillId, "", input, input.Tier ?? Core.Assets.Tier.T3, input.Seed, started, context.CurrentUtcDateTime,
                TimeSpan.Zero, TimeSpan.Zero, [], new DrillCleanup([], []), $"No recovery points could be chosen: {Failures.Describe(ex)}");
            await context.CallActivityAsync(nameof(RecordDrillReport), failed, ActivityRetry.Default);
            return failed;
        }

        var outcomes = new List<DrillAssetOutcome>();
        string? error = null;
        DateTimeOffset lastVerified = started;
        try
        {
            // One asset after another: the RTO measured is that of an operator recovering the scope, and Qlik's rate limits are shared.
            foreach (var asset in selection.Assets)
            {
                var verified = await context.CallActivityAsync<IReadOnlyList<DrillAssetOutcome>>(nameof(RunDrillAsset), new DrillAssetInput(drillId, asset, input.Scope), ActivityRetry.Default);
                lastVerified = context.CurrentUtcDateTime;
                outcomes.AddRange(verified.Select(o => o with { VerifiedAt = lastVerified }));
            }
        }
        catch (TaskFailedException ex)
        {
            error = $"The drill stopped after {outcomes.Count} of {selection.Assets.Count} assets: {Failures.Describe(ex)}";
        }

        DrillCleanup cleanup;
        try
        {
            cleanup = await context.CallActivityAsync<DrillCleanup>(nameof(CleanupDrill), selection, ActivityRetry.Default);
        }
        catch (TaskFailedException ex)
        {
            cleanup = new DrillCleanup([], [input.Scope == DrillScope.Tenant
                ? $"what drill {drillId} rebuilt in the standby tenant: clean-up failed ({Failures.Describe(ex)})"
                : $"the spaces of drill {drillId}: clean-up failed ({Failures.Describe(ex)})"]);
        }

        var report = new DrillReport(drillId, selection.TenantId, input, selection.Tier, selection.Seed, started, context.CurrentUtcDateTime,
            lastVerified - started, selection.RtoObjective, outcomes, cleanup, error, selection.StandbyBefore);
        await context.CallActivityAsync(nameof(RecordDrillReport), report, ActivityRetry.Default);
        return report;
    }
}
