using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Capture;
using QlikBackup.Functions.Activities;

namespace QlikBackup.Functions.Orchestrators;

/// <summary>
/// One space: list its assets, set aside those unchanged since their newest point (one activity for the whole space, so
/// an unchanged asset costs no activity and no history), capture the others in batches (one activity captures a few assets
/// one after the other, so the Durable round trips of an activity are paid once per batch and the history grows with the
/// batches, not the assets; bounded parallelism so Qlik's rate tiers hold), then mark assets that vanished as deleted. An
/// asset whose capture fails in its batch is captured again on its own (retries, then a recorded failure) and reported,
/// never failing the space; a listing or deleted check that still fails after retries is the space's error, never the tier's.
/// </summary>
public sealed class CaptureSpaceOrchestrator : TaskOrchestrator<CaptureSpaceInput, SpaceCaptureResult>
{
    /// <summary>Apps per batch at most: an app capture reads Qlik for seconds to minutes, and a batch is one activity's run time.</summary>
    public const int MaxAppsPerBatch = 5;

    /// <summary>Other assets (JSON resources, spaces) per batch at most: each is a few small requests.</summary>
    public const int MaxResourcesPerBatch = 20;

    /// <summary>Changed assets a space orchestration captures itself at most; more go to one <see cref="CaptureLaneOrchestrator"/>
    /// per unit of parallelism, so the space's own history stays bounded however many assets changed.</summary>
    public const int MaxAssetsInline = 50;

    [Function(nameof(CaptureSpaceOrchestrator))]
    public static Task<SpaceCaptureResult> Run([OrchestrationTrigger] TaskOrchestrationContext context)
        => new CaptureSpaceOrchestrator().RunAsync(context, context.GetInput<CaptureSpaceInput>()!);

    public override async Task<SpaceCaptureResult> RunAsync(TaskOrchestrationContext context, CaptureSpaceInput input)
    {
        // A space run on its own is a run too: its listings and its audit read (from the tier's cursor) are read once for its
        // assets. It ends without moving the cursor: the tier's other spaces were not captured.
        if (input.Run is null)
        {
            CaptureRunContext run = await CaptureTierOrchestrator.BeginRunAsync(context, input.Space.Tier);
            SpaceCaptureResult result = await CaptureSpaceAsync(context, input with { Run = run });
            try
            {
                await context.CallActivityAsync(nameof(EndCaptureRun), new EndRunInput(input.Space.Tier, run, AdvanceCursor: false), ActivityRetry.Default);
            }
            catch (TaskFailedException)
            {
                // Only memory: the run's listings expire on their own.
            }

            return result;
        }

        return await CaptureSpaceAsync(context, input);
    }

    static async Task<SpaceCaptureResult> CaptureSpaceAsync(TaskOrchestrationContext context, CaptureSpaceInput input)
    {
        List<AssetRef> assets;
        try
        {
            assets = await context.CallActivityAsync<List<AssetRef>>(nameof(ListSpaceAssets), new SpaceAssetsInput(input.Space, input.Run), ActivityRetry.Default);
        }
        catch (TaskFailedException ex)
        {
            return new SpaceCaptureResult(input.Space, 0, CaptureSummary.Empty, [], $"Listing the space's assets failed: {Failures.Describe(ex)}");
        }

        var results = new List<AssetCaptureResult>(assets.Count);
        try
        {
            results.AddRange(await context.CallActivityAsync<List<AssetCaptureResult>>(
                nameof(FindUnchangedAssets), new UnchangedAssetsInput(input.Space, assets, input.Run), ActivityRetry.Default));
        }
        catch (TaskFailedException)
        {
            // Only a shortcut: without it every asset is captured, and each capture finds out itself.
        }

        var skipped = results.Select(r => (r.Asset.Kind, r.Asset.Id)).ToHashSet();
        int parallel = Math.Max(1, input.MaxParallelAssets);
        var changed = assets.Where(a => !skipped.Contains((a.Kind, a.Id))).ToList();
        List<List<AssetRef>> batches = [.. Batches(changed, parallel)];
        if (changed.Count <= MaxAssetsInline)
        {
            results.AddRange(await CaptureBatchesAsync(context, input, batches, parallel));
        }
        else
        {
            var lanes = Lanes(batches, parallel);
            foreach (List<AssetCaptureResult> laneResults in await Task.WhenAll(lanes.Select((lane, i) => RunLaneAsync(context, input, lane, i))))
            {
                results.AddRange(laneResults);
            }
        }

        string? error = null;
        try
        {
            results.AddRange(await context.CallActivityAsync<List<AssetCaptureResult>>(
                nameof(MarkDeletedAssets), new DeletedAssetsInput(input.Space, assets, input.Run), ActivityRetry.Default));
        }
        catch (TaskFailedException ex)
        {
            error = $"The deleted-asset check failed: {Failures.Describe(ex)}";
        }

        var failures = results.Where(r => r.Outcome == CaptureOutcome.Failed)
            .Select(r => new CaptureFailure(r.Asset, r.Error ?? "unknown error")).ToList();
        return new SpaceCaptureResult(input.Space, assets.Count, CaptureSummary.Of(results), failures, error);
    }

