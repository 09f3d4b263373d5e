using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using QlikBackup.Core.Capture;
using QlikBackup.Functions.Orchestrators;

namespace QlikBackup.Functions.Activities;

/// <summary>
/// Captures a few assets of one space, one after the other, so their Durable round trips (queue messages, history rows) are
/// paid once for the batch. An asset whose capture throws does not stop the others: its error is returned and the
/// orchestration captures it again on its own (retries, then a recorded failure).
/// </summary>
public sealed class CaptureAssets(ICaptureService capture) : TaskActivity<CaptureBatchInput, List<BatchItemResult>>
{
    [Function(nameof(CaptureAssets))]
    public static Task<List<BatchItemResult>> Run([ActivityTrigger] CaptureBatchInput input, FunctionContext context)
        => FunctionActivity.RunAsync<CaptureAssets, CaptureBatchInput, List<BatchItemResult>>(context, input);

    public override async Task<List<BatchItemResult>> RunAsync(TaskActivityContext context, CaptureBatchInput input)
    {
        var results = new List<BatchItemResult>(input.Assets.Count);
        foreach (var asset in input.Assets)
        {
            try
            {
                results.Add(new BatchItemResult(asset, await capture.CaptureAssetAsync(asset, input.Tier, input.Trigger, input.Run)));
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                results.Add(new BatchItemResult(asset, null, ex.Message));
            }
        }

        return results;
    }
}
