using QlikBackup.Core.Assets;
using QlikBackup.Core.Capture;
using QlikBackup.Core.Restore;

namespace QlikBackup.Functions.Orchestrators;

/// <summary>Starts a capture of every space of one tier.</summary>
public sealed record CaptureTierInput(Tier Tier, CaptureTrigger Trigger = CaptureTrigger.Schedule, int MaxParallelAssets = 8);

/// <param name="Run">The tier run the space is part of (its id keys the run's listings and audit read); null for a space run on its own.</param>
public sealed record CaptureSpaceInput(SpaceCaptureTarget Space, CaptureTrigger Trigger, int MaxParallelAssets, CaptureRunContext? Run = null);

/// <param name="Run">The run the capture is part of (its listings and audit read are shared by the run's assets); null for a
/// capture on its own (a webhook, an operator), which reads listings fresh and searches its own audit window.</param>
public sealed record CaptureAssetInput(AssetRef Asset, Tier Tier, CaptureTrigger Trigger, CaptureRunContext? Run = null);

/// <summary>Several assets of one space captured by one activity, one after the other (see <see cref="CaptureSpaceOrchestrator"/>).</summary>
public sealed record CaptureBatchInput(IReadOnlyList<AssetRef> Assets, Tier Tier, CaptureTrigger Trigger, CaptureRunContext? Run = null);

/// <summary>One asset of a batch: its result, or the error its capture threw (the orchestration retries it on its own).</summary>
public sealed record BatchItemResult(AssetRef Asset, AssetCaptureResult? Result, string? Error = null);

/// <summary>Batches of one space's changed assets, captured one after the other by a <see cref="CaptureLaneOrchestrator"/>.</summary>
public sealed record CaptureLaneInput(CaptureSpaceInput Space, IReadOnlyList<List<AssetRef>> Batches);

public sealed record BeginRunInput(Tier Tier, string RunId);

/// <param name="AdvanceCursor">Every space's captures (and so their attribution) are recorded: the audit cursor may move.</param>
public sealed record EndRunInput(Tier Tier, CaptureRunContext Run, bool AdvanceCursor);

public sealed record SpaceAssetsInput(SpaceCaptureTarget Space, CaptureRunContext? Run = null);

public sealed record CaptureFailure(AssetRef Asset, string Error);

/// <param name="Error">Set when a step of the space itself (listing, deleted check) failed after its retries; assets captured before it stay.</param>
public sealed record SpaceCaptureResult(SpaceCaptureTarget Space, int Assets, CaptureSummary Summary, IReadOnlyList<CaptureFailure> Failures, string? Error = null);

/// <param name="Error">Set when the run could not list its spaces, or when a space failed (see <see cref="SpaceCaptureResult.Error"/>).</param>
public sealed record CaptureRunResult(
    Tier Tier, DateTime StartedAt, DateTime FinishedAt, IReadOnlyList<SpaceCaptureResult> Spaces, CaptureSummary Summary, string? Error = null)
{
    public bool Failed => Error is not null || Summary.Failed > 0;
}

/// <summary>
/// A restore as GET /api/operations/{id} answers it: the plan it followed and, unless it was a dry run, the result, both read
/// from storage (<see cref="ReadAsync"/>); the orchestration itself returns only the bounded <see cref="RestoreSummary"/>.
/// </summary>
public sealed record RestoreOutcome(RestorePlan Plan, RestoreResult? Result, TimeSpan Duration)
{
    /// <summary>The stored plan and result of a finished restore orchestration (null when its plan is gone).</summary>
    public static async Task<RestoreOutcome?> ReadAsync(IRestoreService restore, RestoreSummary summary, CancellationToken ct = default)
    {
        if (await restore.GetPlanAsync(summary.RestoreId, ct) is not { } plan) return null;
        RestoreResult result = await restore.GetResultAsync(summary.RestoreId, ct)
            ?? new RestoreResult(summary.RestoreId, summary.Succeeded, [], new Dictionary<string, string>(), summary.RestoredAssetId, summary.Error,
                summary.CreatedSpaceIds, summary.Checklist);
        return new RestoreOutcome(plan with { Request = plan.Request with { DryRun = false } }, result, summary.Duration);
    }
}

/// <param name="Start">Index of the batch's first action (the earlier ones are done); <paramref name="Until"/>: the end, exclusive.</param>
public sealed record RestoreBatchInput(string RestoreId, int Index, int Start, int Until);

/// <param name="Error">Why the restore failed; null when every batch succeeded.</param>
public sealed record CompleteRestoreInput(string RestoreId, string? Error, TimeSpan Duration);

public sealed record UnchangedAssetsInput(SpaceCaptureTarget Space, IReadOnlyList<AssetRef> Listed, CaptureRunContext? Run = null);

public sealed record DeletedAssetsInput(SpaceCaptureTarget Space, IReadOnlyList<AssetRef> Present, CaptureRunContext? Run = null);

public sealed record RecordFailureInput(AssetRef Asset, Tier Tier, string Error);

