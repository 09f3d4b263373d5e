using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Storage;

namespace QlikBackup.Core.Capture;

public sealed partial class CaptureService
{
    /// <summary>
    /// The assets of a space listing that a capture would find unchanged, decided from the listing alone before any capture
    /// runs: Qlik's modified date (listed) equals the newest point's, in the same space, and for an app its schedules, alerts
    /// and subscriptions (one tenant-wide listing each) hash as in that point. Spaces are never skipped (assignments change
    /// without updatedAt moving), nor assets whose newest point is not Captured. A skipped asset's blobs are not re-checked:
    /// damage is found by verify and repaired by its next changed capture.
    /// </summary>
    public async Task<IReadOnlyList<AssetCaptureResult>> FindUnchangedAsync(SpaceCaptureTarget space, IReadOnlyList<AssetRef> assets, CaptureRunContext? run = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(space);
        using IDisposable listings = EnterScope(run);
        var unchanged = new ConcurrentBag<AssetCaptureResult>();
        var candidates = assets.Where(a => a.Kind != AssetKind.Space && a.ModifiedAt is not null && !string.IsNullOrEmpty(a.Id));
        await Parallel.ForEachAsync(candidates, new ParallelOptions { MaxDegreeOfParallelism = PartParallelism, CancellationToken = ct }, async (asset, c) =>
        {
            RecoveryPoint? latest = (await index.GetNewestAsync(TenantId, asset.Kind, asset.Id, 1, c)).FirstOrDefault();
            if (latest is not { Status: RecoveryPointStatus.Captured, SourceModifiedAt: { } modified } || modified != asset.ModifiedAt
                || latest.SpaceId != (asset.SpaceId ?? space.SpaceId))
            {
                return;
            }

            try
            {
                if (asset.Kind == AssetKind.App && !await AttachedPartsUnchangedAsync(asset.Id, latest, c)) return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // An unreadable point (or listing) is the capture's to deal with: the asset is captured.
                log.LogDebug(ex, "{Kind} {AssetId} left to its capture: {Error}", asset.Kind, asset.Id, ex.Message);
                return;
            }

            unchanged.Add(new AssetCaptureResult(asset, CaptureOutcome.Unchanged, latest.PointId, latest.Size));
        });
        return [.. unchanged.OrderBy(r => r.Asset.Id, StringComparer.Ordinal)];
    }

    /// <summary>Reload tasks, data alerts and subscriptions of the app, from this run's listings, against the point's parts.</summary>
    async Task<bool> AttachedPartsUnchangedAsync(string appId, RecoveryPoint latest, CancellationToken ct)
    {
        if (latest.ManifestRef is null) return false;
        IReadOnlyDictionary<string, byte[]> attached = await AttachedPartsAsync(appId, ct);
        Manifest manifest = await store.ReadManifestAsync(TenantId, latest.ManifestRef, ct);
        return attached.All(a => manifest.Find(a.Key) is { } p && string.Equals(p.Sha256, PartWriter.Sha256Hex(a.Value), StringComparison.OrdinalIgnoreCase));
    }
}
