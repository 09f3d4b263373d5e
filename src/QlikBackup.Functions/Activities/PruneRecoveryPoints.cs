using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using QlikBackup.Core.Retention;

namespace QlikBackup.Functions.Activities;

/// <summary>Applies retention to the tenant: drops points the tier policy no longer keeps, then sweeps unreferenced blobs.</summary>
public sealed class PruneRecoveryPoints(RetentionService retention) : TaskActivity<string?, RetentionResult>
{
    [Function(nameof(PruneRecoveryPoints))]
    public static Task<RetentionResult> Run([ActivityTrigger] string? input, FunctionContext context)
        => FunctionActivity.RunAsync<PruneRecoveryPoints, string?, RetentionResult>(context, input);

    public override Task<RetentionResult> RunAsync(TaskActivityContext context, string? input)
        => retention.PruneAsync(input);
}
