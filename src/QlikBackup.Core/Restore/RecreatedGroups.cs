using QlikBackup.Core.Assets;
using QlikBackup.Core.Capture;
using QlikBackup.Core.Storage;
using QlikBackup.Qlik.Contracts;

namespace QlikBackup.Core.Restore;

/// <summary>
/// A group Qlik recreated with a new id (an earlier restore of tenant configuration): found by the name its old id had in its newest
/// captured point, so a space restored later assigns the group that is there now instead of dropping the assignment.
/// </summary>
internal static class RecreatedGroups
{
    public static async Task<string?> LiveIdAsync(string capturedId, ResourceListings listings, IRecoveryPointIndex index, IContentStore store,
        string tenantId, CancellationToken ct)
    {
        var groups = await listings.ListAsync(QlikResourceKind.Group, ct);
        if (groups.Any(g => g.Id == capturedId)) return capturedId;
        var point = (await index.GetNewestAsync(tenantId, AssetKind.Group, capturedId, 10, ct)).FirstOrDefault(p => p.Status == RecoveryPointStatus.Captured);
        if (point is null) return null;
        var doc = await (await PointContent.LoadAsync(store, point, ct)).ReadJsonAsync(CapturePartNames.Resource, ct);
        string? name = JsonTools.GetString(doc, "name");
        return name is null ? null : groups.FirstOrDefault(g => string.Equals(JsonTools.GetString(g.Raw, "name"), name, StringComparison.OrdinalIgnoreCase))?.Id;
    }
}
