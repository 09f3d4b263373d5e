using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Capture;
using QlikBackup.Functions.Orchestrators;

namespace QlikBackup.Functions.Activities;

/// <summary>Records an asset whose capture failed after every retry, so the index shows the gap.</summary>
public sealed class RecordCaptureFailure(ICaptureService capture) : TaskActivity<RecordFailureInput, AssetCaptureResult>
{
    [Function(nameof(RecordCaptureFailure))]
    public static Task<AssetCaptureResult> Run([ActivityTrigger] RecordFailureInput input, FunctionContext context)
        => FunctionActivity.RunAsync<RecordCaptureFailure, RecordFailureInput, AssetCaptureResult>(context, input);

    public override Task<AssetCaptureResult> RunAsync(TaskActivityContext context, RecordFailureInput input)
        => capture.RecordFailureAsync(input.Asset, input.Tier, input.Error);
}
