using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using QlikBackup.Core.Verify;

namespace QlikBackup.Functions.Activities;

/// <summary>Re-reads and authenticates every blob of a point or of one asset's points.</summary>
public sealed class VerifyRecoveryPoints(VerifyService verify) : TaskActivity<VerifyRequest, VerifyReport>
{
    [Function(nameof(VerifyRecoveryPoints))]
    public static Task<VerifyReport> Run([ActivityTrigger] VerifyRequest input, FunctionContext context)
        => FunctionActivity.RunAsync<VerifyRecoveryPoints, VerifyRequest, VerifyReport>(context, input);

    public override Task<VerifyReport> RunAsync(TaskActivityContext context, VerifyRequest input)
        => verify.VerifyAsync(input);
}
