using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using QlikBackup.Core.Restore;
using QlikBackup.Functions.Orchestrators;

namespace QlikBackup.Functions.Activities;

/// <summary>After a restore failed for good: removes the target spaces it created. Answers the removed space ids.</summary>
public sealed class DiscardRestore(IRestoreService restore) : TaskActivity<RestorePlan, List<string>>
{
    [Function(nameof(DiscardRestore))]
    public static Task<List<string>> Run([ActivityTrigger] RestorePlan input, FunctionContext context)
        => FunctionActivity.RunAsync<DiscardRestore, RestorePlan, List<string>>(context, input);

    public override async Task<List<string>> RunAsync(TaskActivityContext context, RestorePlan input)
        => [.. await restore.DiscardAsync(input)];
}
