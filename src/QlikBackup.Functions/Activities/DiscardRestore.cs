using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using QlikBackup.Core.Restore;
using QlikBackup.Functions.Orchestrators;

namespace QlikBackup.Functions.Activities;

/// <summary>After a restore failed for good: removes the target spaces it created. Takes the restore id; answers the removed space ids.</summary>
public sealed class DiscardRestore(IRestoreService restore) : TaskActivity<string, List<string>>
{
    [Function(nameof(DiscardRestore))]
    public static Task<List<string>> Run([ActivityTrigger] string input, FunctionContext context)
        => FunctionActivity.RunAsync<DiscardRestore, string, List<string>>(context, input);

    public override async Task<List<string>> RunAsync(TaskActivityContext context, string input)
    {
        var plan = await restore.GetPlanAsync(input) ?? throw new InvalidOperationException($"No stored plan for restore '{input}'.");
        return [.. await restore.DiscardAsync(plan)];
    }
}
