using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Storage;
using QlikBackup.Qlik.Contracts;

namespace QlikBackup.Core.Capture;

/// <summary>
/// The capture engine (see <see cref="ICaptureService"/>). Change detection is two-step: Qlik's modified date against the
/// newest point's <see cref="RecoveryPoint.SourceModifiedAt"/> first (no content read), then the content hashes of every
/// part against the newest point's manifest, so identical content never makes a new point.
/// <para>Decisions:</para>
/// <list type="bullet">
/// <item>Reload tasks, data alerts and subscriptions (sharing tasks) are parts of their app's point (<c>reload-tasks</c>,
/// <c>data-alerts</c>, <c>subscriptions</c>): an app restore brings its schedules and alerts back with it. They are checked on
/// every capture of the app (from one tenant-wide listing per run), so changing only a schedule still makes a new app point.</item>
/// <item>The QVF is exported when the app was never exported or its lastReloadTime changed (new data); otherwise the
/// previous point's QVF part is kept. Object, script and property parts are the source of truth for app content: a restore
/// imports the QVF and then applies those parts (and removes objects the point does not have).</item>
/// <item>Run-time fields that change without the asset changing (reload task next/last execution, automation last run,
/// alert scan stats, app modifiedDate) are left out of the stored JSON; they cannot be restored anyway.</item>
/// </list>
/// </summary>
public sealed partial class CaptureService : ICaptureService
{
    /// <summary>Pseudo space of personal content (Qlik's items filter spaceId=personal).</summary>
    public const string PersonalSpaceId = "personal";

    readonly IQlikRestClient rest;
    readonly IQlikEngine engine;
    readonly IContentStore store;
    readonly IRecoveryPointIndex index;
    readonly ISpaceTierStore tiers;
    readonly CapturedAssetCatalog catalog;
    readonly ITenantContext tenant;
    readonly IOptions<CaptureOptions> options;
    readonly IOptions<QlikOptions> qlik;
    readonly TimeProvider clock;
    readonly ILogger<CaptureService> log;
    readonly ListingCache cache;
    readonly RunAuditStore audits;

    public CaptureService(
        IQlikRestClient rest, IQlikEngine engine, IContentStore store, IRecoveryPointIndex index, ISpaceTierStore tiers,
        CapturedAssetCatalog catalog, ITenantContext tenant, IOptions<CaptureOptions> options, IOptions<QlikOptions> qlik,
        StorageTables tables, TimeProvider clock, ILogger<CaptureService> log)
    {
        this.rest = rest;
        this.engine = engine;
        this.store = store;
        this.index = index;
        this.tiers = tiers;
        this.catalog = catalog;
        this.tenant = tenant;
        this.options = options;
        this.qlik = qlik;
        this.clock = clock;
        this.log = log;
        cache = new ListingCache(clock);
        audits = new RunAuditStore(tables);
    }

    string TenantId => tenant.TenantId;

    CaptureOptions Options => options.Value;

    /// <summary>The longest a run's listings are kept (they are dropped when the run ends).</summary>
    TimeSpan ListingLifetime => Options.ListingCacheDuration;

    /// <summary>Parallel reads/writes inside one asset: the capture setting, never above Qlik's request bound.</summary>
    int PartParallelism => Math.Max(1, Math.Min(Options.MaxParallelPartsPerAsset, qlik.Value.MaxConcurrentRequests));

    public async Task<AssetCaptureResult> CaptureAssetAsync(AssetRef asset, Tier tier, CaptureTrigger trigger, CaptureRunContext? run = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(asset);
        ArgumentException.ThrowIfNullOrEmpty(asset.Id);
        using IDisposable? scope = log.BeginScope("Capture {Kind} {AssetId} ({Trigger}, {Tier})", asset.Kind, asset.Id, trigger, tier);
        using IDisposable listings = EnterScope(run);
        AssetCaptureResult result = await RetryOnConflictAsync(async () =>
        {
            IReadOnlyList<RecoveryPoint> history = await index.GetNewestAsync(TenantId, asset.Kind, asset.Id, 20, ct);
            var baseline = new Baseline(history.FirstOrDefault(), history.FirstOrDefault(p => p.Status == RecoveryPointStatus.Captured));
            return asset.Kind == AssetKind.App
                ? await CaptureAppAsync(asset, tier, baseline, ct)
                : await CaptureResourceAsync(asset, tier, baseline, ct);
        }, ct);
        log.LogInformation("{Kind} {AssetId}: {Outcome}, {Size} bytes, {NewBytes} new", asset.Kind, asset.Id, result.Outcome, result.Size, result.NewBytes);
        return result;
    }

    public async Task<AssetCaptureResult> RecordFailureAsync(AssetRef asset, Tier tier, string error, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(asset);
        return await RetryOnConflictAsync(() => RecordFailureOnceAsync(asset, tier, error, ct), ct);
    }

