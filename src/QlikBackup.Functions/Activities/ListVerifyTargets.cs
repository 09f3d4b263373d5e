using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using QlikBackup.Core.Verify;

namespace QlikBackup.Functions.Activities;

/// <summary>Every asset that has recovery points, for a whole-store verify to fan out over.</summary>
public sealed class ListVerifyTargets(VerifyService verify) : TaskActivity<string?, List<VerifyTarget>>
{
    [Function(nameof(ListVerifyTargets))]
    public static Task<List<VerifyTarget>> Run([ActivityTrigger] string? input, FunctionContext context)
        => FunctionActivity.RunAsync<ListVerifyTargets, string?, List<VerifyTarget>>(context, input);

    public override async Task<List<VerifyTarget>> RunAsync(TaskActivityContext context, string? input)
        => [.. await verify.ListTargetsAsync()];
}
