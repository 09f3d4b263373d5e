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
internal sealed partial class RestoreExecutor(
    IContentStore store, IQlikRestClient rest, IQlikEngine engine, IRecoveryPointIndex index, RestoreProgressStore progress,
    ITenantContext tenant, ILogger<RestoreExecutor> log, ISpaceTierStore? tiers = null, CapturedAssetCatalog? catalog = null)
{
    // Primary-constructor parameters are not reachable from the nested Run class; these are.
    IContentStore Store => store;
    IQlikRestClient Rest => rest;
    IQlikEngine Engine => engine;
    IRecoveryPointIndex Index => index;
    RestoreProgressStore Progress => progress;
    ITenantContext Tenant => tenant;
    ILogger Log => log;
    /// <summary>Registered with the capture engine; a host without it restores without carrying space tiers.</summary>
    ISpaceTierStore? Tiers => tiers;
    /// <summary>Registered with the capture engine; a host without it ends an old id's history in the index only.</summary>
    CapturedAssetCatalog? Catalog => catalog;

    public Task<RestoreResult> ExecuteAsync(RestorePlan plan, CancellationToken ct) => ExecuteAsync(plan, plan.Actions.Count, ct);

    /// <summary>
    /// Executes the plan's actions before index <paramref name="until"/> (a batch: the earlier ones are done already and skipped,
    /// any left undone are finished first). The lineage of restored ids is carried once the whole plan is done. The result
    /// names every action done so far.
    /// </summary>
    public async Task<RestoreResult> ExecuteAsync(RestorePlan plan, int until, CancellationToken ct)
    {
        if (plan.Request.DryRun) return new RestoreResult(plan.RestoreId, true, [], new Dictionary<string, string>(), null, null);
        var run = new Run(this, plan, await Progress.LoadAsync(plan.RestoreId, ct));
        await using (run.Sessions)
        {
            await run.ExecuteAsync(Math.Clamp(until, 0, plan.Actions.Count), ct);
        }
        return run.Result();
    }

    internal static bool IsEngineStep(RestoreStep? step) => step is RestoreStep.Object or RestoreStep.DeleteObject or RestoreStep.Script or RestoreStep.AppProperties;

    sealed partial class Run(RestoreExecutor x, RestorePlan plan, IReadOnlyDictionary<string, RestoreProgressRow> rows)
    {
        readonly Dictionary<string, RestoreProgressRow> _rows = new(rows, StringComparer.Ordinal);
        readonly Dictionary<string, string> _idMap = new(plan.Request.IdMap ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        readonly Dictionary<string, PointContent> _contents = new(StringComparer.Ordinal);
        readonly List<(string AppId, RestoreAction Action)> _pending = [];
        // Objects to give back to their owners, with the action that wrote each (a refusal is that action's checklist line).
        readonly List<(string AppId, string QId, string OwnerId, RestoreAction Action)> _owners = [];
        readonly List<RestoreAction> _done = [];
        // Manual steps found while executing (e.g. an owner Qlik refused), by action, kept in the progress rows so a retry reports them too.
        readonly Dictionary<string, string> _notes = new(StringComparer.Ordinal);
        string? _note;
        readonly ResourceListings _listings = new(x.Rest);
        readonly Dictionary<string, IReadOnlyDictionary<(EngineObjectClass, string), CapturedObjectInfo>?> _indexes = new(StringComparer.Ordinal);

        public EngineSessions Sessions { get; } = new(x.Engine, forWrite: true);
        string TenantId => plan.TenantId ?? x.Tenant.TenantId;

        public async Task ExecuteAsync(int until, CancellationToken ct)
        {
            foreach (var action in plan.Actions.Take(until))
            {
                if (action.Kind == RestoreActionKind.Skip) continue;
                if (_rows.TryGetValue(action.Id, out var row) && row.Done)
                {
                    Remember(row.OldId, row.CreatedId);
                    if (row.Note is not null) _notes[action.Id] = row.Note;
                    _done.Add(action);
                    continue;
                }
                if (IsEngineStep(action.Step))
                {
                    string appId = CurrentAppId(action);
                    await ApplyEngineAsync(action, appId, ct);
                    _pending.Add((appId, action));
                    continue;
                }
                await FlushAsync(ct);
                _note = null;
                var (oldId, createdId) = await ApplyAsync(action, ct);
                await x.Progress.MarkDoneAsync(plan.RestoreId, action.Id, oldId, createdId, ct, _note);
                if (_note is not null) _notes[action.Id] = _note;
                _rows[action.Id] = new RestoreProgressRow(action.Id, true, oldId, createdId, null, null, _note);
                Remember(oldId, createdId);
                _done.Add(action);
            }
            await FlushAsync(ct);
            if (until == plan.Actions.Count) await CarryLineageAsync(ct);
        }

        public RestoreResult Result()
        {
            var primary = plan.Targets?.FirstOrDefault();
            string? restored = primary is null ? null
                : _idMap.GetValueOrDefault(primary.AssetId) ?? primary.TargetAssetId
                    ?? (primary.TargetSpaceActionId is { } a ? _rows.GetValueOrDefault(a)?.CreatedId : null);
            return new RestoreResult(plan.RestoreId, true, _done, new Dictionary<string, string>(_idMap), restored, null, CreatedSpaceIds(),
                plan.Actions.Select(a => _notes.GetValueOrDefault(a.Id)).OfType<string>().SelectMany(n => n.Split('\n')).Distinct().ToList());
        }

        /// <summary>A manual step this action leaves to the operator: on the result's checklist.</summary>
        void Note(string line) => _note = _note is null ? line : $"{_note}\n{line}";

        /// <summary>Spaces this restore created: target and isolated spaces, and spaces recreated from a Space point.</summary>
        IReadOnlyList<string> CreatedSpaceIds()
        {
            return plan.Actions
                .Where(a => a.Step == RestoreStep.TargetSpace || (a.Step == RestoreStep.Space && a.Kind == RestoreActionKind.Create))
                .Select(a => _rows.GetValueOrDefault(a.Id)?.CreatedId).OfType<string>().Distinct().ToList();
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
            var refused = await GiveObjectsToOwnersAsync(ct);
            // Recorded together (Table batch transactions), not one request per object.
            await x.Progress.MarkDoneAsync(plan.RestoreId, _pending.Select(p => (p.Action.Id, refused.GetValueOrDefault(p.Action.Id))).ToList(), ct);
            foreach (var (_, action) in _pending)
            {
                if (refused.GetValueOrDefault(action.Id) is { } note) _notes[action.Id] = note;
                _done.Add(action);
            }
            _pending.Clear();
        }

        /// <summary>
        /// Qlik's change-owner action for every object written by the restore principal on another owner's behalf. A refusal (the owner
        /// is gone or may not own content there now) leaves the object with the restore principal and is never silent: it is a checklist
        /// line naming the object, its owner and the manual step, returned by the id of the action that wrote the object.
        /// </summary>
        async Task<Dictionary<string, string>> GiveObjectsToOwnersAsync(CancellationToken ct)
        {
            var refused = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (appId, qId, owner, action) in _owners)
            {
                try
                {
                    await x.Rest.ChangeAppObjectOwnerAsync(appId, qId, owner, ct);
                }
                catch (QlikApiException ex) when (ex.Status is >= 400 and < 500 and not 429)
                {
                    string who = await UserLabelAsync(owner, ct);
                    string line = $"Object {qId} of app '{action.Name ?? appId}' ({appId}) is owned by the restore principal, not by its owner {who}: "
                        + $"Qlik refused the change-owner (Qlik answered {ex.Status}). Manual step: make {who} able to own content in the app's space "
                        + $"(a member who may edit), then change the owner of object {qId} in app {appId} to {who}.";
                    refused[action.Id] = refused.TryGetValue(action.Id, out var earlier) ? $"{earlier}\n{line}" : line;
                    x.Log.LogWarning("Restore {RestoreId}: object {QId} of app {AppId} not given back to {Owner}: Qlik answered {Status}; on the checklist.",
                        plan.RestoreId, qId, appId, owner, ex.Status);
                }
            }
            _owners.Clear();
            return refused;
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

        // REST steps: each recorded as done with the id it created.
        async Task<(string? OldId, string? CreatedId)> ApplyAsync(RestoreAction action, CancellationToken ct)
        {
            switch (action.Step)
            {
                case RestoreStep.TargetSpace:
                    // Recorded as started, so a failed restore knows this space is its own to remove (planning saw no space of that name).
                    await x.Progress.MarkStartedAsync(plan.RestoreId, action.Id, ct);
                    return (null, await EnsureSpaceAsync(action.Name!, action.ObjectId ?? "shared",
                        $"Restored {(plan.Request.Target == RestoreTargetKind.Isolated ? "isolated copy" : "copies for validation")} (QlikBackup restore {plan.RestoreId}).", ct));
                case RestoreStep.OwnerMember:
                    await ApplyOwnerMemberAsync(action, ct);
                    return (null, null);
                case RestoreStep.Space:
                    return await ApplySpaceAsync(action, ct);
                case RestoreStep.Assignment:
                    await ApplyAssignmentAsync(action, ct);
                    return (null, null);
                case RestoreStep.NativeRestore:
                    return (null, await NativeRestoreAsync(action, ct));
                case RestoreStep.ImportApp:
                    return (action.AssetId, await ImportAsync(action, ct));
                case RestoreStep.AppOwner:
                    await x.Rest.ChangeAppOwnerAsync(CurrentAppId(action), InTarget(action.ObjectId)!, ct);
                    return (null, null);
                case RestoreStep.AppSpace:
                    await x.Rest.MoveAppToSpaceAsync(CurrentAppId(action), SpaceId(action.ObjectId)!, ct);
                    return (null, null);
                case RestoreStep.Publish:
                    return (action.AssetId, await PublishAsync(action, ct));
                case RestoreStep.Relink when NativeRestoredId(action.PointId) is not null:
                    // Back with its own id: the published copies never lost their source.
                    return (null, null);
                case RestoreStep.Relink:
                    // A republish is an overwrite: repeating it after a lost answer writes the same content again.
                    await x.Rest.RepublishAppAsync(CurrentAppId(action), action.ObjectId!, checkOriginAppId: false, ct: ct);
                    return (null, null);
                case RestoreStep.ReloadTask:
                    return await ApplyAttachedAsync(action, ct);
                case RestoreStep.Resource:
                    return await ApplyResourceAsync(action, ct);
                default:
                    throw new InvalidOperationException($"Action '{action.Id}' has no step the executor knows ({action.Step}).");
            }
        }
    }
}
