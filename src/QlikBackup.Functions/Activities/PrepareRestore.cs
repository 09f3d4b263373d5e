using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.Extensions.Options;
using QlikBackup.Core.Restore;
using QlikBackup.Functions.Orchestrators;

namespace QlikBackup.Functions.Activities;

/// <summary>
/// Reads the plan stored when the restore was asked for (the orchestration executes that plan, never a new one), authenticates
/// its points and answers its batches: ids and indexes only, never the plan itself.
/// </summary>
public sealed class PrepareRestore(IRestoreService restore, IOptions<RestoreOptions> options) : TaskActivity<string, RestoreBatchPlan>
{
    [Function(nameof(PrepareRestore))]
    public static Task<RestoreBatchPlan> Run([ActivityTrigger] string input, FunctionContext context)
        => FunctionActivity.RunAsync<PrepareRestore, string, RestoreBatchPlan>(context, input);

    public override Task<RestoreBatchPlan> RunAsync(TaskActivityContext context, string input)
        => restore.PrepareAsync(input, options.Value.MaxActionsPerBatch);
}
