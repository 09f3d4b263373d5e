using QlikBackup.Core.Assets;
using QlikBackup.Core.Storage;
using QlikBackup.Qlik.Contracts;

namespace QlikBackup.Core.Restore;

/// <summary>
/// Where a deleted app lives on: an app restored under a new id ends its old id's history with a Deleted point whose
/// <see cref="RecoveryPoint.RestoredAsId"/> names the new id. Planner and executor both follow it, so an app, or a published
/// copy's source app, restored by an earlier restore is found under its new id.
/// </summary>
internal static class AppLineage
{
    /// <summary>Hops followed at most (an app restored again and again); the chain cannot loop forever on a bad index.</summary>
    const int MaxHops = 8;

    /// <summary>The live app of <paramref name="appId"/>: itself, or the app it came back as; null when neither exists.</summary>
    public static async Task<QlikApp?> LiveAsync(IRecoveryPointIndex index, IQlikRestClient rest, string tenantId, string appId, CancellationToken ct)
    {
        if (await rest.GetAppAsync(appId, ct) is { } app) return app;
        string assetId = appId;
        for (int hop = 0; hop < MaxHops; hop++)
        {
            var newest = (await index.GetNewestAsync(tenantId, AssetKind.App, assetId, 1, ct)).FirstOrDefault();
            if (newest?.RestoredAsId is not { } next) return null;
            if (await rest.GetAppAsync(next, ct) is { } restored) return restored;
            assetId = next;
        }
        return null;
    }
}
