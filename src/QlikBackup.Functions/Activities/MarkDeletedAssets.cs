using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Capture;
using QlikBackup.Functions.Orchestrators;

namespace QlikBackup.Functions.Activities;

/// <summary>Assets with points that were not listed this run are marked deleted; their points stay.</summary>
public sealed class MarkDeletedAssets(ICaptureService capture) : TaskActivity<DeletedAssetsInput, List<AssetCaptureResult>>
{
    [Function(nameof(MarkDeletedAssets))]
    public static Task<List<AssetCaptureResult>> Run([ActivityTrigger] DeletedAssetsInput input, FunctionContext context)
        => FunctionActivity.RunAsync<MarkDeletedAssets, DeletedAssetsInput, List<AssetCaptureResult>>(context, input);

    public override async Task<List<AssetCaptureResult>> RunAsync(TaskActivityContext context, DeletedAssetsInput input)
        => [.. await capture.MarkDeletedAsync(input.Space, input.Present, input.Run)];
}
