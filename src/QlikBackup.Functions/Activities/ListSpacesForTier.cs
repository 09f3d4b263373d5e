using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Capture;
using QlikBackup.Functions.Orchestrators;

namespace QlikBackup.Functions.Activities;

/// <summary>The spaces configured for a tier (plus tenant configuration when it belongs to that tier).</summary>
public sealed class ListSpacesForTier(ICaptureService capture) : TaskActivity<Tier, List<SpaceCaptureTarget>>
{
    [Function(nameof(ListSpacesForTier))]
    public static Task<List<SpaceCaptureTarget>> Run([ActivityTrigger] Tier input, FunctionContext context)
        => FunctionActivity.RunAsync<ListSpacesForTier, Tier, List<SpaceCaptureTarget>>(context, input);

    public override async Task<List<SpaceCaptureTarget>> RunAsync(TaskActivityContext context, Tier input)
        => [.. await capture.ListSpacesAsync(input)];
}
