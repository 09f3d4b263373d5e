using Microsoft.DurableTask;
using QlikBackup.Core.Capture;
using QlikBackup.Functions.Activities;

namespace QlikBackup.Functions.Orchestrators;

/// <summary>The one way an orchestration captures an asset: retried activity, then a recorded failure.</summary>
public static class AssetCapture
{
    /// <param name="retry">The retry policy; <see cref="ActivityRetry.AfterFirstAttempt"/> when an attempt (in a batch) already failed.</param>
    public static async Task<AssetCaptureResult> CaptureWithRetryAsync(TaskOrchestrationContext context, CaptureAssetInput input, TaskOptions? retry = null)
    {
        try
        {
            return await context.CallActivityAsync<AssetCaptureResult>(nameof(CaptureAsset), input, retry ?? ActivityRetry.Default);
        }
        catch (TaskFailedException ex)
        {
            string error = Failures.Describe(ex);
            return await context.CallActivityAsync<AssetCaptureResult>(
                nameof(RecordCaptureFailure), new RecordFailureInput(input.Asset, input.Tier, error));
        }
    }
}