    async Task<AssetCaptureResult> RecordFailureOnceAsync(AssetRef asset, Tier tier, string error, CancellationToken ct)
    {
        IReadOnlyList<RecoveryPoint> history = await index.GetNewestAsync(TenantId, asset.Kind, asset.Id, 1, ct);
        RecoveryPoint? latest = history.FirstOrDefault();
        string spaceId = asset.SpaceId ?? latest?.SpaceId ?? DefaultSpaceOf(asset.Kind, asset.Id);
        var identity = new PointIdentity(asset.Name ?? latest?.Name, spaceId, latest?.SpaceName, asset.OwnerId ?? latest?.OwnerId, null);
        RecoveryPoint point = NewPoint(asset, tier, clock.GetUtcNow(), RecoveryPointStatus.Failed, identity, Attribution.None) with
        {
            Error = string.IsNullOrWhiteSpace(error) ? "unknown error" : error,
        };
        await WritePointAsync(point, latest, ct);
        return new AssetCaptureResult(asset, CaptureOutcome.Failed, point.PointId, Error: point.Error);
    }

    public async Task<IReadOnlyList<AssetCaptureResult>> MarkDeletedAsync(SpaceCaptureTarget space, IReadOnlyList<AssetRef> present, CaptureRunContext? run = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(space);
        using IDisposable listings = EnterScope(run);
        var listed = present.Select(a => (a.Kind, a.Id)).ToHashSet();
        var results = new List<AssetCaptureResult>();
        foreach (CapturedAsset known in await catalog.ListSpaceAsync(TenantId, space.SpaceId, ct))
        {
            if (known.LastStatus == RecoveryPointStatus.Deleted || known.Moved || listed.Contains((known.Kind, known.AssetId))) continue;

            var asset = new AssetRef(known.Kind, known.AssetId, known.Name, known.SpaceId);
            try
            {
                // Absent from this space's listing: only Qlik's 404 makes it deleted. An asset that still exists moved to
                // another space (or the listing raced its creation); its next capture files it under its current space.
                if (await ExistsInQlikAsync(asset, ct))
                {
                    await catalog.MarkMovedAsync(TenantId, space.SpaceId, known.Kind, known.AssetId, ct);
                    continue;
                }

                results.Add(await RetryOnConflictAsync(async () =>
                    await RecordDeletedAsync(asset, space.Tier, (await index.GetNewestAsync(TenantId, known.Kind, known.AssetId, 1, ct)).FirstOrDefault(), ct), ct));
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // One asset's check never fails the space: it is reported as that asset's failure and tried again next run.
                log.LogWarning(ex, "Deleted check of {Kind} {AssetId} in space {SpaceId} failed", known.Kind, known.AssetId, space.SpaceId);
                results.Add(new AssetCaptureResult(asset, CaptureOutcome.Failed, Error: $"Deleted check failed: {ex.Message}"));
            }
        }

        return results;
    }

    /// <summary>Qlik answers 400 for an id it could never have issued (a control character, say): no such asset exists.</summary>
    async Task<bool> ExistsInQlikAsync(AssetRef asset, CancellationToken ct)
    {
        try
        {
            return asset.Kind switch
            {
                AssetKind.App => await rest.GetAppAsync(asset.Id, ct) is not null,
                AssetKind.Space => await rest.GetSpaceAsync(asset.Id, ct) is not null,
                _ => await rest.GetAsync(ResourceKindOf(asset.Kind), asset.Id, ct) is not null,
            };
        }
        catch (QlikApiException ex) when (ex.Status == 400)
        {
            return false;
        }
    }

    /// <summary>Writes a Deleted point unless the newest point already says so; earlier points stay.</summary>
    async Task<AssetCaptureResult> RecordDeletedAsync(AssetRef asset, Tier tier, RecoveryPoint? latest, CancellationToken ct)
    {
        // Restored under a new id (lineage, RestoredAsId): not a deletion to report again; the new id carries on its history.
        if (latest is { Status: RecoveryPointStatus.Deleted, RestoredAsId: not null })
        {
            return new AssetCaptureResult(asset, CaptureOutcome.Unchanged, latest.PointId);
        }
        if (latest is null || latest.Status == RecoveryPointStatus.Deleted)
        {
            return new AssetCaptureResult(asset, CaptureOutcome.Deleted, latest?.PointId);
        }

        DateTimeOffset now = clock.GetUtcNow();
        // When it was deleted is unknown (maybe after the run's audit read): its own window, as before.
        Attribution who = await AttributeFromWindowAsync(asset.Id, latest.CapturedAt, now, ct);
        var identity = new PointIdentity(latest.Name ?? asset.Name, latest.SpaceId ?? asset.SpaceId ?? DefaultSpaceOf(asset.Kind, asset.Id), latest.SpaceName, latest.OwnerId, null);
        RecoveryPoint point = NewPoint(asset, tier, now, RecoveryPointStatus.Deleted, identity, who);
        if (asset.Kind == AssetKind.App) point = point with { PurgeAt = await PurgeAtAsync(asset.Id, latest.CapturedAt, now, ct) };
        await WritePointAsync(point, latest, ct);
        return new AssetCaptureResult(asset, CaptureOutcome.Deleted, point.PointId);
    }

