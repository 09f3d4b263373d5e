using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using QlikBackup.Core.Restore;
using QlikBackup.Functions.Orchestrators;

namespace QlikBackup.Functions.Activities;

/// <summary>Reads the plan stored when the restore was asked for: the orchestration executes that plan, never a new one.</summary>
public sealed class LoadRestorePlan(IRestoreService restore) : TaskActivity<string, RestorePlan>
{
    [Function(nameof(LoadRestorePlan))]
    public static Task<RestorePlan> Run([ActivityTrigger] string input, FunctionContext context)
        => FunctionActivity.RunAsync<LoadRestorePlan, string, RestorePlan>(context, input);

    public override async Task<RestorePlan> RunAsync(TaskActivityContext context, string input)
        => await restore.GetPlanAsync(input) ?? throw new InvalidOperationException($"No stored plan for restore '{input}'.");
}
