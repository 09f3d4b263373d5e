using System.Text.Json;
using System.Text.Json.Nodes;
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
        /// <summary>
        /// Qlik's restore of a soft-deleted app: back with its own id, as it was at deletion. Null when Qlik answers it is not
        /// restorable (then the import runs) — unless the app is live again, restored by an attempt whose answer was lost.
        /// Objects added after the point are destroyed like an in-place restore does; the following actions write the point's.
        /// </summary>
        async Task<string?> NativeRestoreAsync(RestoreAction action, CancellationToken ct)
        {
            string appId = action.ObjectId ?? action.AssetId;
            QlikApp? restored;
            try
            {
                restored = await x.Rest.RestoreDeletedAppAsync(appId, ct) ?? await x.Rest.GetAppAsync(appId, ct);
            }
            catch (QlikApiException ex) when (ex.Status == 403)
            {
                Note($"App '{action.Name ?? appId}': Qlik refused to restore it with its own id (403: only a Tenant Admin, or its owner with delete permission in its space, may); it was imported with a new id instead.");
                return null;
            }
            if (restored is null)
            {
                x.Log.LogInformation("Restore {RestoreId}: app {AppId} is not restorable by Qlik (hard-deleted or purged); importing its QVF.", plan.RestoreId, appId);
                return null;
            }
            if (plan.Request.RemoveObjectsAddedSincePoint) await RemoveObjectsAddedSincePointAsync(await ContentAsync(action.PointId!, ct), restored.Id, ct);
            return restored.Id;
        }

        /// <summary>Shared user content of the restored app that the point does not hold (added between the point and the deletion).</summary>
        async Task RemoveObjectsAddedSincePointAsync(PointContent content, string appId, CancellationToken ct)
        {
            var captured = content.Objects.Select(o => o.QId).ToHashSet(StringComparer.Ordinal);
            var session = await Sessions.GetAsync(appId, null, ct);
            // Published objects only (others' private content is not visible; the principal's own is not removed); variables may be
            // created by the script, so they stay.
            var added = (await session.ListAsync(ct)).Where(i => i.Published && i.Class != EngineObjectClass.Variable
                && LiveApp.RemovableTypes.Contains(i.QType) && !captured.Contains(i.QId)).ToList();
            foreach (var info in added) await session.DestroyAsync(info.Class, info.QId, ct);
            if (added.Count > 0) await Sessions.SaveAsync(appId, ct);
        }

        /// <summary>The app Qlik's restore brought back for this point (same id), or null when it did not (or was not asked).</summary>
        string? NativeRestoredId(string? pointId)
            => plan.Actions.FirstOrDefault(a => a.Step == RestoreStep.NativeRestore && a.PointId == pointId) is { } native
               && _rows.GetValueOrDefault(native.Id) is { Done: true, CreatedId: { } id } ? id : null;

        async Task<string> ImportAsync(RestoreAction action, CancellationToken ct)
        {
            var target = Target(action);
            string? spaceId = SpaceId(target);
            string name = action.Name ?? action.AssetId;
            if (NativeRestoredId(action.PointId) is { } restored)
            {
                // Qlik restored the app as at deletion: its description is put back to the point's like an import's.
                await RestoreDescriptionAsync(await ContentAsync(action.PointId!, ct), restored, name, ct);
                return restored;
            }
            var started = await x.Progress.MarkStartedAsync(plan.RestoreId, action.Id, ct);
            if (started.StartedAt is { } since && await FindAppCreatedSinceAsync(name, spaceId, since, ct) is { } adopted)
            {
                x.Log.LogInformation("Restore {RestoreId}: adopting app {AppId} imported by an interrupted attempt.", plan.RestoreId, adopted);
                await RestoreDescriptionAsync(await ContentAsync(action.PointId!, ct), adopted, name, ct);
                return adopted;
            }
            var content = await ContentAsync(action.PointId!, ct);
            string id;
            await using (var qvf = await content.OpenAsync(CapturePartNames.Qvf, ct))
                id = (await x.Rest.ImportAppAsync(qvf, spaceId, name, ct)).Id;
            await RestoreDescriptionAsync(content, id, name, ct);
            return id;
        }

        /// <summary>An import takes no description (Qlik's import names the app only), so it is set from the point afterwards.</summary>
        async Task RestoreDescriptionAsync(PointContent content, string appId, string name, CancellationToken ct)
        {
            if (await content.ReadAppAttributeAsync("description", ct) is { } description
                && await x.Rest.GetAppAsync(appId, ct) is { } app && (app.Description != description || app.Name != name))
                await x.Rest.UpdateAppAsync(appId, name, description, ct);
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

        /// <summary>
        /// Publishes the imported app into its managed space. When the copy's real source app (the point's originAppId, remapped)
        /// still exists, the copy is linked to it and the imported app is moved away by the publish, so nothing is left in the
        /// restore principal's personal space. Then every object gets back its publish state and owner as the point recorded them.
        /// </summary>
        async Task<string> PublishAsync(RestoreAction action, CancellationToken ct)
        {
            // Qlik's restore brought the published app back in its managed space; the object actions that follow re-apply the point.
            if (NativeRestoredId(action.PointId) is { } restored) return restored;
            string appId = AppId(Target(action));
            string spaceId = SpaceId(action.ObjectId) ?? throw new InvalidOperationException("Publishing needs a managed space.");
            var content = await ContentAsync(action.PointId!, ct);
            bool isolated = Target(action).Isolated;
            string? origin = isolated && plan.Request.IdMap is null ? null : await LiveOriginAsync(content, appId, ct);
            var index = await ObjectIndexAsync(content, ct);
            var started = await x.Progress.MarkStartedAsync(plan.RestoreId, action.Id, ct);
            string? publishedId = null;
            if (started.StartedAt is not null)
            {
                await foreach (var item in x.Rest.ListItemsAsync("app", spaceId, ct))
                    if (await x.Rest.GetAppAsync(item.ResourceId, ct) is { } published && published.Name == action.Name
                        && (published.OriginAppId == appId || (origin is not null && published.OriginAppId == origin))) publishedId = published.Id;
            }
            // Without the point's object index the source app's states are the reference; read them before a publish may move it away.
            var sourceStates = index is null && publishedId is null ? await (await Sessions.GetAsync(appId, null, ct)).ListAsync(ct) : null;
            // An isolated copy keeps no source app behind: the publish moves the imported app away.
            bool move = origin is not null || isolated;
            publishedId ??= (await x.Rest.PublishAppAsync(appId, spaceId, action.Name, originAppId: origin, moveApp: move, ct: ct)).Id;
            await RestorePublishedStateAsync(action, content, publishedId, index, sourceStates, ct);
            return publishedId;
        }

        /// <summary>The live app a published copy's point names as its source (remapped, or found by lineage, if it came back with a new id); null if gone.</summary>
        async Task<string?> LiveOriginAsync(PointContent content, string importedId, CancellationToken ct)
        {
            if (await content.ReadAppAttributeAsync("originAppId", ct) is not { } origin) return null;
            origin = _idMap.GetValueOrDefault(origin, origin);
            // A source app restored by an earlier restore (new id) is found through its lineage.
            string? live = (await AppLineage.LiveAsync(x.Index, x.Rest, TenantId, origin, ct))?.Id;
            return live != importedId ? live : null;
        }

        async Task<IReadOnlyDictionary<(EngineObjectClass, string), CapturedObjectInfo>?> ObjectIndexAsync(PointContent content, CancellationToken ct)
        {
            if (!_indexes.TryGetValue(content.Point.PointId, out var index))
                _indexes[content.Point.PointId] = index = await content.ReadObjectIndexAsync(ct);
            return index;
        }

        /// <summary>
        /// Publishing makes every object approved base content owned by the publisher; the point's object index (or the source
        /// app's states from the QVF) says which were community content and who owned each, so the copy gets both back.
        /// </summary>
        async Task RestorePublishedStateAsync(RestoreAction action, PointContent content, string publishedId, IReadOnlyDictionary<(EngineObjectClass, string), CapturedObjectInfo>? index,
            IReadOnlyList<EngineObjectInfo>? sourceStates, CancellationToken ct)
        {
            var copy = await Sessions.GetAsync(publishedId, null, ct);
            // Top-level objects only: charts follow their sheet's state.
            var topLevel = content.Objects.Where(o => o.PrivateOwnerId is null).Select(o => (o.Class, o.QId)).ToHashSet();
            var live = await copy.ListAsync(ct);
            foreach (var info in live.Where(i => i.Class != EngineObjectClass.Variable && topLevel.Contains((i.Class, i.QId))))
            {
                var (published, approved, owner) = index?.GetValueOrDefault((info.Class, info.QId)) is { } m ? (m.Published, m.Approved, m.OwnerId)
                    : sourceStates?.FirstOrDefault(s => s.Class == info.Class && s.QId == info.QId) is { } s ? (s.Published, s.Approved, null)
                    : (info.Published, info.Approved, (string?)null);
                await copy.SetPublishStateAsync(info.Class, info.QId, published, approved, ct);
                if (InTarget(owner) is { } mapped && mapped != info.OwnerId) _owners.Add((publishedId, info.QId, mapped, action));
            }
            await Sessions.SaveAsync(publishedId, ct);
            foreach (var line in (await GiveObjectsToOwnersAsync(ct)).Values) Note(line);
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
            string id;
            if (Target(action).Isolated && restKind == QlikResourceKind.ReloadTask)
            {
                // An isolated copy's task must never reload the copy. Qlik's POST /reload-tasks takes no state (qlik-cloud-api.md: its body
                // is appId, timeZone, recurrence, start/end, partial, autoReload*, type) and creates every task Enabled, so it cannot be
                // created Disabled in one request. It is created with no trigger at all (no recurrence, no auto reload), so nothing can
                // start it while it is Enabled, then its schedule comes back together with state Disabled in one PUT.
                var disabled = JsonTools.With(body, "state", "Disabled");
                var triggerless = JsonTools.With(JsonTools.With(JsonTools.With(body, "recurrence", new JsonArray()), "autoReload", false), "autoReloadPartial", false);
                id = await FindEquivalentAsync(restKind, disabled, ct) ?? await FindEquivalentAsync(restKind, triggerless, ct)
                    ?? await CreateOwnedAsync(action.AssetKind, restKind, item, triggerless, ct);
                await x.Rest.ReplaceAsync(restKind, id, disabled, ct);
            }
            else
            {
                id = await FindEquivalentAsync(restKind, body, ct) ?? await CreateOwnedAsync(action.AssetKind, restKind, item, body, ct);
            }
            _listings.Invalidate(restKind);
            return (action.ObjectId, id);
        }
    }
}
