using System.Text.Json;
using Microsoft.Extensions.Logging;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Capture;
using QlikBackup.Qlik.Contracts;

namespace QlikBackup.Core.Restore;

// Execution, tenant configuration resources (and connections/automations of a space): replaced in place or recreated.
internal sealed partial class RestoreExecutor
{
    sealed partial class Run
    {
        /// <summary>A live resource with exactly this content (what an interrupted attempt created), for kinds without a natural key.</summary>
        async Task<string?> FindEquivalentAsync(QlikResourceKind kind, JsonElement body, CancellationToken ct)
        {
            var wanted = SnapshotPart.OfJson(CapturePartNames.Resource, body);
            return (await _listings.ListAsync(kind, ct)).FirstOrDefault(r => SnapshotPart.OfJson(CapturePartNames.Resource, r.Raw).SameAs(wanted))?.Id;
        }

        async Task<(string?, string?)> ApplyResourceAsync(RestoreAction action, CancellationToken ct)
        {
            var content = await ContentAsync(action.PointId!, ct);
            var doc = await content.ReadJsonAsync(CapturePartNames.Resource, ct);
            var restKind = ResourceShapes.RestKind(action.AssetKind)!.Value;
            var body = ResourceShapes.Body(action.AssetKind, doc, _idMap);
            // Replace the resource found at planning, or one recognised now by id or natural key (an interrupted attempt's creation).
            string? liveId = action.ObjectId ?? (await _listings.FindAsync(action.AssetKind, action.AssetId, doc, _idMap, ct))?.Id;
            if (liveId is null && ResourceShapes.NaturalKey(action.AssetKind, doc) is null) liveId = await FindEquivalentAsync(restKind, body, ct);
            if (liveId is not null)
            {
                var live = await x.Rest.GetAsync(restKind, liveId, ct);
                if (live is null || !SnapshotPart.OfJson(CapturePartNames.Resource, live.Raw).SameAs(SnapshotPart.OfJson(CapturePartNames.Resource, body)))
                    await x.Rest.ReplaceAsync(restKind, liveId, body, ct);
                return (action.AssetId, liveId);
            }
            string created;
            if (action.AssetKind == AssetKind.Theme && content.Has(CapturePartNames.File))
            {
                await using var zip = await content.OpenAsync(CapturePartNames.File, ct);
                created = (await x.Rest.UploadThemeAsync(zip, $"{action.Name ?? action.AssetId}.zip", ct)).Id;
            }
            else
            {
                created = (await x.Rest.CreateAsync(restKind, body, ct)).Id;
            }
            _listings.Invalidate(restKind);
            return (action.AssetId, created);
        }
    }
}
