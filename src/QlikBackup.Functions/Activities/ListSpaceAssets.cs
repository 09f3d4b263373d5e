using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Capture;
using QlikBackup.Functions.Orchestrators;

namespace QlikBackup.Functions.Activities;

/// <summary>Every asset of one space: the space itself, its apps and the resources that belong to it.</summary>
public sealed class ListSpaceAssets(ICaptureService capture) : TaskActivity<SpaceAssetsInput, List<AssetRef>>
{
    [Function(nameof(ListSpaceAssets))]
    public static Task<List<AssetRef>> Run([ActivityTrigger] SpaceAssetsInput input, FunctionContext context)
        => FunctionActivity.RunAsync<ListSpaceAssets, SpaceAssetsInput, List<AssetRef>>(context, input);

    public override async Task<List<AssetRef>> RunAsync(TaskActivityContext context, SpaceAssetsInput input)
        => [.. await capture.ListAssetsAsync(input.Space, input.Run)];
}
