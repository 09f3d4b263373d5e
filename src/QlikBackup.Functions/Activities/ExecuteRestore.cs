using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using QlikBackup.Core.Restore;
using QlikBackup.Functions.Orchestrators;

namespace QlikBackup.Functions.Activities;

/// <summary>Applies a plan; idempotent, so the retry policy can run it again after a failure.</summary>
public sealed class ExecuteRestore(IRestoreService restore) : TaskActivity<RestorePlan, RestoreResult>
{
    [Function(nameof(ExecuteRestore))]
    public static Task<RestoreResult> Run([ActivityTrigger] RestorePlan input, FunctionContext context)
        => FunctionActivity.RunAsync<ExecuteRestore, RestorePlan, RestoreResult>(context, input);

    public override Task<RestoreResult> RunAsync(TaskActivityContext context, RestorePlan input)
        => restore.ExecuteAsync(input);
}
