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

/// <summary>What a restore orchestration returns: the plan it followed and, unless it was a dry run, the result.</summary>
public sealed record RestoreOutcome(RestorePlan Plan, RestoreResult? Result, TimeSpan Duration);

public sealed record UnchangedAssetsInput(SpaceCaptureTarget Space, IReadOnlyList<AssetRef> Listed);

public sealed record DeletedAssetsInput(SpaceCaptureTarget Space, IReadOnlyList<AssetRef> Present);

public sealed record RecordFailureInput(AssetRef Asset, Tier Tier, string Error);

public sealed record RecordRestoreAuditInput(RestorePlan Plan, RestoreResult? Result, TimeSpan Duration);
