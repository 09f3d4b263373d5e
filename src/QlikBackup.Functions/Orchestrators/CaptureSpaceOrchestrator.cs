using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Capture;
using QlikBackup.Functions.Activities;

namespace QlikBackup.Functions.Orchestrators;

/// <summary>
/// One space: list its assets, set aside those unchanged since their newest point (one activity for the whole space, so
/// an unchanged asset costs no activity and no history), capture each other with one activity (bounded parallelism so
/// Qlik's rate tiers hold), then mark assets that vanished as deleted. An asset that still fails after retries is recorded and reported,
/// never failing the space; a listing or deleted check that still fails after retries is the space's error, never
/// the tier's.
/// </summary>
public sealed class CaptureSpaceOrchestrator : TaskOrchestrator<CaptureSpaceInput, SpaceCaptureResult>
{
    [Function(nameof(CaptureSpaceOrchestrator))]
    public static Task<SpaceCaptureResult> Run([OrchestrationTrigger] TaskOrchestrationContext context)
        => new CaptureSpaceOrchestrator().RunAsync(context, context.GetInput<CaptureSpaceInput>()!);

    public override async Task<SpaceCaptureResult> RunAsync(TaskOrchestrationContext context, CaptureSpaceInput input)
    {
        List<AssetRef> assets;
        try
        {
            assets = await context.CallActivityAsync<List<AssetRef>>(nameof(ListSpaceAssets), input.Space, ActivityRetry.Default);
        }
        catch (TaskFailedException ex)
        {
            return new SpaceCaptureResult(input.Space, 0, CaptureSummary.Empty, [], $"Listing the space's assets failed: {Failures.Describe(ex)}");
        }

        var results = new List<AssetCaptureResult>(assets.Count);
        try
        {
            results.AddRange(await context.CallActivityAsync<List<AssetCaptureResult>>(
                nameof(FindUnchangedAssets), new UnchangedAssetsInput(input.Space, assets), ActivityRetry.Default));
        }
        catch (TaskFailedException)
        {
            // Only a shortcut: without it every asset is captured, and each capture finds out itself.
        }

        var skipped = results.Select(r => (r.Asset.Kind, r.Asset.Id)).ToHashSet();
        var inFlight = new List<Task<AssetCaptureResult>>();
        foreach (AssetRef asset in assets.Where(a => !skipped.Contains((a.Kind, a.Id))))
        {
            if (inFlight.Count >= Math.Max(1, input.MaxParallelAssets))
            {
                Task<AssetCaptureResult> done = await Task.WhenAny(inFlight);
                inFlight.Remove(done);
                results.Add(await done);
            }

            inFlight.Add(AssetCapture.CaptureWithRetryAsync(context, new CaptureAssetInput(asset, input.Space.Tier, input.Trigger, InRun: true)));
        }

        results.AddRange(await Task.WhenAll(inFlight));

        string? error = null;
        try
        {
            results.AddRange(await context.CallActivityAsync<List<AssetCaptureResult>>(
                nameof(MarkDeletedAssets), new DeletedAssetsInput(input.Space, assets), ActivityRetry.Default));
        }
        catch (TaskFailedException ex)
        {
            error = $"The deleted-asset check failed: {Failures.Describe(ex)}";
        }

        var failures = results.Where(r => r.Outcome == CaptureOutcome.Failed)
            .Select(r => new CaptureFailure(r.Asset, r.Error ?? "unknown error")).ToList();
        return new SpaceCaptureResult(input.Space, assets.Count, CaptureSummary.Of(results), failures, error);
    }
}
