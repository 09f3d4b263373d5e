using QlikBackup.Core.Assets;
using QlikBackup.Core.Capture;
using QlikBackup.Core.Storage;

namespace QlikBackup.Core.Status;

/// <summary>An app or space deleted in Qlik whose history continues under the id a restore gave it ("restored as {RestoredAsId}").</summary>
public sealed record RestoredAsset(AssetKind Kind, string AssetId, string? Name, string RestoredAsId, DateTimeOffset RestoredAt);

/// <summary>
/// The deleted assets that came back under a new id: the catalog lists deleted apps and spaces, and the newest point of each says
/// whether a restore ended its history with <see cref="RecoveryPoint.RestoredAsId"/>. Reads only deleted assets' newest points.
/// </summary>
public sealed class RestoredAssets(CapturedAssetCatalog catalog, IRecoveryPointIndex index, ITenantContext tenant)
{
    public async Task<IReadOnlyList<RestoredAsset>> ListAsync(CancellationToken ct = default)
    {
        var restored = new List<RestoredAsset>();
        var deleted = (await catalog.ListTenantAsync(tenant.TenantId, ct))
            .Where(a => a.LastStatus == RecoveryPointStatus.Deleted && a.Kind is AssetKind.App or AssetKind.Space)
            .DistinctBy(a => (a.Kind, a.AssetId));
        foreach (var asset in deleted)
        {
            var newest = (await index.GetNewestAsync(tenant.TenantId, asset.Kind, asset.AssetId, 1, ct)).FirstOrDefault();
            if (newest is { Status: RecoveryPointStatus.Deleted, RestoredAsId: { } newId })
                restored.Add(new RestoredAsset(asset.Kind, asset.AssetId, newest.Name ?? asset.Name, newId, newest.CapturedAt));
        }
        return restored.OrderByDescending(r => r.RestoredAt).ThenBy(r => r.AssetId, StringComparer.Ordinal).ToList();
    }
}
