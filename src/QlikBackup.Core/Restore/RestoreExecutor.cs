using System.Text.Json;
using Microsoft.Extensions.Logging;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Capture;
using QlikBackup.Core.Storage;
using QlikBackup.Qlik.Contracts;

namespace QlikBackup.Core.Restore;

/// <summary>
/// Applies a plan, action by action, in plan order. Idempotent: finished actions (rows in <see cref="RestoreProgressStore"/>)
/// are skipped and their created ids reused; Engine writes are upserts; creations first look for what an interrupted
/// attempt may already have created. Throws on failure so the caller's retry policy runs it again.
/// </summary>
internal sealed class RestoreExecutor(
    IContentStore store, IQlikRestClient rest, IQlikEngine engine, IRecoveryPointIndex index, RestoreProgressStore progress,
    ITenantContext tenant, ILogger<RestoreExecutor> log)
{
    // Primary-constructor parameters are not reachable from the nested Run class; these are.
    IContentStore Store => store;
    IQlikRestClient Rest => rest;
    IQlikEngine Engine => engine;
    IRecoveryPointIndex Index => index;
    RestoreProgressStore Progress => progress;
    ITenantContext Tenant => tenant;
    ILogger Log => log;

    public async Task<RestoreResult> ExecuteAsync(RestorePlan plan, CancellationToken ct)
    {
        if (plan.Request.DryRun) return new RestoreResult(plan.RestoreId, true, [], new Dictionary<string, string>(), null, null);
        var run = new Run(this, plan, await Progress.LoadAsync(plan.RestoreId, ct));
        await using (run.Sessions)
        {
            await run.ExecuteAsync(ct);
        }
        return run.Result();
    }

    static bool IsEngineStep(RestoreStep? step) => step is RestoreStep.Object or RestoreStep.DeleteObject or RestoreStep.Script or RestoreStep.AppProperties;

    sealed class Run(RestoreExecutor x, RestorePlan plan, IReadOnlyDictionary<string, RestoreProgressRow> rows)
    {
        readonly Dictionary<string, RestoreProgressRow> _rows = new(rows, StringComparer.Ordinal);
        readonly Dictionary<string, string> _idMap = new(StringComparer.Ordinal);
        readonly Dictionary<string, PointContent> _contents = new(StringComparer.Ordinal);
        readonly List<(string AppId, RestoreAction Action)> _pending = [];
        readonly List<(string AppId, string QId, string OwnerId)> _owners = [];
        readonly List<RestoreAction> _done = [];
        readonly ResourceListings _listings = new(x.Rest);
        readonly Dictionary<string, IReadOnlyDictionary<(EngineObjectClass, string), CapturedObjectInfo>?> _indexes = new(StringComparer.Ordinal);

        public EngineSessions Sessions { get; } = new(x.Engine, forWrite: true);
        string TenantId => plan.TenantId ?? x.Tenant.TenantId;

        public async Task ExecuteAsync(CancellationToken ct)
        {
            foreach (var action in plan.Actions)
            {
                if (action.Kind == RestoreActionKind.Skip) continue;
                if (_rows.TryGetValue(action.Id, out var row) && row.Done)
                {
                    Remember(row.OldId, row.CreatedId);
                    _done.Add(action);
                    continue;
                }
                if (IsEngineStep(action.Step))
                {
                    string appId = AppId(Target(action));
                    await ApplyEngineAsync(action, appId, ct);
                    _pending.Add((appId, action));
                    continue;
                }
                await FlushAsync(ct);
                var (oldId, createdId) = await ApplyAsync(action, ct);
                await x.Progress.MarkDoneAsync(plan.RestoreId, action.Id, oldId, createdId, ct);
                _rows[action.Id] = new RestoreProgressRow(action.Id, true, oldId, createdId, null, null);
                Remember(oldId, createdId);
                _done.Add(action);
            }
            await FlushAsync(ct);
        }

        public RestoreResult Result()
        {
            var primary = plan.Targets?.FirstOrDefault();
            string? restored = primary is null ? null
                : _idMap.GetValueOrDefault(primary.AssetId) ?? primary.TargetAssetId
                    ?? (primary.TargetSpaceActionId is { } a ? _rows.GetValueOrDefault(a)?.CreatedId : null);
            return new RestoreResult(plan.RestoreId, true, _done, new Dictionary<string, string>(_idMap), restored, null);
        }

        void Remember(string? oldId, string? createdId)
        {
            if (oldId is not null && createdId is not null) _idMap[oldId] = createdId;
        }

        /// <summary>Saves the apps written by pending Engine actions, then records those actions as done.</summary>
        async Task FlushAsync(CancellationToken ct)
        {
            if (_pending.Count == 0) return;
            foreach (var appId in _pending.Select(p => p.AppId).Distinct()) await Sessions.SaveAsync(appId, ct);
            foreach (var (appId, qId, owner) in _owners)
            {
                try
                {
                    await x.Rest.ChangeAppObjectOwnerAsync(appId, qId, owner, ct);
                }
                catch (QlikApiException ex) when (ex.Status is >= 400 and < 500 and not 429)
                {
                    // The user is gone or may not own it any more: the object stays with the restore principal.
                    x.Log.LogWarning("Restore {RestoreId}: object {QId} of app {AppId} not given back to {Owner}: Qlik answered {Status}.", plan.RestoreId, qId, appId, owner, ex.Status);
                }
            }
            _owners.Clear();
            foreach (var (_, action) in _pending)
            {
                await x.Progress.MarkDoneAsync(plan.RestoreId, action.Id, null, null, ct);
                _done.Add(action);
            }
            _pending.Clear();
        }

        RestoreTarget Target(RestoreAction action)
            => plan.Targets?.FirstOrDefault(t => t.PointId == action.PointId)
                ?? throw new InvalidOperationException($"Plan {plan.RestoreId} has no target for action '{action.Id}'.");

        /// <summary>The live app a target writes into: the existing app, or the one imported by this restore.</summary>
        string AppId(RestoreTarget t)
        {
            if (t.TargetAssetId is not null) return t.TargetAssetId;
            var import = plan.Actions.FirstOrDefault(a => a.Step == RestoreStep.ImportApp && a.PointId == t.PointId);
            return import is not null && _rows.GetValueOrDefault(import.Id) is { Done: true, CreatedId: { } id }
                ? id
                : throw new InvalidOperationException($"App '{t.Name ?? t.AssetId}' has not been imported yet by restore {plan.RestoreId}.");
        }

        /// <summary>The app that now stands for the point's app: the published copy once published, else the written app.</summary>
        string CurrentAppId(RestoreAction action) => _idMap.GetValueOrDefault(action.AssetId) ?? AppId(Target(action));

        /// <summary>A live space id, or the id of the space created by an earlier action of this plan; null = personal space.</summary>
        string? SpaceId(string? idOrActionId)
        {
            if (idOrActionId is null) return null;
            if (plan.Actions.Any(a => a.Id == idOrActionId))
                return _rows.GetValueOrDefault(idOrActionId)?.CreatedId
                    ?? throw new InvalidOperationException($"The space of action '{idOrActionId}' has not been created yet.");
            return _idMap.GetValueOrDefault(idOrActionId) ?? idOrActionId;
        }

        string? SpaceId(RestoreTarget t) => SpaceId(t.TargetSpaceActionId ?? t.TargetSpaceId);

        async Task<PointContent> ContentAsync(string pointId, CancellationToken ct)
        {
            if (_contents.TryGetValue(pointId, out var c)) return c;
            var point = plan.Points.FirstOrDefault(p => p.PointId == pointId)
                ?? await x.Index.GetAsync(TenantId, pointId, ct)
                ?? throw new InvalidOperationException($"Recovery point '{pointId}' of plan {plan.RestoreId} no longer exists.");
            return _contents[pointId] = await PointContent.LoadAsync(x.Store, point, ct);
        }

        // ---- Engine steps (upserts; saved and recorded together by FlushAsync) ---------------------------------

        async Task ApplyEngineAsync(RestoreAction action, string appId, CancellationToken ct)
        {
            var content = await ContentAsync(action.PointId!, ct);
            switch (action.Step)
            {
                case RestoreStep.Object:
                {
                    var part = ObjectPartName.Parse(action.Part!) ?? throw new InvalidOperationException($"'{action.Part}' is not an object part.");
                    var session = await Sessions.GetAsync(appId, part.PrivateOwnerId, ct);
                    var (kind, qId) = await session.UpsertAsync(part.Class, part.QId, await content.ReadJsonAsync(part.Part, ct), ct);
                    if (qId != part.QId)
                        x.Log.LogWarning("Restore {RestoreId}: {Class} {QId} was created as {NewQId} in app {AppId} (its qId is taken).", plan.RestoreId, part.Class, part.QId, qId, appId);
                    if (part.PrivateOwnerId is null && part.Class != EngineObjectClass.Variable)
                        await RestoreSharedStateAsync(content, session, part, kind, appId, qId, ct);
                    break;
                }
                case RestoreStep.DeleteObject:
                {
                    var part = ObjectPartName.Parse(action.Part!) ?? throw new InvalidOperationException($"'{action.Part}' is not an object part.");
                    await (await Sessions.GetAsync(appId, null, ct)).DestroyAsync(part.Class, part.QId, ct);
                    break;
                }
                case RestoreStep.Script:
                    await (await Sessions.GetAsync(appId, null, ct)).SetScriptAsync(await content.ReadTextAsync(CapturePartNames.Script, ct), ct);
                    break;
                case RestoreStep.AppProperties:
                    await (await Sessions.GetAsync(appId, null, ct)).SetAppPropertiesAsync(await content.ReadJsonAsync(CapturePartNames.AppProperties, ct), ct);
                    break;
            }
        }

        /// <summary>
        /// A shared object's publish state and owner: as the "objects" part recorded them; without it, an object created anew is
        /// published (it was visible to the backup principal, so it was shared) and keeps the restore principal as owner.
        /// </summary>
        async Task RestoreSharedStateAsync(PointContent content, EngineSessions.Session session, ObjectPartName part, RestoreActionKind kind,
            string appId, string qId, CancellationToken ct)
        {
            if (!_indexes.TryGetValue(content.Point.PointId, out var index))
                _indexes[content.Point.PointId] = index = await content.ReadObjectIndexAsync(ct);
            var meta = index?.GetValueOrDefault((part.Class, part.QId));
            if (meta is null && kind != RestoreActionKind.Create) return;
            try
            {
                await session.SetPublishStateAsync(part.Class, qId, meta?.Published ?? true, meta?.Approved ?? false, ct);
            }
            catch (NotSupportedException)
            {
                x.Log.LogWarning("Restore {RestoreId}: the Engine session cannot set the publish state of {QId}.", plan.RestoreId, qId);
            }
            if (meta?.OwnerId is { } owner && (await session.FindAsync(part.Class, qId, ct))?.OwnerId != owner) _owners.Add((appId, qId, owner));
        }

        // ---- REST steps (each recorded as done with the id it created) -----------------------------------------

        async Task<(string? OldId, string? CreatedId)> ApplyAsync(RestoreAction action, CancellationToken ct)
        {
            switch (action.Step)
            {
                case RestoreStep.TargetSpace:
                    return (null, await EnsureSpaceAsync(action.Name!, "shared", $"Restored copies for validation (QlikBackup restore {plan.RestoreId}).", ct));
                case RestoreStep.Space:
                    return await ApplySpaceAsync(action, ct);
                case RestoreStep.Assignment:
                    await ApplyAssignmentAsync(action, ct);
                    return (null, null);
                case RestoreStep.ImportApp:
                    return (action.AssetId, await ImportAsync(action, ct));
                case RestoreStep.AppOwner:
                    await x.Rest.ChangeAppOwnerAsync(CurrentAppId(action), action.ObjectId!, ct);
                    return (null, null);
                case RestoreStep.AppSpace:
                    await x.Rest.MoveAppToSpaceAsync(CurrentAppId(action), SpaceId(action.ObjectId)!, ct);
                    return (null, null);
                case RestoreStep.Publish:
                    return (action.AssetId, await PublishAsync(action, ct));
                case RestoreStep.ReloadTask:
                    return await ApplyAttachedAsync(action, ct);
                case RestoreStep.Resource:
                    return await ApplyResourceAsync(action, ct);
                default:
                    throw new InvalidOperationException($"Action '{action.Id}' has no step the executor knows ({action.Step}).");
            }
        }

        /// <summary>Finds the space by name (space names are unique in Qlik, so an earlier attempt's space is found again) or creates it.</summary>
        async Task<string> EnsureSpaceAsync(string name, string type, string? description, CancellationToken ct)
        {
            if (await _listings.FindSpaceByNameAsync(name, ct) is { } existing) return existing.Id;
            try
            {
                return (await x.Rest.CreateSpaceAsync(name, type, description, ct)).Id;
            }
            catch (QlikApiException ex) when (ex.Status == 409)
            {
                _listings.InvalidateSpaces();
                if (await _listings.FindSpaceByNameAsync(name, ct) is { } raced) return raced.Id;
                throw;
            }
        }

        async Task<(string?, string?)> ApplySpaceAsync(RestoreAction action, CancellationToken ct)
        {
            var doc = await (await ContentAsync(action.PointId!, ct)).ReadJsonAsync(CapturePartNames.Resource, ct);
            string name = JsonTools.GetString(doc, "name") ?? action.Name!;
            string? description = JsonTools.GetString(doc, "description");
            string? owner = JsonTools.GetString(doc, "ownerId");
            if (owner is not null && !(await _listings.ListAsync(QlikResourceKind.User, ct)).Any(u => u.Id == owner)) owner = null;
            string id = action.Kind == RestoreActionKind.Create
                ? await EnsureSpaceAsync(name, JsonTools.GetString(doc, "type") ?? "shared", description, ct)
                : Target(action).TargetAssetId!;
            if (action.Kind == RestoreActionKind.Replace || owner is not null)
                await x.Rest.UpdateSpaceAsync(id, name, description, owner, ct);
            return (action.AssetId, id);
        }

        async Task ApplyAssignmentAsync(RestoreAction action, CancellationToken ct)
        {
            string spaceId = SpaceId(Target(action)) ?? throw new InvalidOperationException("An assignment needs a space.");
            var items = await (await ContentAsync(action.PointId!, ct)).ReadJsonAsync(CapturePartNames.Assignments, ct);
            string key = action.ObjectId ?? throw new InvalidOperationException($"Assignment action '{action.Id}' names no assignee.");
            string type = key[..key.IndexOf(':')];
            string assignee = key[(key.IndexOf(':') + 1)..];
            var item = items.EnumerateArray().First(i => (JsonTools.GetString(i, "type") ?? "user") == type && JsonTools.GetString(i, "assigneeId") == assignee);
            var roles = item.GetProperty("roles").EnumerateArray().Select(r => r.GetString()!).ToList();
            await foreach (var live in x.Rest.ListSpaceAssignmentsAsync(spaceId, ct))
            {
                if (live.AssigneeId != _idMap.GetValueOrDefault(assignee, assignee) || live.Type != type) continue;
                if (live.Roles.Order().SequenceEqual(roles.Order())) return;
                await x.Rest.DeleteSpaceAssignmentAsync(spaceId, live.Id, ct);
            }
            await x.Rest.CreateSpaceAssignmentAsync(spaceId, type, _idMap.GetValueOrDefault(assignee, assignee), roles, ct);
        }

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
