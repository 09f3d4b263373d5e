using Microsoft.Extensions.Logging;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Capture;
using QlikBackup.Core.Storage;

namespace QlikBackup.Core.Restore;

// Execution, after the last action: an app or space that came back with a new id keeps its history and its tier.
internal sealed partial class RestoreExecutor
{
    sealed partial class Run
    {
        /// <summary>
        /// Qlik gives a re-imported app (or recreated space) a new id. Its earlier points are filed again under the new id (each with
        /// a small manifest of its own over the same parts, so no part is copied): a search by the new id finds the history, capture continues it, and every earlier
        /// point restores into the new app. A recreated space keeps its capture tier. Copies (validation, isolated) are not lineage.
        /// </summary>
        async Task CarryLineageAsync(CancellationToken ct)
        {
            foreach (var target in (plan.Targets ?? []).Where(t => !t.Validation && !t.Isolated && t.Kind is AssetKind.App or AssetKind.Space))
            {
                if (_idMap.GetValueOrDefault(target.AssetId) is not { } newId || newId == target.AssetId) continue;
                var history = await x.Index.QueryAsync(TenantId, new RecoveryPointQuery { Kind = target.Kind, AssetId = target.AssetId, Take = 1000 }, ct);
                foreach (var point in history.Where(p => p.Status == RecoveryPointStatus.Captured))
                {
                    await x.Index.AddAsync(await RefiledAsync(point, newId, ct), ct);
                }
                // The old id's history ends with "deleted, restored as the new id", so capture and status do not report it only as Deleted.
                var newest = history.MaxBy(p => p.CapturedAt);
                if (newest is not null && newest.RestoredAsId != newId)
                {
                    var at = DateTimeOffset.UtcNow;
                    var marker = newest with
                    {
                        PointId = RecoveryPointIds.Create(target.Kind, target.AssetId, at), CapturedAt = at, Status = RecoveryPointStatus.Deleted,
                        ManifestRef = null, Size = 0, NewBytes = 0, RestoredAsId = newId, ChangedBy = null, ChangedAt = null, ChangedFromClient = null, Error = null,
                    };
                    // As capture writes a point: the catalog row first (status lists deleted assets from it), then the index entry.
                    await CatalogDeletedAsync(marker, ct);
                    await x.Index.AddAsync(marker, ct);
                }
                if (target.Kind == AssetKind.Space && x.Tiers is { } tiers && (await tiers.GetAllAsync(ct)).TryGetValue(target.AssetId, out var tier))
                {
                    await tiers.SetAsync(newId, tier, ct);
                }
                x.Log.LogInformation("Restore {RestoreId}: {Kind} {OldId} is now {NewId}; {Count} earlier point(s) filed under the new id.",
                    plan.RestoreId, target.Kind, target.AssetId, newId, history.Count);
            }
        }

        /// <summary>
        /// The old id's catalog row names its last point, Deleted: the deleted check of capture passes it by, and status finds it among
        /// the deleted assets and reads "restored as" from that point. Written on the row's ETag, read again if a capture wrote in between.
        /// </summary>
        async Task CatalogDeletedAsync(RecoveryPoint marker, CancellationToken ct)
        {
            if (x.Catalog is not { } catalog || marker.SpaceId is not { } spaceId) return;
            var row = new CapturedAsset(marker.Kind, marker.AssetId, spaceId, marker.Name, marker.Tier, RecoveryPointStatus.Deleted);
            for (int attempt = 0; attempt < 5; attempt++)
            {
                var head = await catalog.GetHeadAsync(TenantId, spaceId, marker.Kind, marker.AssetId, ct);
                if (await catalog.TryWriteAsync(TenantId, row, marker.PointId, head, ct)) return;
            }
            throw new InvalidOperationException($"The catalog row of {marker.Kind} {marker.AssetId} kept changing; run the restore again to end its history.");
        }

        /// <summary>
        /// The point under the new id. A manifest names its point (verify refuses an index row whose manifest names
        /// another point: a swapped row), so the point gets its own small manifest over the same parts; no part is copied.
        /// </summary>
        async Task<RecoveryPoint> RefiledAsync(RecoveryPoint point, string newId, CancellationToken ct)
        {
            string pointId = RecoveryPointIds.Create(point.Kind, newId, point.CapturedAt);
            string? manifestRef = point.ManifestRef;
            if (manifestRef is not null)
            {
                Manifest manifest = await x.Store.ReadManifestAsync(TenantId, manifestRef, ct);
                manifestRef = (await x.Store.PutManifestAsync(TenantId, manifest with { PointId = pointId }, ct)).ContentRef;
            }

            return point with { PointId = pointId, AssetId = newId, ManifestRef = manifestRef };
        }
    }
}
