using System.Text.Json;
using Microsoft.Extensions.Logging;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Capture;
using QlikBackup.Qlik.Contracts;

namespace QlikBackup.Core.Restore;

// Execution, apps: import, publish, and the reload tasks, data alerts and subscriptions kept with an app point.
internal sealed partial class RestoreExecutor
{
    sealed partial class Run
    {
        async Task<string> ImportAsync(RestoreAction action, CancellationToken ct)
        {
            var target = Target(action);
            string? spaceId = SpaceId(target);
            string name = action.Name ?? action.AssetId;
            var started = await x.Progress.MarkStartedAsync(plan.RestoreId, action.Id, ct);
            if (started.StartedAt is { } since && await FindAppCreatedSinceAsync(name, spaceId, since, ct) is { } adopted)
            {
                x.Log.LogInformation("Restore {RestoreId}: adopting app {AppId} imported by an interrupted attempt.", plan.RestoreId, adopted);
                return adopted;
            }
            var content = await ContentAsync(action.PointId!, ct);
            await using var qvf = await content.OpenAsync(CapturePartNames.Qvf, ct);
            return (await x.Rest.ImportAppAsync(qvf, spaceId, name, ct)).Id;
        }

        /// <summary>An app named <paramref name="name"/> in the space, created after <paramref name="since"/> (an interrupted import's result).</summary>
        async Task<string?> FindAppCreatedSinceAsync(string name, string? spaceId, DateTimeOffset since, CancellationToken ct)
        {
            await foreach (var item in x.Rest.ListItemsAsync("app", spaceId ?? "personal", ct))
            {
                if (!string.Equals(item.Name, name, StringComparison.Ordinal)) continue;
                var app = await x.Rest.GetAppAsync(item.ResourceId, ct);
                var created = app is null ? null : JsonTools.GetString(app.Raw, "attributes", "createdDate") ?? JsonTools.GetString(app.Raw, "createdDate");
                // A minute of slack for clock skew between this host and Qlik.
                if (created is not null && DateTimeOffset.TryParse(created, out var at) && at >= since.AddMinutes(-1)) return app!.Id;
            }
            return null;
        }

        async Task<string> PublishAsync(RestoreAction action, CancellationToken ct)
        {
            string appId = AppId(Target(action));
            string spaceId = SpaceId(action.ObjectId) ?? throw new InvalidOperationException("Publishing needs a managed space.");
            var started = await x.Progress.MarkStartedAsync(plan.RestoreId, action.Id, ct);
            string? publishedId = null;
            if (started.StartedAt is not null)
            {
                await foreach (var item in x.Rest.ListItemsAsync("app", spaceId, ct))
                    if (await x.Rest.GetAppAsync(item.ResourceId, ct) is { } published && published.OriginAppId == appId) publishedId = published.Id;
            }
            publishedId ??= (await x.Rest.PublishAppAsync(appId, spaceId, action.Name, ct)).Id;
            await CopyPublishStateAsync(appId, publishedId, ct);
            return publishedId;
        }

        /// <summary>
        /// Publishing makes every object approved base content; the source app still has each object's state from the QVF
        /// (community sheets published but not approved), so the copy gets those states back.
        /// </summary>
        async Task CopyPublishStateAsync(string sourceId, string publishedId, CancellationToken ct)
        {
            var source = await Sessions.GetAsync(sourceId, null, ct);
            var copy = await Sessions.GetAsync(publishedId, null, ct);
            foreach (var info in (await source.ListAsync(ct)).Where(i => i.Class != EngineObjectClass.Variable))
                await copy.SetPublishStateAsync(info.Class, info.QId, info.Published, info.Approved, ct);
            await Sessions.SaveAsync(publishedId, ct);
        }

        /// <summary>A reload task (data alert, subscription) kept with an app point, recreated for the restored app.</summary>
        async Task<(string?, string?)> ApplyAttachedAsync(RestoreAction action, CancellationToken ct)
        {
            var items = await (await ContentAsync(action.PointId!, ct)).ReadJsonAsync(action.Part!, ct);
            var item = items.EnumerateArray().First(i => JsonTools.GetString(i, "id") == action.ObjectId);
            var restKind = ResourceShapes.RestKind(action.AssetKind)!.Value;
            var body = ResourceShapes.Body(action.AssetKind, item, _idMap);
            if (action.Kind == RestoreActionKind.Replace)
            {
                await x.Rest.ReplaceAsync(restKind, action.ObjectId!, body, ct);
                return (null, null);
            }
            string id = await FindEquivalentAsync(restKind, body, ct) ?? (await x.Rest.CreateAsync(restKind, body, ct)).Id;
            _listings.Invalidate(restKind);
            return (action.ObjectId, id);
        }
    }
}
