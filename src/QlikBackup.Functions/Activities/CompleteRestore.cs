using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using QlikBackup.Core.Restore;
using QlikBackup.Functions.Orchestrators;

namespace QlikBackup.Functions.Activities;

/// <summary>
/// Ends a restore: stores a failed one's result, appends the restore to the audit table and the append-only audit blob, and
/// answers the bounded summary the orchestration returns.
/// </summary>
public sealed class CompleteRestore(IRestoreService restore) : TaskActivity<CompleteRestoreInput, RestoreSummary>
{
    [Function(nameof(CompleteRestore))]
    public static Task<RestoreSummary> Run([ActivityTrigger] CompleteRestoreInput input, FunctionContext context)
        => FunctionActivity.RunAsync<CompleteRestore, CompleteRestoreInput, RestoreSummary>(context, input);

    public override Task<RestoreSummary> RunAsync(TaskActivityContext context, CompleteRestoreInput input)
        => restore.CompleteAsync(input.RestoreId, input.Error, input.Duration);
}
