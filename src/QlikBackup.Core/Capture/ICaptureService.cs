using QlikBackup.Core.Assets;

namespace QlikBackup.Core.Capture;

/// <summary>A space to capture in a tier run. <see cref="TenantConfigSpaceId"/> stands for tenant-level configuration
/// (users, groups, webhooks, identity providers, themes, API keys, automations and connections outside spaces).</summary>
public sealed record SpaceCaptureTarget(string SpaceId, string? SpaceName, Tier Tier)
{
    public const string TenantConfigSpaceId = "@tenant";
}

public enum CaptureTrigger { Schedule, Webhook, OnDemand }

/// <summary>
/// One capture run (a tier run): its id keys the tenant-wide listings its captures share (each read once per run), and
/// <see cref="Audits"/> names the audit events it read once for attribution (see <see cref="ICaptureService.BeginRunAsync"/>).
/// </summary>
/// <param name="Audits">Null when the run's audit read failed: each new point then searches its own window, as outside a run.</param>
public sealed record CaptureRunContext(string RunId, RunAudits? Audits = null);

/// <summary>
/// The audit events a run read once, from its tier's stored cursor, kept as the newest change event per asset (table
/// RunAttributions). The read vouches for changes Qlik stamped from <see cref="From"/> to <see cref="To"/> (a moment before
/// the read, so late-listed events are not missed); <see cref="NewestEventAt"/> is what the cursor moves to when the run ends.
/// </summary>
/// <param name="Readable">False when Qlik refused the audit read (no audit access): the run's points carry no attribution, as before.</param>
public sealed record RunAudits(DateTimeOffset From, DateTimeOffset To, DateTimeOffset? NewestEventAt, int Events, bool Readable = true);

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
    Task<IReadOnlyList<AssetRef>> ListAssetsAsync(SpaceCaptureTarget space, CaptureRunContext? run = null, CancellationToken ct = default);
    /// <summary>
    /// Starts a run of the tier: reads Qlik's audit log once, from the tier's stored cursor (the newest event an earlier run
    /// read) to now, and records the newest change event of each asset for the run's captures. The cursor does not move here.
    /// </summary>
    Task<CaptureRunContext> BeginRunAsync(Tier tier, string runId, CancellationToken ct = default);
    /// <summary>Ends a run: its attribution rows and listings are dropped, and, when <paramref name="advanceCursor"/> (every
    /// space's captures, and so their attribution, are recorded), the tier's cursor moves to the newest event the run read.
    /// A failed run, or one that never ends, leaves the cursor where it was, so the next run re-reads those events.</summary>
    Task EndRunAsync(Tier tier, CaptureRunContext run, bool advanceCursor, CancellationToken ct = default);
    /// <summary>Captures one asset. Throws on failure so the caller's retry policy applies.</summary>
    /// <param name="run">The run the capture is part of: tenant-wide listings (reload tasks, data alerts, sharing tasks, users)
    /// are read once per run, and attribution comes from the run's audit read. Null for a single asset captured on its own (a
    /// webhook, an operator): listings are read fresh and its own audit window is searched.</param>
    Task<AssetCaptureResult> CaptureAssetAsync(AssetRef asset, Tier tier, CaptureTrigger trigger, CaptureRunContext? run = null, CancellationToken ct = default);
    /// <summary>The listed assets a capture would find unchanged, decided from the listing and the newest points, so a run skips them.</summary>
    Task<IReadOnlyList<AssetCaptureResult>> FindUnchangedAsync(SpaceCaptureTarget space, IReadOnlyList<AssetRef> assets, CaptureRunContext? run = null, CancellationToken ct = default);
    /// <summary>Records a failure after retries are exhausted (a Failed point in the index).</summary>
    Task<AssetCaptureResult> RecordFailureAsync(AssetRef asset, Tier tier, string error, CancellationToken ct = default);
    /// <summary>Assets of the space that have points but were not listed now get a Deleted point; their earlier points stay.</summary>
    Task<IReadOnlyList<AssetCaptureResult>> MarkDeletedAsync(SpaceCaptureTarget space, IReadOnlyList<AssetRef> present, CaptureRunContext? run = null, CancellationToken ct = default);
}
