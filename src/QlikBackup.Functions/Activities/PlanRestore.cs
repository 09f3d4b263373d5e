using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using QlikBackup.Core.Restore;
using QlikBackup.Functions.Orchestrators;

namespace QlikBackup.Functions.Activities;

/// <summary>Plans a restore: reads points and the live tenant, changes nothing.</summary>
public sealed class PlanRestore(IRestoreService restore) : TaskActivity<RestoreRequest, RestorePlan>
{
    [Function(nameof(PlanRestore))]
    public static Task<RestorePlan> Run([ActivityTrigger] RestoreRequest input, FunctionContext context)
        => FunctionActivity.RunAsync<PlanRestore, RestoreRequest, RestorePlan>(context, input);

    public override Task<RestorePlan> RunAsync(TaskActivityContext context, RestoreRequest input)
        => restore.PlanAsync(input);
}
