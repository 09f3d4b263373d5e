using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Capture;
using QlikBackup.Functions.Orchestrators;

namespace QlikBackup.Functions.Activities;

/// <summary>Captures one asset, all its parts with parallel I/O inside; coarse on purpose, since each activity call costs a queue round trip.</summary>
public sealed class CaptureAsset(ICaptureService capture) : TaskActivity<CaptureAssetInput, AssetCaptureResult>
{
    [Function(nameof(CaptureAsset))]
    public static Task<AssetCaptureResult> Run([ActivityTrigger] CaptureAssetInput input, FunctionContext context)
        => FunctionActivity.RunAsync<CaptureAsset, CaptureAssetInput, AssetCaptureResult>(context, input);

    public override Task<AssetCaptureResult> RunAsync(TaskActivityContext context, CaptureAssetInput input)
        => capture.CaptureAssetAsync(input.Asset, input.Tier, input.Trigger, input.Run);
}
