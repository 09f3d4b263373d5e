using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using QlikBackup.Core.Restore;
using QlikBackup.Functions.Orchestrators;

namespace QlikBackup.Functions.Activities;

/// <summary>Applies one batch of a stored plan; idempotent, so the retry policy can run it again after a failure.</summary>
public sealed class ExecuteRestoreBatch(IRestoreService restore) : TaskActivity<RestoreBatchInput, RestoreBatchResult>
{
    [Function(nameof(ExecuteRestoreBatch))]
    public static Task<RestoreBatchResult> Run([ActivityTrigger] RestoreBatchInput input, FunctionContext context)
        => FunctionActivity.RunAsync<ExecuteRestoreBatch, RestoreBatchInput, RestoreBatchResult>(context, input);

    public override Task<RestoreBatchResult> RunAsync(TaskActivityContext context, RestoreBatchInput input)
        => restore.ExecuteBatchAsync(input.RestoreId, input.Until);
}