    /// <summary>
    /// The assets to capture in batches, in listing order: apps apart from the rest, at most <see cref="MaxAppsPerBatch"/> /
    /// <see cref="MaxResourcesPerBatch"/> each, and no bigger than an even share of <paramref name="parallel"/>, so a few
    /// changed assets are still captured side by side. Pure, so replays cut the same batches.
    /// </summary>
    public static IEnumerable<List<AssetRef>> Batches(IReadOnlyList<AssetRef> assets, int parallel)
    {
        foreach (bool apps in new[] { true, false })
        {
            var group = assets.Where(a => (a.Kind == AssetKind.App) == apps).ToList();
            if (group.Count == 0) continue;
            int size = Math.Clamp((group.Count + parallel - 1) / parallel, 1, apps ? MaxAppsPerBatch : MaxResourcesPerBatch);
            foreach (AssetRef[] batch in group.Chunk(size)) yield return [.. batch];
        }
    }

    /// <summary>The batches, <paramref name="parallel"/> at a time (the next starts as soon as one finishes).</summary>
    internal static async Task<List<AssetCaptureResult>> CaptureBatchesAsync(
        TaskOrchestrationContext context, CaptureSpaceInput input, IReadOnlyList<List<AssetRef>> batches, int parallel)
    {
        var results = new List<AssetCaptureResult>();
        var inFlight = new List<Task<List<AssetCaptureResult>>>();
        foreach (List<AssetRef> batch in batches)
        {
            if (inFlight.Count >= parallel)
            {
                Task<List<AssetCaptureResult>> done = await Task.WhenAny(inFlight);
                inFlight.Remove(done);
                results.AddRange(await done);
            }

            inFlight.Add(CaptureBatchAsync(context, input, batch));
        }

        foreach (List<AssetCaptureResult> batchResults in await Task.WhenAll(inFlight)) results.AddRange(batchResults);
        return results;
    }

    /// <summary>The batches dealt round-robin to at most <paramref name="parallel"/> lanes (each runs its batches one after the other). Pure.</summary>
    public static List<List<List<AssetRef>>> Lanes(IReadOnlyList<List<AssetRef>> batches, int parallel)
    {
        int count = Math.Max(1, Math.Min(parallel, batches.Count));
        return [.. Enumerable.Range(0, count).Select(lane => batches.Where((_, i) => i % count == lane).ToList())];
    }

    /// <summary>A lane as a sub-orchestration; if that fails as a whole, its batches are captured here (captures are idempotent).</summary>
    static async Task<List<AssetCaptureResult>> RunLaneAsync(TaskOrchestrationContext context, CaptureSpaceInput input, List<List<AssetRef>> lane, int index)
    {
        try
        {
            return await context.CallSubOrchestratorAsync<List<AssetCaptureResult>>(
                nameof(CaptureLaneOrchestrator), new CaptureLaneInput(input, lane), new SubOrchestrationOptions { InstanceId = $"{context.InstanceId}:lane{index}" });
        }
        catch (TaskFailedException)
        {
            return await CaptureBatchesAsync(context, input, lane, 1);
        }
    }

    /// <summary>One batch activity; an asset it could not capture (or every asset, if the batch itself failed) gets the usual retries on its own.</summary>
    internal static async Task<List<AssetCaptureResult>> CaptureBatchAsync(TaskOrchestrationContext context, CaptureSpaceInput input, List<AssetRef> batch)
    {
        List<BatchItemResult> items;
        TaskOptions retry = ActivityRetry.AfterFirstAttempt;
        try
        {
            items = await context.CallActivityAsync<List<BatchItemResult>>(
                nameof(CaptureAssets), new CaptureBatchInput(batch, input.Space.Tier, input.Trigger, input.Run), ActivityRetry.Default);
        }
        catch (TaskFailedException ex)
        {
            items = [.. batch.Select(a => new BatchItemResult(a, null, ex.FailureDetails.ErrorMessage))];
            retry = ActivityRetry.Default;
        }

        var results = new List<AssetCaptureResult>(items.Count);
        foreach (BatchItemResult item in items)
        {
            results.Add(item.Result ?? await AssetCapture.CaptureWithRetryAsync(
                context, new CaptureAssetInput(item.Asset, input.Space.Tier, input.Trigger, input.Run), retry));
        }

        return results;
    }
}
