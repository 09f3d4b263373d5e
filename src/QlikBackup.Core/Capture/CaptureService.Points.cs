using Microsoft.Extensions.Logging;
using System.Text.Json;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Storage;
using QlikBackup.Qlik.Contracts;

namespace QlikBackup.Core.Capture;

public sealed partial class CaptureService
{
    /// <summary>How much earlier than Qlik's modified date the audit event of that change may be stamped.</summary>
    static readonly TimeSpan AuditSkew = TimeSpan.FromMinutes(5);

    /// <summary>Audit events that change nothing (several are caused by the capture itself: export, Engine sessions).</summary>
    static readonly string[] ReadOnlyEventSuffixes = [".exported", ".opened", ".validation.failed", ".rate-limit.exceeded", ".run.ended", ".report.finished"];

    /// <summary>What the point records besides its content.</summary>
    sealed record PointIdentity(string? Name, string SpaceId, string? SpaceName, string? OwnerId, DateTimeOffset? SourceModifiedAt);

    sealed record Attribution(string? UserId, DateTimeOffset? At, string? Client)
    {
        public static readonly Attribution None = new(null, null, null);
    }

    static AssetCaptureResult Unchanged(AssetRef asset, Baseline baseline)
        => new(asset, CaptureOutcome.Unchanged, baseline.Latest?.PointId, baseline.Latest?.Size ?? 0, 0);

    /// <summary>
    /// Second-step change detection and the point: when every part has the content of the newest point, nothing is written
    /// (only that point's watermark moves to Qlik's newer modified date, so the next run's date check succeeds); otherwise
    /// the manifest is stored and a Captured point added.
    /// </summary>
    async Task<AssetCaptureResult> FinishAsync(
        AssetRef asset, Tier tier, Baseline baseline, PartWriter writer, PointIdentity identity, Manifest? previous, CancellationToken ct)
    {
        Manifest manifest = await writer.CompleteAsync();
        if (baseline.CanBeUnchanged && baseline.Latest!.SpaceId == identity.SpaceId)
        {
            previous ??= (await ReadPreviousAsync(baseline.LastCaptured, ct)).Manifest;
            if (previous is not null && SameContent(manifest, previous))
            {
                if (identity.SourceModifiedAt is { } modified && (baseline.Latest.SourceModifiedAt is not { } watermark || modified > watermark))
                {
                    // Same keys (same point id): the index upserts, so this only advances the watermark.
                    await index.AddAsync(baseline.Latest with { SourceModifiedAt = modified }, ct);
                }

                return Unchanged(asset, baseline) with { NewBytes = writer.NewBytes };
            }
        }

        DateTimeOffset now = clock.GetUtcNow();
        Attribution who = await AttributeAsync(asset.Id, AttributionSince(identity.SourceModifiedAt, baseline.Latest, now), now, identity.SourceModifiedAt, ct);
        RecoveryPoint point = NewPoint(asset, tier, now, RecoveryPointStatus.Captured, identity, who);
        StoredContent stored = await store.PutManifestAsync(TenantId, manifest with { PointId = point.PointId }, ct);
        long size = manifest.Parts.Sum(p => p.Size);
        point = point with
        {
            ManifestRef = stored.ContentRef,
            Size = size,
            NewBytes = writer.NewBytes + stored.NewBytes,
        };
        await WritePointAsync(point, baseline.Latest, ct);
        int objects = manifest.Parts.Count(p => CapturePartNames.TryParseObject(p.Name, out _, out _, out _));
        return new AssetCaptureResult(asset, CaptureOutcome.Captured, point.PointId, size, point.NewBytes, objects);
    }

    /// <summary>
    /// The manifest of <paramref name="point"/> without the parts whose blobs are missing or altered (a deleted shared chunk,
    /// say), so those parts are read from Qlik and stored again instead of being taken over; <c>Damaged</c> says whether any
    /// were dropped. Costs a read per pack, and a descriptor read and a HEAD per chunk of each chunked part, in parallel.
    /// </summary>
    async Task<(Manifest? Manifest, bool Damaged)> ReadPreviousAsync(RecoveryPoint? point, CancellationToken ct)
    {
        if (point?.ManifestRef is not { } manifestRef) return (null, false);
        Manifest manifest;
        try
        {
            manifest = await store.ReadManifestAsync(TenantId, manifestRef, ct);
        }
        catch (ContentIntegrityException ex)
        {
            log.LogWarning(ex, "The manifest of point {PointId} is not whole; the asset is captured again in full", point.PointId);
            return (null, true);
        }

        var failures = (await store.VerifyManyAsync(TenantId, [.. manifest.Parts.Select(p => p.ContentRef)], readData: false, ct))
            .Where(c => c.Failure is not null).ToDictionary(c => c.ContentRef, c => c.Failure!, StringComparer.Ordinal);
        var whole = new List<ManifestPart>();
        foreach (ManifestPart part in manifest.Parts)
        {
            if (failures.TryGetValue(part.ContentRef, out ContentIntegrityException? ex))
                log.LogWarning(ex, "Part {Part} of point {PointId} is not whole; it is stored again", part.Name, point.PointId);
            else
                whole.Add(part);
        }

        return whole.Count == manifest.Parts.Count
            ? (manifest, false)
            : (new Manifest([.. whole.OrderBy(p => p.Name, StringComparer.Ordinal)]), true);
    }

