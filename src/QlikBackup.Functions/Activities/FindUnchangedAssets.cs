using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using QlikBackup.Core.Capture;
using QlikBackup.Functions.Orchestrators;

namespace QlikBackup.Functions.Activities;

/// <summary>The space's listed assets that are unchanged since their newest point, decided before the fan-out.</summary>
public sealed class FindUnchangedAssets(ICaptureService capture) : TaskActivity<UnchangedAssetsInput, List<AssetCaptureResult>>
{
    [Function(nameof(FindUnchangedAssets))]
    public static Task<List<AssetCaptureResult>> Run([ActivityTrigger] UnchangedAssetsInput input, FunctionContext context)
        => FunctionActivity.RunAsync<FindUnchangedAssets, UnchangedAssetsInput, List<AssetCaptureResult>>(context, input);

    public override async Task<List<AssetCaptureResult>> RunAsync(TaskActivityContext context, UnchangedAssetsInput input)
        => [.. await capture.FindUnchangedAsync(input.Space, input.Listed, input.Run)];
}
