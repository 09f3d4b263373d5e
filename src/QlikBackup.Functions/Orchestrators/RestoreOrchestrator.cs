using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using QlikBackup.Core.Restore;
using QlikBackup.Functions.Activities;

namespace QlikBackup.Functions.Orchestrators;

/// <summary>
/// Plan, then (unless a dry run) execute with retries, then audit whatever happened. Execution is idempotent in
/// the engine, so a retried attempt finishes the work instead of duplicating it.
/// </summary>
public sealed class RestoreOrchestrator : TaskOrchestrator<RestoreRequest, RestoreOutcome>
{
    static readonly TaskOptions ExecuteRetry = TaskOptions.FromRetryPolicy(new RetryPolicy(3, TimeSpan.FromSeconds(2), 2.0));

    [Function(nameof(RestoreOrchestrator))]
    public static Task<RestoreOutcome> Run([OrchestrationTrigger] TaskOrchestrationContext context)
        => new RestoreOrchestrator().RunAsync(context, context.GetInput<RestoreRequest>()!);

    public override async Task<RestoreOutcome> RunAsync(TaskOrchestrationContext context, RestoreRequest input)
    {
        DateTime started = context.CurrentUtcDateTime;
        var plan = await context.CallActivityAsync<RestorePlan>(nameof(PlanRestore), input with { });
        if (input.DryRun)
        {
            return new RestoreOutcome(plan, null, context.CurrentUtcDateTime - started);
        }

        RestoreResult result;
        try
        {
            result = await context.CallActivityAsync<RestoreResult>(nameof(ExecuteRestore), plan, ExecuteRetry);
        }
        catch (TaskFailedException ex)
        {
            result = new RestoreResult(plan.RestoreId, false, [], new Dictionary<string, string>(), null, ex.FailureDetails.ErrorMessage);
        }

        TimeSpan duration = context.CurrentUtcDateTime - started;
        await context.CallActivityAsync(nameof(RecordRestoreAudit), new RecordRestoreAuditInput(plan, result, duration));
        return new RestoreOutcome(plan, result, duration);
    }
}