    /// <summary>
    /// The catalog row first, then the index entry: a crash in between leaves a row without a new point (harmless), never a
    /// point retention cannot reach (its blobs would look unreferenced). The row is written conditionally on its ETag and on
    /// naming no point newer than <paramref name="baseline"/>: otherwise another capture of the same asset (a webhook during
    /// a tier run) got there first, and <see cref="CaptureConflictException"/> makes this capture start over from that point.
    /// </summary>
    async Task WritePointAsync(RecoveryPoint point, RecoveryPoint? baseline, CancellationToken ct)
    {
        var row = new CapturedAsset(point.Kind, point.AssetId, point.SpaceId ?? DefaultSpaceOf(point.Kind, point.AssetId), point.Name, point.Tier, point.Status);
        CatalogHead? head = await catalog.GetHeadAsync(TenantId, row.SpaceId, row.Kind, row.AssetId, ct);
        if (await IsConcurrentAsync(head?.PointId, baseline, ct) || !await catalog.TryWriteAsync(TenantId, row, point.PointId, head, ct))
        {
            throw new CaptureConflictException(point.Kind, point.AssetId);
        }

        await index.AddAsync(point, ct);
    }

    /// <summary>
    /// Whether the row names a point newer than the baseline that is in the index. The other capture writes the row just
    /// before the index entry, so a recent point not yet in the index is looked for once more after a moment; a row naming a
    /// point that never reached the index (a crash between the two writes) does not block anyone.
    /// </summary>
    async Task<bool> IsConcurrentAsync(string? rowPointId, RecoveryPoint? baseline, CancellationToken ct)
    {
        if (rowPointId is null || rowPointId == baseline?.PointId
            || !RecoveryPointIds.TryParse(rowPointId, out _, out _, out DateTimeOffset at) || at <= (baseline?.CapturedAt ?? DateTimeOffset.MinValue))
        {
            return false;
        }

        if (await index.GetAsync(TenantId, rowPointId, ct) is not null) return true;
        if (clock.GetUtcNow() - at > TimeSpan.FromMinutes(1)) return false;
        await Task.Delay(TimeSpan.FromMilliseconds(500), ct);
        return await index.GetAsync(TenantId, rowPointId, ct) is not null;
    }

    /// <summary>Runs a capture step again (from a fresh baseline) when a concurrent capture of the asset wrote first.</summary>
    static async Task<T> RetryOnConflictAsync<T>(Func<Task<T>> step, CancellationToken ct)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await step();
            }
            catch (CaptureConflictException) when (attempt < 4)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), ct);
            }
        }
    }

    RecoveryPoint NewPoint(AssetRef asset, Tier tier, DateTimeOffset now, RecoveryPointStatus status, PointIdentity identity, Attribution who) => new()
    {
        TenantId = TenantId,
        PointId = RecoveryPointIds.Create(asset.Kind, asset.Id, now),
        Kind = asset.Kind,
        AssetId = asset.Id,
        Name = identity.Name,
        SpaceId = identity.SpaceId,
        SpaceName = identity.SpaceName,
        OwnerId = identity.OwnerId,
        Tier = tier,
        CapturedAt = now,
        SourceModifiedAt = identity.SourceModifiedAt,
        Status = status,
        ChangedBy = who.UserId,
        ChangedAt = who.At,
        ChangedFromClient = who.Client,
    };

    /// <summary>Where an asset is filed when nothing says otherwise: a space under itself, an app in personal content, the rest as tenant configuration.</summary>
    static string DefaultSpaceOf(AssetKind kind, string assetId) => kind switch
    {
        AssetKind.Space => assetId,
        AssetKind.App => PersonalSpaceId,
        _ => SpaceCaptureTarget.TenantConfigSpaceId,
    };

    /// <summary>Another capture of the same asset wrote a point while this one ran; the capture starts over from that point.</summary>
    sealed class CaptureConflictException(AssetKind kind, string assetId)
        : Exception($"Another capture of {kind} {assetId} recorded a point at the same time; capture again from it.");

    /// <summary>The newest point of the asset and its newest point with content (they differ after a failure or deletion).</summary>
    sealed record Baseline(RecoveryPoint? Latest, RecoveryPoint? LastCaptured)
    {
        /// <summary>Only a captured newest point can make a capture "unchanged"; after a failure or deletion a new point is due.</summary>
        public bool CanBeUnchanged => Latest is { Status: RecoveryPointStatus.Captured };
    }
}
