using QlikBackup.Core.Assets;
using QlikBackup.Core.Capture;
using QlikBackup.Core.Restore;

namespace QlikBackup.Functions.Orchestrators;

/// <summary>Starts a capture of every space of one tier.</summary>
public sealed record CaptureTierInput(Tier Tier, CaptureTrigger Trigger = CaptureTrigger.Schedule, int MaxParallelAssets = 8);

public sealed record CaptureSpaceInput(SpaceCaptureTarget Space, CaptureTrigger Trigger, int MaxParallelAssets);

/// <param name="InRun">Captured by a space run (which shares tenant-wide listings between its assets), not on its own.</param>
public sealed record CaptureAssetInput(AssetRef Asset, Tier Tier, CaptureTrigger Trigger, bool InRun = false);

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

public sealed record UnchangedAssetsInput(SpaceCaptureTarget Space, IReadOnlyList<AssetRef> Listed);

public sealed record DeletedAssetsInput(SpaceCaptureTarget Space, IReadOnlyList<AssetRef> Present);

public sealed record RecordFailureInput(AssetRef Asset, Tier Tier, string Error);

