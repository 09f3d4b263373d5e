using Microsoft.DurableTask;
using QlikBackup.Core.Capture;
using QlikBackup.Functions.Activities;

namespace QlikBackup.Functions.Orchestrators;

/// <summary>The one way an orchestration captures an asset: retried activity, then a recorded failure.</summary>
public static class AssetCapture
{
    public static async Task<AssetCaptureResult> CaptureWithRetryAsync(TaskOrchestrationContext context, CaptureAssetInput input)
    {
        try
        {
            return await context.CallActivityAsync<AssetCaptureResult>(nameof(CaptureAsset), input, ActivityRetry.Default);
        }
        catch (TaskFailedException ex)
        {
            string error = Failures.Describe(ex);
            return await context.CallActivityAsync<AssetCaptureResult>(
                nameof(RecordCaptureFailure), new RecordFailureInput(input.Asset, input.Tier, error));
        }
    }
}
