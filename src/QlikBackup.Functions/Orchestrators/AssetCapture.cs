using Microsoft.DurableTask;
using QlikBackup.Core.Capture;
using QlikBackup.Functions.Activities;

namespace QlikBackup.Functions.Orchestrators;

/// <summary>The one way an orchestration captures an asset: retried activity, then a recorded failure.</summary>
public static class AssetCapture
{
    /// <summary>Three attempts, 2 s then 4 s apart: enough for a 429 burst or a dropped Engine socket.</summary>
    public static readonly TaskOptions Retry = TaskOptions.FromRetryPolicy(new RetryPolicy(3, TimeSpan.FromSeconds(2), 2.0));

    public static async Task<AssetCaptureResult> CaptureWithRetryAsync(TaskOrchestrationContext context, CaptureAssetInput input)
    {
        try
        {
            return await context.CallActivityAsync<AssetCaptureResult>(nameof(CaptureAsset), input, Retry);
        }
        catch (TaskFailedException ex)
        {
            string error = ex.FailureDetails.ErrorMessage;
            return await context.CallActivityAsync<AssetCaptureResult>(
                nameof(RecordCaptureFailure), new RecordFailureInput(input.Asset, input.Tier, error));
        }
    }
}
