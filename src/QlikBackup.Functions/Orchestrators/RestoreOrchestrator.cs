using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using QlikBackup.Core.Restore;
using QlikBackup.Functions.Activities;

namespace QlikBackup.Functions.Orchestrators;

/// <summary>
/// Executes the stored plan of one restore id (the orchestration's input, and its instance id when started by the API), with
/// retries, then audits whatever happened under that same id. Execution is idempotent in the engine, so a retried attempt
/// finishes the work instead of duplicating it; a restore that fails for good removes the target spaces it created.
/// </summary>
public sealed class RestoreOrchestrator : TaskOrchestrator<string, RestoreOutcome>
{
    [Function(nameof(RestoreOrchestrator))]
    public static Task<RestoreOutcome> Run([OrchestrationTrigger] TaskOrchestrationContext context)
        => new RestoreOrchestrator().RunAsync(context, context.GetInput<string>()!);

    public override async Task<RestoreOutcome> RunAsync(TaskOrchestrationContext context, string input)
    {
        DateTime started = context.CurrentUtcDateTime;
        var stored = await context.CallActivityAsync<RestorePlan>(nameof(LoadRestorePlan), input);
        // A plan shown as a dry run is executed when it is started by its id: starting it is the operator's go-ahead.
        var plan = stored with { Request = stored.Request with { DryRun = false } };

        RestoreResult result;
        try
        {
            result = await context.CallActivityAsync<RestoreResult>(nameof(ExecuteRestore), plan, ActivityRetry.Default);
        }
        catch (TaskFailedException ex)
        {
            string error = ex.FailureDetails.ErrorMessage;
            try
            {
                var removed = await context.CallActivityAsync<List<string>>(nameof(DiscardRestore), plan, ActivityRetry.Default);
                if (removed.Count > 0) error += $" The space(s) this restore had created were removed: {string.Join(", ", removed)}.";
            }
            catch (TaskFailedException cleanup)
            {
                error += $" Removing the space(s) this restore had created failed too: {cleanup.FailureDetails.ErrorMessage}";
            }
            result = new RestoreResult(plan.RestoreId, false, [], new Dictionary<string, string>(), null, error);
        }

        TimeSpan duration = context.CurrentUtcDateTime - started;
        await context.CallActivityAsync(nameof(RecordRestoreAudit), new RecordRestoreAuditInput(plan, result, duration));
        return new RestoreOutcome(plan, result, duration);
    }
}
