using QlikBackup.Core.Assets;

namespace QlikBackup.Core.Capture;

/// <summary>A space to capture in a tier run. <see cref="TenantConfigSpaceId"/> stands for tenant-level configuration
/// (users, groups, webhooks, identity providers, themes, API keys, automations and connections outside spaces).</summary>
public sealed record SpaceCaptureTarget(string SpaceId, string? SpaceName, Tier Tier)
{
    public const string TenantConfigSpaceId = "@tenant";
}

public enum CaptureTrigger { Schedule, Webhook, OnDemand }

public enum CaptureOutcome { Captured, Unchanged, Deleted, Failed }

/// <summary>What capturing one asset did. <see cref="NewBytes"/> counts bytes newly written to Blob storage.</summary>
public sealed record AssetCaptureResult(
    AssetRef Asset, CaptureOutcome Outcome, string? PointId = null, long Size = 0, long NewBytes = 0, int ObjectCount = 0, string? Error = null);

/// <summary>Totals of one space (or one tier run).</summary>
public sealed record CaptureSummary(int Captured, int Unchanged, int Deleted, int Failed, long Bytes, long NewBytes)
{
    public static CaptureSummary Empty { get; } = new(0, 0, 0, 0, 0, 0);

    public static CaptureSummary Of(IEnumerable<AssetCaptureResult> results) => results.Aggregate(Empty, (s, r) => s.Add(r));

    public CaptureSummary Add(AssetCaptureResult r) => new(
        Captured + (r.Outcome == CaptureOutcome.Captured ? 1 : 0),
        Unchanged + (r.Outcome == CaptureOutcome.Unchanged ? 1 : 0),
        Deleted + (r.Outcome == CaptureOutcome.Deleted ? 1 : 0),
        Failed + (r.Outcome == CaptureOutcome.Failed ? 1 : 0),
        Bytes + r.Size,
        NewBytes + r.NewBytes);

    public CaptureSummary Add(CaptureSummary o) => new(
        Captured + o.Captured, Unchanged + o.Unchanged, Deleted + o.Deleted, Failed + o.Failed, Bytes + o.Bytes, NewBytes + o.NewBytes);
}

/// <summary>
/// The capture engine, at the granularity of Durable activities: list a tier's spaces, list a space's assets,
/// capture one asset (all its parts, parallel I/O inside), mark vanished assets deleted.
/// Each call is idempotent: re-running it after a crash stores nothing twice.
/// </summary>
public interface ICaptureService
{
    Task<IReadOnlyList<SpaceCaptureTarget>> ListSpacesAsync(Tier tier, CancellationToken ct = default);
    Task<IReadOnlyList<AssetRef>> ListAssetsAsync(SpaceCaptureTarget space, CancellationToken ct = default);
    /// <summary>Captures one asset. Throws on failure so the caller's retry policy applies.</summary>
    /// <param name="inRun">Part of a tier or space run: tenant-wide listings (reload tasks, data alerts, sharing tasks) are read
    /// once for the run's assets. A single asset captured on its own (a webhook, an operator) reads them fresh.</param>
    Task<AssetCaptureResult> CaptureAssetAsync(AssetRef asset, Tier tier, CaptureTrigger trigger, bool inRun = false, CancellationToken ct = default);
    /// <summary>The listed assets a capture would find unchanged, decided from the listing and the newest points, so a run skips them.</summary>
    Task<IReadOnlyList<AssetCaptureResult>> FindUnchangedAsync(SpaceCaptureTarget space, IReadOnlyList<AssetRef> assets, CancellationToken ct = default);
    /// <summary>Records a failure after retries are exhausted (a Failed point in the index).</summary>
    Task<AssetCaptureResult> RecordFailureAsync(AssetRef asset, Tier tier, string error, CancellationToken ct = default);
    /// <summary>Assets of the space that have points but were not listed now get a Deleted point; their earlier points stay.</summary>
    Task<IReadOnlyList<AssetCaptureResult>> MarkDeletedAsync(SpaceCaptureTarget space, IReadOnlyList<AssetRef> present, CancellationToken ct = default);
}
