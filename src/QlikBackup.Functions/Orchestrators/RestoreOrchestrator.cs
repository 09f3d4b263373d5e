using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using QlikBackup.Core.Restore;
using QlikBackup.Functions.Activities;

namespace QlikBackup.Functions.Orchestrators;

/// <summary>
/// Executes the stored plan of one restore id (the orchestration's input, and its instance id when started by the API) in
/// batches, with retries, then audits whatever happened under that same id. Only the restore id, batch ends and counts travel
/// through Durable messages: the plan and the full result stay in storage, so a restore of any size fits Durable's limits
/// (one orchestrator action may carry at most 3.9 MB; a 300-app space's plan and result were more). Execution is idempotent in
/// the engine, so a retried or replayed batch finishes the work instead of duplicating it; a restore that fails for good
/// removes the target spaces it created. It returns a bounded <see cref="RestoreSummary"/>; GET /api/operations/{id} answers
/// the stored plan and result.
/// </summary>
public sealed class RestoreOrchestrator : TaskOrchestrator<string, RestoreSummary>
{
    [Function(nameof(RestoreOrchestrator))]
    public static Task<RestoreSummary> Run([OrchestrationTrigger] TaskOrchestrationContext context)
        => new RestoreOrchestrator().RunAsync(context, context.GetInput<string>()!);

    public override async Task<RestoreSummary> RunAsync(TaskOrchestrationContext context, string input)
    {
        DateTime started = context.CurrentUtcDateTime;
        string? error = null;
        bool mayHaveWritten = false;
        try
        {
            var batches = await context.CallActivityAsync<RestoreBatchPlan>(nameof(PrepareRestore), input, ActivityRetry.Default);
            error = batches.Refused;
            int start = 0;
            for (int i = 0; error is null && i < batches.Ends.Count; i++)
            {
                mayHaveWritten = true;
                await context.CallActivityAsync<RestoreBatchResult>(nameof(ExecuteRestoreBatch), new RestoreBatchInput(input, i, start, batches.Ends[i]), ActivityRetry.Default);
                start = batches.Ends[i];
            }
        }
        catch (TaskFailedException ex)
        {
            error = Failures.Describe(ex);
        }

        if (error is not null && mayHaveWritten)
        {
            try
            {
                var removed = await context.CallActivityAsync<List<string>>(nameof(DiscardRestore), input, ActivityRetry.Default);
                if (removed.Count > 0) error += $" The space(s) this restore had created were removed: {string.Join(", ", removed)}.";
            }
            catch (TaskFailedException cleanup)
            {
                error += $" Removing the space(s) this restore had created failed too: {Failures.Describe(cleanup)}";
            }
        }

        TimeSpan duration = context.CurrentUtcDateTime - started;
        try
        {
            return await context.CallActivityAsync<RestoreSummary>(nameof(CompleteRestore), new CompleteRestoreInput(input, error, duration), ActivityRetry.Default);
        }
        catch (TaskFailedException ex)
        {
            // Never a failure without its reason: the orchestration fails with what the restore and its audit said.
            throw new InvalidOperationException(
                $"Restore {input} {(error is null ? "was executed" : $"failed ({error})")}, but recording its result and audit failed: {Failures.Describe(ex)}", ex);
        }
    }
}