    static bool SameContent(Manifest a, Manifest b)
        => a.Parts.Count == b.Parts.Count
           && a.Parts.All(p => b.Find(p.Name) is { } q && q.ContentRef == p.ContentRef);

    /// <summary>The change happened after the previous point and around Qlik's modified date; without either, a bounded look back.</summary>
    DateTimeOffset AttributionSince(DateTimeOffset? modified, RecoveryPoint? latest, DateTimeOffset now)
    {
        DateTimeOffset since = latest?.CapturedAt ?? now - Options.AttributionLookback;
        if (modified is { } m && m - AuditSkew > since) since = m - AuditSkew;
        return since;
    }

    /// <summary>
    /// Who changed the asset: the newest audit event in (since, until] whose top-level resource (or data.id) is the asset.
    /// Audits arrive newest first, so the scan stops at the first match once older events follow.
    /// </summary>
    async Task<Attribution> AttributeFromWindowAsync(string assetId, DateTimeOffset since, DateTimeOffset until, CancellationToken ct)
    {
        QlikAuditEvent? best = null;
        DateTimeOffset? previous = null;
        bool newestFirst = true;
        try
        {
            await foreach (QlikAuditEvent e in rest.ListAuditsAsync(since, until, null, ct))
            {
                if (previous is { } p && e.EventTime > p) newestFirst = false;
                previous = e.EventTime;
                if (newestFirst && best is not null && e.EventTime < best.EventTime) break;
                if (e.EventTime <= since || e.EventTime > until || !Concerns(e, assetId) || IsReadOnly(e.EventType)) continue;
                if (best is null || e.EventTime > best.EventTime) best = e;
            }
        }
        catch (QlikApiException ex) when (ex.Status is 400 or 403)
        {
            // Attribution is best effort: a principal without audit access still gets its backups.
            log.LogWarning("Audit events could not be read for attribution ({Status}).", ex.Status);
            return Attribution.None;
        }

        return best is null ? Attribution.None : new Attribution(best.UserId, best.EventTime, best.ClientId ?? best.Source);
    }

    /// <summary>
    /// When Qlik purges a deleted app (reference §15), from its own events: com.qlik.app.softdeleted carries purgeAt; a hard delete
    /// (com.qlik.app.harddeleted, or com.qlik.app.deleted with deleteType HARD) leaves no window, so its time. Null when the events
    /// do not say (no audit access, or older events); restore then assumes Qlik's documented 14 days.
    /// </summary>
    async Task<DateTimeOffset?> PurgeAtAsync(string appId, DateTimeOffset since, DateTimeOffset until, CancellationToken ct)
    {
        (DateTimeOffset At, DateTimeOffset? PurgeAt)? newest = null;
        try
        {
            await foreach (QlikAuditEvent e in rest.ListAuditsAsync(since, until, null, ct))
            {
                if (!Concerns(e, appId) || newest is { } n && e.EventTime < n.At) continue;
                JsonElement data = e.Raw.ValueKind == JsonValueKind.Object && e.Raw.TryGetProperty("data", out JsonElement d) ? d : default;
                DateTimeOffset? purgeAt = e.EventType switch
                {
                    "com.qlik.app.softdeleted" when data.ValueKind == JsonValueKind.Object && DateTimeOffset.TryParse(JsonMembers.Str(data, "purgeAt"),
                        System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var at) => at,
                    "com.qlik.app.harddeleted" => e.EventTime,
                    "com.qlik.app.deleted" when data.ValueKind == JsonValueKind.Object && JsonMembers.Str(data, "deleteType") == "HARD" => e.EventTime,
                    _ => null,
                };
                if (purgeAt is not null) newest = (e.EventTime, purgeAt);
            }
        }
        catch (QlikApiException ex) when (ex.Status is 400 or 403)
        {
            log.LogWarning("Audit events could not be read for the soft-delete window of app {AppId} ({Status}).", appId, ex.Status);
        }
        return newest?.PurgeAt;
    }

    static bool Concerns(QlikAuditEvent e, string assetId)
    {
        if (e.TopLevelResourceId == assetId) return true;
        return e.Raw.ValueKind == JsonValueKind.Object && e.Raw.TryGetProperty("data", out JsonElement data) && JsonMembers.Str(data, "id") == assetId;
    }

    static bool IsReadOnly(string eventType) => ReadOnlyEventSuffixes.Any(s => eventType.EndsWith(s, StringComparison.Ordinal));
}
