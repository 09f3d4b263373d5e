using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using QlikBackup.Core.Drill;
using QlikBackup.Functions.Activities;

namespace QlikBackup.Functions.Orchestrators;

/// <summary>
/// The clean-up of a finished Tenant drill run again (POST /api/drills/{id}/clean-up): a standby kept for inspection
/// (keepStandby) emptied, or what an earlier clean-up left behind removed. It reuses what the drill recorded at selection
/// (what the standby held before it), so exactly what the drill added is removed; the run (removed / left behind) is stored
/// beside the drill's report and alerts on anything left behind. The output is the run, for GET /api/operations/{id}.
/// </summary>
public sealed class DrillCleanUpOrchestrator : TaskOrchestrator<DrillCleanUpRequest, DrillCleanUpRun>
{
    [Function(nameof(DrillCleanUpOrchestrator))]
    public static Task<DrillCleanUpRun> Run([OrchestrationTrigger] TaskOrchestrationContext context)
        => new DrillCleanUpOrchestrator().RunAsync(context, context.GetInput<DrillCleanUpRequest>()!);

    public override async Task<DrillCleanUpRun> RunAsync(TaskOrchestrationContext context, DrillCleanUpRequest input)
    {
        DateTimeOffset started = context.CurrentUtcDateTime;
        DrillCleanup cleanup;
        try
        {
            var selection = await context.CallActivityAsync<DrillSelection>(nameof(LoadDrillCleanUp), input.DrillId, ActivityRetry.Default);
            cleanup = await context.CallActivityAsync<DrillCleanup>(nameof(CleanupDrill), selection, ActivityRetry.Default);
        }
        catch (TaskFailedException ex)
        {
            cleanup = new DrillCleanup([], [$"what drill {input.DrillId} rebuilt in the standby tenant: clean-up failed ({Failures.Describe(ex)})"]);
        }

        var run = new DrillCleanUpRun(input.DrillId, context.InstanceId, input.Operator, started, context.CurrentUtcDateTime, cleanup);
        await context.CallActivityAsync(nameof(RecordDrillCleanUp), run, ActivityRetry.Default);
        return run;
    }
}
