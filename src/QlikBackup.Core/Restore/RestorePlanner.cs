using System.Text.Json;
using Microsoft.Extensions.Options;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Capture;
using QlikBackup.Core.Storage;
using QlikBackup.Qlik.Contracts;

namespace QlikBackup.Core.Restore;

/// <summary>
/// Turns a restore request into a plan. Reads the index, the points' content and the live tenant; never writes to Qlik.
/// </summary>
internal sealed class RestorePlanner(
    IRecoveryPointIndex index, IContentStore store, IQlikRestClient rest, IQlikEngine engine,
    IOptions<RestoreOptions> options, ITenantContext tenant, TimeProvider time)
{
    // Primary-constructor parameters are not reachable from the nested Run class; these are.
    IRecoveryPointIndex Index => index;
    IContentStore Store => store;
    IQlikRestClient Rest => rest;
    IQlikEngine Engine => engine;
    RestoreOptions Options => options.Value;
    ITenantContext Tenant => tenant;

    public async Task<RestorePlan> PlanAsync(RestoreRequest request, CancellationToken ct)
    {
        Validate(request);
        var run = new Run(this, request, new PlanBuilder(Guid.NewGuid().ToString("N")));
        await using (run.Sessions)
        {
            await run.PlanAsync(ct);
        }
        var b = run.Builder;
        return new RestorePlan(b.RestoreId, request, b.Points, b.Actions, b.Checklist, b.Warnings, b.Targets, b.Attributions,
            time.GetUtcNow(), tenant.TenantId);
    }

    static void Validate(RestoreRequest r)
    {
        if (string.IsNullOrWhiteSpace(r.Operator))
            throw Bad("Operator is required", "Name the operator who asks for the restore; it is written to the audit log.");
        if (!Enum.IsDefined(r.Scope) || !Enum.IsDefined(r.Target))
            throw Bad("Invalid scope or target", $"Scope must be one of {string.Join(", ", Enum.GetNames<RestoreScope>())}; target one of {string.Join(", ", Enum.GetNames<RestoreTargetKind>())}.");
        if (r.Scope != RestoreScope.TenantConfig && string.IsNullOrWhiteSpace(r.PointId) && string.IsNullOrWhiteSpace(r.AssetId))
            throw Bad("No recovery point chosen", "Give pointId, or assetId (with incidentTime to pick the newest point captured before the incident).");
        if (r.Scope == RestoreScope.Object && string.IsNullOrWhiteSpace(r.ObjectId))
            throw Bad("ObjectId is required", "Object scope restores one object: give its qId, or \"script\" for the load script.");
        if (r.Target == RestoreTargetKind.ValidationSpace && r.Scope is RestoreScope.Object or RestoreScope.TenantConfig)
            throw Bad("Target not supported for this scope",
                $"{r.Scope} scope restores in place. To check an app first, restore it with App scope into a validation space.");
    }

    internal static RestoreRequestException Bad(string title, string detail) => new(400, title, detail);

    /// <summary>Capture files personal apps under "personal" and tenant configuration under "@tenant": no Qlik space.</summary>
    static string? RealSpace(string? spaceId)
        => spaceId is null or CaptureService.PersonalSpaceId or SpaceCaptureTarget.TenantConfigSpaceId ? null : spaceId;

    static RestoreRequestException NotFound(string title, string detail) => new(404, title, detail);

    /// <summary>One planning pass: the request, the plan being built, and read-only sessions and listings.</summary>
    sealed class Run(RestorePlanner p, RestoreRequest r, PlanBuilder b)
    {
        readonly ResourceListings _listings = new(p.Rest);
        readonly Dictionary<string, RestoreTarget> _plannedApps = new(StringComparer.Ordinal);

        public PlanBuilder Builder => b;
        public EngineSessions Sessions { get; } = new(p.Engine, forWrite: false);
        string TenantId => p.Tenant.TenantId;
        RestoreOptions O => p.Options;

        public async Task PlanAsync(CancellationToken ct)
        {
            if (r.Scope == RestoreScope.TenantConfig && r.PointId is null && r.AssetId is null)
            {
                await PlanTenantConfigAsync(ct);
                return;
            }
            var point = await ResolvePointAsync(ct);
            CheckScope(point);
            b.AddPoint(point);
            var content = await PointContent.LoadAsync(p.Store, point, ct);
            switch (r.Scope)
            {
                case RestoreScope.Object:
                    await PlanObjectAsync(content, ct);
                    break;
                case RestoreScope.App:
                    await PlanAppAsync(content, await ChooseAppTargetAsync(content.Point, ct), ct);
                    break;
                case RestoreScope.Space:
                    await PlanSpaceAsync(content, ct);
                    break;
                default:
                    await PlanResourceAsync(content, ct);
                    break;
            }
        }

        // ---- choosing the point -------------------------------------------------------------------------------

        async Task<RecoveryPoint> ResolvePointAsync(CancellationToken ct)
        {
            if (!string.IsNullOrWhiteSpace(r.PointId))
            {
                RecoveryPoint? found = RecoveryPointIds.TryParse(r.PointId, out _, out _, out _)
                    ? await p.Index.GetAsync(TenantId, r.PointId, ct)
                    : null;
                return found ?? throw NotFound("Recovery point not found", $"There is no recovery point '{r.PointId}' for tenant '{TenantId}'.");
            }

            AssetKind kind = r.Kind ?? r.Scope switch
            {
                RestoreScope.Object or RestoreScope.App => AssetKind.App,
                RestoreScope.Space => AssetKind.Space,
                _ => throw Bad("Kind is required", "With assetId and tenant-configuration scope, give the asset's kind (e.g. ReloadTask, Webhook)."),
            };
            string assetId = r.AssetId!;
            if (r.IncidentTime is not { } incident)
            {
                var newest = await p.Index.GetNewestAsync(TenantId, kind, assetId, O.MaxPointsScanned, ct);
                return newest.FirstOrDefault(x => x.Status == RecoveryPointStatus.Captured)
                    ?? throw NotFound("Recovery point not found", $"{kind} '{assetId}' has no captured recovery point.");
            }

            var before = await p.Index.QueryAsync(TenantId, new RecoveryPointQuery { Kind = kind, AssetId = assetId, To = incident, Take = O.MaxPointsScanned }, ct);
            var chosen = before.FirstOrDefault(x => x.CapturedAt < incident && x.Status == RecoveryPointStatus.Captured)
                ?? throw NotFound("Recovery point not found", $"{kind} '{assetId}' has no recovery point captured before {incident:u}.");
            var after = (await p.Index.QueryAsync(TenantId, new RecoveryPointQuery { Kind = kind, AssetId = assetId, From = incident, Take = O.MaxPointsScanned }, ct))
                .Where(x => x.CapturedAt >= incident && x.Status == RecoveryPointStatus.Captured)
                .OrderBy(x => x.CapturedAt)
                .ToList();
            if (after.Count > 0)
            {
                b.Warnings.Add($"{after.Count} point(s) of {kind} '{chosen.Name ?? assetId}' were captured at or after the incident ({incident:u}) and may contain it, so they were not chosen: "
                    + string.Join("; ", after.Select(x => $"{x.PointId} at {x.CapturedAt:u}" + (x.ChangedBy is null ? "" : $" (changed by {x.ChangedBy}{(x.ChangedFromClient is null ? "" : " via " + x.ChangedFromClient)})"))));
            }
            return chosen;
        }

        void CheckScope(RecoveryPoint point)
        {
            bool fits = r.Scope switch
            {
                RestoreScope.Object or RestoreScope.App => point.Kind == AssetKind.App,
                RestoreScope.Space => point.Kind == AssetKind.Space,
                _ => point.Kind is not (AssetKind.App or AssetKind.Space),
            };
            if (!fits)
            {
                string suggest = point.Kind switch { AssetKind.App => "App (or Object)", AssetKind.Space => "Space", _ => "TenantConfig" };
                throw Bad("Scope does not match the recovery point",
                    $"{r.Scope} scope cannot restore point '{point.PointId}', which is of a {point.Kind}; use {suggest} scope.");
            }
            if (r.Kind is { } k && k != point.Kind)
                throw Bad("Kind does not match the recovery point", $"The request names kind {k}, but point '{point.PointId}' is of a {point.Kind}.");
            if (r.Scope == RestoreScope.TenantConfig && r.Kinds is { Count: > 0 } kinds && !kinds.Contains(point.Kind))
                throw Bad("Kind does not match the recovery point", $"Point '{point.PointId}' is of a {point.Kind}, which is not among the requested kinds.");
        }

        // ---- object scope -------------------------------------------------------------------------------------

        async Task PlanObjectAsync(PointContent content, CancellationToken ct)
        {
            var point = content.Point;
            var app = await p.Rest.GetAppAsync(point.AssetId, ct)
                ?? throw NotFound("App not found", $"App '{point.Name ?? point.AssetId}' ({point.AssetId}) no longer exists; restore the whole app with App scope.");
            b.Targets.Add(new RestoreTarget(point.PointId, AssetKind.App, point.AssetId, point.Name, app.Id, app.SpaceId));
            var own = await Sessions.GetAsync(app.Id, null, ct);

            if (string.Equals(r.ObjectId, CapturePartNames.Script, StringComparison.OrdinalIgnoreCase))
            {
                if (!content.Has(CapturePartNames.Script))
                    throw NotFound("Object not in the recovery point", $"Point '{point.PointId}' holds no load script.");
                var same = SnapshotPart.OfText(await content.ReadTextAsync(CapturePartNames.Script, ct)).SameAs(SnapshotPart.OfText(await own.Engine.GetScriptAsync(ct)));
                b.Add(RestoreStep.Script, same ? RestoreActionKind.Skip : RestoreActionKind.Replace, point, AssetKind.App, point.AssetId, point.Name,
                    same ? "The live load script equals the point's." : "Replace the load script with the point's (reload the app to apply it).",
                    objectId: CapturePartNames.Script, part: CapturePartNames.Script);
                return;
            }

            var part = content.Objects.FirstOrDefault(o => o.QId == r.ObjectId)
                ?? throw NotFound("Object not in the recovery point",
                    $"Point '{point.PointId}' of app '{point.Name ?? point.AssetId}' holds no top-level object '{r.ObjectId}' (charts are restored with their sheet). "
                    + $"It holds: {string.Join(", ", content.Objects.Take(20).Select(o => o.QId))}{(content.Objects.Count() > 20 ? ", …" : "")}.");
            var session = await Sessions.GetAsync(app.Id, part.PrivateOwnerId, ct);
            var captured = await content.ReadJsonAsync(part.Part, ct);
            var (kind, why) = await CompareObjectAsync(session, part, captured, ct);
            b.Add(RestoreStep.Object, kind, point, AssetKind.App, point.AssetId, point.Name, why, objectId: part.QId, part: part.Part);
        }

        static async Task<(RestoreActionKind, string)> CompareObjectAsync(EngineSessions.Session session, ObjectPartName part, JsonElement captured, CancellationToken ct)
            => Decide(part, captured, await session.FindAsync(part.Class, part.QId, ct) is null ? null : await session.Engine.GetPropertiesAsync(part.Class, part.QId, ct));

        /// <summary>Create when the live app lacks the object, Skip when it equals the point's, else Replace (with the first differences).</summary>
        static (RestoreActionKind, string) Decide(ObjectPartName part, JsonElement captured, JsonElement? live)
        {
            string what = Describe(part, captured);
            if (live is not { } current) return (RestoreActionKind.Create, $"Create {what}, which the live app no longer has.");
            if (JsonTools.SameContent(current, captured)) return (RestoreActionKind.Skip, $"{Cap(what)} equals the point's.");
            var changes = JsonTools.Diff(captured, current);
            return (RestoreActionKind.Replace, $"Replace {what}: {changes.Count} difference(s), e.g. {string.Join("; ", changes.Take(3).Select(c => $"{c.Path}: {JsonTools.Short(c.New)} → {JsonTools.Short(c.Old)}"))}.");
        }

        static string Describe(ObjectPartName part, JsonElement props)
        {
            string type = LiveApp.QType(props) ?? part.Class.ToString();
            string title = JsonTools.GetString(props, "qProperty", "qMetaDef", "title") ?? JsonTools.GetString(props, "qMetaDef", "title")
                ?? JsonTools.GetString(props, "qName") ?? "";
            string owner = part.PrivateOwnerId is null ? "" : $", private to user {part.PrivateOwnerId}";
            return $"{type} {part.QId}{(title.Length > 0 ? $" '{title}'" : "")}{owner}";
        }

        static string Cap(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];

        // ---- app scope ----------------------------------------------------------------------------------------

        /// <summary>Where an app point goes: the live app (in place) or an import into a space.</summary>
        async Task<AppTarget> ChooseAppTargetAsync(RecoveryPoint point, CancellationToken ct)
        {
            if (r.Target == RestoreTargetKind.ValidationSpace)
                return AppTarget.Import(await ResolveTargetSpaceAsync(O.ValidationSpacePrefix + (point.Name ?? point.AssetId), null, ct), validation: true);
            var live = await p.Rest.GetAppAsync(point.AssetId, ct);
            if (live is not null) return AppTarget.InPlace(live);
            return AppTarget.Import(await ResolveTargetSpaceAsync(null, point, ct), validation: false);
        }

        /// <summary>
        /// The space an import goes to: the request's target space (by id or name; created only when asked), a validation
        /// space by its default name, or the app's original space. A missing space is a 404 unless creation was asked for.
        /// </summary>
        async Task<SpaceTarget> ResolveTargetSpaceAsync(string? defaultName, RecoveryPoint? originalOf, CancellationToken ct)
        {
            if (!string.IsNullOrWhiteSpace(r.TargetSpaceId))
            {
                var byId = await p.Rest.GetSpaceAsync(r.TargetSpaceId, ct)
                    ?? throw NotFound("Target space not found", $"Space '{r.TargetSpaceId}' does not exist. Give an existing space id, or targetSpaceName with createTargetSpace to create one.");
                return SpaceTarget.Existing(byId);
            }
            string? name = string.IsNullOrWhiteSpace(r.TargetSpaceName) ? defaultName : r.TargetSpaceName;
            if (name is null && originalOf is not null)
            {
                if (RealSpace(originalOf.SpaceId) is not { } originalId) return SpaceTarget.Personal;
                var original = await p.Rest.GetSpaceAsync(originalId, ct);
                if (original is not null) return SpaceTarget.Existing(original);
                name = originalOf.SpaceName ?? originalId;
                if (!r.CreateTargetSpace)
                    throw NotFound("Target space not found",
                        $"The app's space '{name}' ({originalOf.SpaceId}) no longer exists. Restore the space first (Space scope), name another target space, or set createTargetSpace to create an empty space named '{name}'.");
                b.Warnings.Add($"Space '{name}' is created empty for the app: its members are not restored (restore the space with Space scope to bring back its assignments).");
            }
            var existing = await _listings.FindSpaceByNameAsync(name!, ct);
            if (existing is not null) return SpaceTarget.Existing(existing);
            if (!r.CreateTargetSpace)
                throw NotFound("Target space not found", $"Space '{name}' does not exist. Set createTargetSpace to create it, or name an existing space.");
            var action = b.Add(RestoreStep.TargetSpace, RestoreActionKind.Create, null, AssetKind.Space, name!, name,
                $"Create shared space '{name}'.", key: name);
            return SpaceTarget.Created(action.Id, name!);
        }

        async Task PlanAppAsync(PointContent content, AppTarget target, CancellationToken ct)
        {
            b.Check(await content.ReadReconfigurationAsync(ct));
            if (target.Live is { } live) await PlanAppInPlaceAsync(content, live, ct);
            else await PlanAppImportAsync(content, target, ct);
        }

        async Task PlanAppImportAsync(PointContent content, AppTarget target, CancellationToken ct)
        {
            var point = content.Point;
            var space = target.Space!;
            if (!content.Has(CapturePartNames.Qvf))
                throw new RestoreRequestException(422, "Recovery point has no QVF",
                    $"Point '{point.PointId}' of app '{point.Name ?? point.AssetId}' was captured without its QVF, so the app cannot be recreated from it; choose another point.");
            string name = point.Name ?? point.AssetId;
            // Apps in managed spaces are published copies: import into the principal's personal space, then publish.
            bool managed = space.Type == "managed";
            var appTarget = new RestoreTarget(point.PointId, AssetKind.App, point.AssetId, name, null, managed ? null : space.Id,
                managed ? null : space.ActionId, target.Validation);
            b.Targets.Add(appTarget);
            _plannedApps[point.AssetId] = appTarget;
            b.Add(RestoreStep.ImportApp, RestoreActionKind.Create, point, AssetKind.App, point.AssetId, name,
                $"Import the point's QVF ({content.Manifest.Find(CapturePartNames.Qvf)!.Size:N0} bytes) as a new app '{name}' into {(managed ? "the restore principal's personal space" : space.Describe())}; Qlik assigns a new app id.",
                part: CapturePartNames.Qvf);

            foreach (var obj in OrderObjects(content.Objects))
            {
                if (obj.PrivateOwnerId is not null && target.Validation)
                {
                    b.Add(RestoreStep.Object, RestoreActionKind.Skip, point, AssetKind.App, point.AssetId, name,
                        $"Private object {obj.QId} of user {obj.PrivateOwnerId} stays out of the validation copy (private objects are restored in place only).",
                        objectId: obj.QId, part: obj.Part);
                    continue;
                }
                b.Add(RestoreStep.Object, RestoreActionKind.Create, point, AssetKind.App, point.AssetId, name,
                    obj.PrivateOwnerId is null
                        ? $"{obj.Class} {obj.QId}: comes with the QVF; checked against the point after the import (created or replaced if it differs)."
                        : $"Create private {obj.Class} {obj.QId} as its owner {obj.PrivateOwnerId} (impersonated Engine session); the QVF holds only shared content.",
                    objectId: obj.QId, part: obj.Part);
            }
            if (!content.Has(CapturePartNames.Objects) && content.Objects.Any(o => o.PrivateOwnerId is null))
                b.Check($"App '{name}': the point does not record who owned its shared objects; after the import they are owned by the restore principal (reassign them with change-owner if needed).");
            if (content.Has(CapturePartNames.Script))
                b.Add(RestoreStep.Script, RestoreActionKind.Create, point, AssetKind.App, point.AssetId, name,
                    "Load script: comes with the QVF; checked against the point after the import.", objectId: CapturePartNames.Script, part: CapturePartNames.Script);

            if (target.Validation)
            {
                foreach (var (part, kind) in LiveApp.AttachedParts)
                    if (content.Has(part))
                        b.Add(RestoreStep.ReloadTask, RestoreActionKind.Skip, point, kind, point.AssetId, name,
                            $"{part}: not attached to a validation copy (they would run against it); they come back when the app is restored in place.", part: part);
                return;
            }
            if (managed)
            {
                // Published before the owner changes: the source app sits in the principal's personal space, which only its owner can see.
                b.Add(RestoreStep.Publish, RestoreActionKind.Create, point, AssetKind.App, point.AssetId, name,
                    $"Publish the restored app into managed space {space.Describe()}.", objectId: space.Id ?? space.ActionId);
                b.Check($"App '{name}': the published copy was restored by importing a source app into the restore principal's personal space and publishing it; keep or delete that source app.");
            }
            await PlanOwnerAsync(point, content, null, ct);
            await PlanAttachedAsync(content, null, ct);
        }

        async Task PlanAppInPlaceAsync(PointContent content, QlikApp live, CancellationToken ct)
        {
            var point = content.Point;
            string name = point.Name ?? live.Name;
            var appTarget = new RestoreTarget(point.PointId, AssetKind.App, point.AssetId, name, live.Id, live.SpaceId);
            b.Targets.Add(appTarget);
            _plannedApps[point.AssetId] = appTarget;
            var owners = content.Objects.Select(o => o.PrivateOwnerId).OfType<string>();
            var now = await LiveApp.ReadAsync(Sessions, live, owners, _listings, ct);

            foreach (var obj in OrderObjects(content.Objects))
            {
                // The live app was read once above; an object missing from that read may still exist elsewhere in it (e.g. published since).
                var captured = await content.ReadJsonAsync(obj.Part, ct);
                var (kind, why) = now.Snapshot.Find(obj.Part)?.Json is { } current
                    ? Decide(obj, captured, current)
                    : await CompareObjectAsync(await Sessions.GetAsync(live.Id, obj.PrivateOwnerId, ct), obj, captured, ct);
                b.Add(RestoreStep.Object, kind, point, AssetKind.App, point.AssetId, name, why, objectId: obj.QId, part: obj.Part);
            }
            if (r.RemoveObjectsAddedSincePoint)
            {
                var capturedIds = content.Objects.Select(o => o.QId).ToHashSet(StringComparer.Ordinal);
                foreach (var (partName, info) in now.Objects)
                {
                    var obj = ObjectPartName.Parse(partName)!;
                    if (obj.PrivateOwnerId is not null || capturedIds.Contains(info.QId) || !LiveApp.RemovableTypes.Contains(info.QType)) continue;
                    if (now.Snapshot.Find(partName)?.Json is { } props && JsonTools.GetBool(props, "qIsScriptCreated")) continue;
                    b.Add(RestoreStep.DeleteObject, RestoreActionKind.Delete, point, AssetKind.App, point.AssetId, name,
                        $"Destroy {info.QType} {info.QId}: it was added after the point (owner {info.OwnerId ?? "none"}).", objectId: info.QId, part: partName);
                }
            }
            await PlanPartAsync(content, now.Snapshot, CapturePartNames.Script, RestoreStep.Script, "load script", ct);
            await PlanPartAsync(content, now.Snapshot, CapturePartNames.AppProperties, RestoreStep.AppProperties, "app properties", ct);
            await PlanOwnerAsync(point, content, live, ct);
            if (RealSpace(point.SpaceId) is { } pointSpace && pointSpace != live.SpaceId)
            {
                var space = await p.Rest.GetSpaceAsync(pointSpace, ct);
                if (space is null)
                    b.Warnings.Add($"App '{name}' was in space '{point.SpaceName ?? point.SpaceId}', which no longer exists; the app stays where it is.");
                else
                    b.Add(RestoreStep.AppSpace, RestoreActionKind.Replace, point, AssetKind.App, point.AssetId, name,
                        $"Move the app back to space '{space.Name}' (it is now in {(live.SpaceId is null ? "a personal space" : $"space {live.SpaceId}")}).", objectId: space.Id);
            }
            await PlanAttachedAsync(content, now, ct);
        }

        async Task PlanPartAsync(PointContent content, Snapshot live, string part, RestoreStep step, string what, CancellationToken ct)
        {
            if (!content.Has(part)) return;
            var captured = part == CapturePartNames.Script
                ? SnapshotPart.OfText(await content.ReadTextAsync(part, ct))
                : SnapshotPart.OfJson(part, await content.ReadJsonAsync(part, ct));
            bool same = live.Find(part) is { } l && l.SameAs(captured);
            var point = content.Point;
            b.Add(step, same ? RestoreActionKind.Skip : RestoreActionKind.Replace, point, AssetKind.App, point.AssetId, point.Name,
                same ? $"The live {what} equal the point's." : $"Replace the {what} with the point's.", objectId: part, part: part);
            if (!same && step == RestoreStep.Script)
                b.Check($"App '{point.Name ?? point.AssetId}': its load script is restored but the app is not reloaded; reload it so the data matches the script.");
        }

        async Task PlanOwnerAsync(RecoveryPoint point, PointContent content, QlikApp? live, CancellationToken ct)
        {
            string? owner = point.OwnerId;
            if (owner is null && await content.TryReadJsonAsync(CapturePartNames.App, ct) is { } app)
                owner = JsonTools.GetString(app, "attributes", "ownerId") ?? JsonTools.GetString(app, "ownerId");
            if (owner is null) return;
            string name = point.Name ?? point.AssetId;
            if (live?.OwnerId == owner)
            {
                b.Add(RestoreStep.AppOwner, RestoreActionKind.Skip, point, AssetKind.App, point.AssetId, name, $"The app is owned by {owner}, as at the point.", objectId: owner);
                return;
            }
            var user = (await _listings.ListAsync(QlikResourceKind.User, ct)).FirstOrDefault(u => u.Id == owner);
            if (user is null)
            {
                b.Add(RestoreStep.AppOwner, RestoreActionKind.Skip, point, AssetKind.App, point.AssetId, name,
                    $"Owner {owner} no longer exists; the app stays owned by the restore principal.", objectId: owner);
                b.Check($"App '{name}': its owner {owner} no longer exists; assign a new owner.");
                return;
            }
            b.Add(RestoreStep.AppOwner, RestoreActionKind.Replace, point, AssetKind.App, point.AssetId, name,
                $"Set the app owner to {user.Name ?? owner} ({owner}).", objectId: owner);
        }

        /// <summary>Reload tasks, data alerts and subscriptions kept with the app point: recreated with the app id remapped.</summary>
        async Task PlanAttachedAsync(PointContent content, LiveAppContent? live, CancellationToken ct)
        {
            var point = content.Point;
            foreach (var (part, kind) in LiveApp.AttachedParts)
            {
                if (await content.TryReadJsonAsync(part, ct) is not { ValueKind: JsonValueKind.Array } items) continue;
                var current = live?.Attached.GetValueOrDefault(part) ?? [];
                foreach (var item in items.EnumerateArray())
                {
                    string id = JsonTools.GetString(item, "id") ?? throw new InvalidDataException($"An item of part '{part}' of point '{point.PointId}' has no id.");
                    var normalized = SnapshotPart.OfJson(CapturePartNames.Resource, item);
                    var same = current.FirstOrDefault(c => c.Id == id) ?? current.FirstOrDefault(c => SnapshotPart.OfJson(CapturePartNames.Resource, c.Raw).SameAs(normalized));
                    string label = $"{kind} {id}{Schedule(item)}";
                    if (same is null)
                    {
                        b.Add(RestoreStep.ReloadTask, RestoreActionKind.Create, point, kind, point.AssetId, point.Name, $"Recreate {label} for the restored app.", objectId: id, part: part, key: $"{part}/{id}");
                        b.Check(ResourceShapes.Checklist(kind, id, item));
                    }
                    else if (SnapshotPart.OfJson(CapturePartNames.Resource, same.Raw).SameAs(normalized))
                        b.Add(RestoreStep.ReloadTask, RestoreActionKind.Skip, point, kind, point.AssetId, point.Name, $"{label} exists as at the point ({same.Id}).", objectId: id, part: part, key: $"{part}/{id}");
                    else
                        b.Add(RestoreStep.ReloadTask, RestoreActionKind.Replace, point, kind, point.AssetId, point.Name, $"Replace {label} with the point's settings.", objectId: id, part: part, key: $"{part}/{id}");
                }
            }
        }

        static string Schedule(JsonElement task)
            => task.TryGetProperty("recurrence", out var rec) && rec.ValueKind == JsonValueKind.Array
                ? $" ({string.Join(", ", rec.EnumerateArray().Select(x => x.GetString()))}{(JsonTools.GetString(task, "timeZone") is { } tz ? " " + tz : "")})"
                : "";

        static IEnumerable<ObjectPartName> OrderObjects(IEnumerable<ObjectPartName> objects)
            => objects.OrderBy(o => o.PrivateOwnerId is null ? 0 : 1).ThenBy(o => o.PrivateOwnerId, StringComparer.Ordinal)
                .ThenBy(o => o.Class).ThenBy(o => o.QId, StringComparer.Ordinal);

        // ---- space scope --------------------------------------------------------------------------------------

        async Task PlanSpaceAsync(PointContent content, CancellationToken ct)
        {
            var point = content.Point;
            var doc = await content.ReadJsonAsync(CapturePartNames.Resource, ct);
            string name = JsonTools.GetString(doc, "name") ?? point.Name ?? point.AssetId;
            string type = JsonTools.GetString(doc, "type") ?? "shared";
            bool validation = r.Target == RestoreTargetKind.ValidationSpace;
            SpaceTarget space;
            if (validation)
            {
                space = await ResolveTargetSpaceAsync(O.ValidationSpacePrefix + name, null, ct);
            }
            else
            {
                var live = await p.Rest.GetSpaceAsync(point.AssetId, ct) ?? await _listings.FindSpaceByNameAsync(name, ct);
                if (live is null)
                {
                    var action = b.Add(RestoreStep.Space, RestoreActionKind.Create, point, AssetKind.Space, point.AssetId, name,
                        $"Recreate {type} space '{name}'{(JsonTools.GetString(doc, "description") is { Length: > 0 } d ? $" (\"{d}\")" : "")}; Qlik assigns a new space id.", part: CapturePartNames.Resource);
                    space = SpaceTarget.Created(action.Id, name, type);
                }
                else
                {
                    bool same = live.Description == JsonTools.GetString(doc, "description") && live.Name == name
                        && (JsonTools.GetString(doc, "ownerId") is not { } o || o == live.OwnerId);
                    b.Add(RestoreStep.Space, same ? RestoreActionKind.Skip : RestoreActionKind.Replace, point, AssetKind.Space, point.AssetId, name,
                        same ? $"Space '{name}' exists as at the point ({live.Id})." : $"Set the name, description and owner of space '{live.Name}' ({live.Id}) to the point's.",
                        part: CapturePartNames.Resource);
                    space = SpaceTarget.Existing(live);
                }
            }
            b.Targets.Add(new RestoreTarget(point.PointId, AssetKind.Space, point.AssetId, name, space.Id, space.Id, space.ActionId, validation));
            await PlanAssignmentsAsync(content, space, validation, ct);

            // Every app the space held: the newest point of each app at the chosen time (the incident, or now).
            var apps = await NewestPerAssetAsync(new RecoveryPointQuery { Kind = AssetKind.App, SpaceId = point.AssetId, To = r.IncidentTime, Take = 1000 }, ct);
            foreach (var appPoint in apps)
            {
                b.AddPoint(appPoint);
                var appContent = await PointContent.LoadAsync(p.Store, appPoint, ct);
                var live = validation ? null : await p.Rest.GetAppAsync(appPoint.AssetId, ct);
                await PlanAppAsync(appContent, live is not null ? AppTarget.InPlace(live) : AppTarget.Import(space, validation), ct);
            }
            if (apps.Count == 0) b.Warnings.Add($"No app points were found for space '{name}'{(r.IncidentTime is { } t ? $" before {t:u}" : "")}.");

            if (validation) return;
            // Automations and connections that belong to the space.
            foreach (var kind in new[] { AssetKind.DataConnection, AssetKind.AutomationConnection, AssetKind.Automation })
            {
                foreach (var rp in await NewestPerAssetAsync(new RecoveryPointQuery { Kind = kind, SpaceId = point.AssetId, To = r.IncidentTime, Take = 1000 }, ct))
                {
                    b.AddPoint(rp);
                    await PlanResourceAsync(await PointContent.LoadAsync(p.Store, rp, ct), ct);
                }
            }
        }

        async Task PlanAssignmentsAsync(PointContent content, SpaceTarget space, bool validation, CancellationToken ct)
        {
            var point = content.Point;
            if (await content.TryReadJsonAsync(CapturePartNames.Assignments, ct) is not { ValueKind: JsonValueKind.Array } items) return;
            var live = new List<QlikSpaceAssignment>();
            if (space.Id is not null && !validation)
                await foreach (var a in p.Rest.ListSpaceAssignmentsAsync(space.Id, ct)) live.Add(a);
            foreach (var item in items.EnumerateArray())
            {
                string type = JsonTools.GetString(item, "type") ?? "user";
                string assignee = JsonTools.GetString(item, "assigneeId") ?? throw new InvalidDataException($"An assignment of point '{point.PointId}' has no assigneeId.");
                var roles = item.TryGetProperty("roles", out var rs) ? rs.EnumerateArray().Select(x => x.GetString()!).Order().ToList() : [];
                string label = $"{type} {assignee} as {string.Join("+", roles)}";
                string key = $"{type}:{assignee}";
                if (validation)
                {
                    b.Add(RestoreStep.Assignment, RestoreActionKind.Skip, point, AssetKind.Space, point.AssetId, point.Name, $"Assignment {label}: not copied to a validation space.", objectId: key);
                    continue;
                }
                var kind = type == "group" ? QlikResourceKind.Group : QlikResourceKind.User;
                if (!(await _listings.ListAsync(kind, ct)).Any(x => x.Id == assignee))
                {
                    b.Add(RestoreStep.Assignment, RestoreActionKind.Skip, point, AssetKind.Space, point.AssetId, point.Name, $"Assignment {label}: the {type} no longer exists.", objectId: key);
                    b.Check($"Space '{point.Name}': {type} {assignee} no longer exists; grant its roles ({string.Join(", ", roles)}) to whoever replaces it.");
                    continue;
                }
                var current = live.FirstOrDefault(a => a.AssigneeId == assignee && a.Type == type);
                var kindOf = current is null ? RestoreActionKind.Create
                    : current.Roles.Order().SequenceEqual(roles) ? RestoreActionKind.Skip : RestoreActionKind.Replace;
                b.Add(RestoreStep.Assignment, kindOf, point, AssetKind.Space, point.AssetId, point.Name,
                    kindOf switch
                    {
                        RestoreActionKind.Create => $"Assign {label}.",
                        RestoreActionKind.Skip => $"Assignment {label} exists.",
                        _ => $"Change the roles of {type} {assignee} from {string.Join("+", current!.Roles)} to {string.Join("+", roles)}.",
                    }, objectId: key);
            }
        }

        /// <summary>The newest point of each asset matching the query: as of <see cref="RestoreRequest.IncidentTime"/> when given
        /// (assets deleted by then stay deleted), else the newest captured one.</summary>
        async Task<IReadOnlyList<RecoveryPoint>> NewestPerAssetAsync(RecoveryPointQuery query, CancellationToken ct)
        {
            var points = await p.Index.QueryAsync(TenantId, query, ct);
            var chosen = new List<RecoveryPoint>();
            foreach (var group in points.GroupBy(x => x.AssetId))
            {
                var ordered = group.Where(x => r.IncidentTime is not { } t || x.CapturedAt < t).OrderByDescending(x => x.CapturedAt).ToList();
                if (ordered.Count == 0) continue;
                if (r.IncidentTime is not null && ordered[0].Status == RecoveryPointStatus.Deleted) continue;
                if (ordered.FirstOrDefault(x => x.Status == RecoveryPointStatus.Captured) is { } c) chosen.Add(c);
            }
            return chosen.OrderBy(x => ResourceShapes.Order(x.Kind)).ThenBy(x => x.Name, StringComparer.OrdinalIgnoreCase).ToList();
        }

        // ---- tenant configuration -----------------------------------------------------------------------------

        async Task PlanTenantConfigAsync(CancellationToken ct)
        {
            var kinds = r.Kinds is { Count: > 0 } k ? k : Enum.GetValues<AssetKind>().Where(x => x is not (AssetKind.App or AssetKind.Space)).ToList();
            var bad = kinds.Where(x => x is AssetKind.App or AssetKind.Space).ToList();
            if (bad.Count > 0)
                throw Bad("Scope does not match the kinds", $"Tenant-configuration scope does not restore {string.Join(", ", bad)}; use App or Space scope.");
            var points = new List<RecoveryPoint>();
            foreach (var kind in kinds.Distinct())
                points.AddRange(await NewestPerAssetAsync(new RecoveryPointQuery { Kind = kind, To = r.IncidentTime, Take = 1000 }, ct));
            if (points.Count == 0)
                throw NotFound("Recovery point not found", $"No captured points of {string.Join(", ", kinds)}{(r.IncidentTime is { } t ? $" before {t:u}" : "")}.");
            foreach (var rp in points.OrderBy(x => ResourceShapes.Order(x.Kind)))
            {
                b.AddPoint(rp);
                await PlanResourceAsync(await PointContent.LoadAsync(p.Store, rp, ct), ct);
            }
        }

        async Task PlanResourceAsync(PointContent content, CancellationToken ct)
        {
            var point = content.Point;
            var doc = await content.ReadJsonAsync(CapturePartNames.Resource, ct);
            string name = ResourceShapes.DisplayName(point.Kind, doc, point.Name ?? point.AssetId);
            b.Check(await content.ReadReconfigurationAsync(ct));
            if (point.Kind == AssetKind.ApiKey)
            {
                b.Add(RestoreStep.Resource, RestoreActionKind.Skip, point, point.Kind, point.AssetId, name, "API keys cannot be recreated with their token.", part: CapturePartNames.Resource);
                b.Check(ResourceShapes.Checklist(point.Kind, name, doc));
                return;
            }
            if (point.Kind == AssetKind.ReloadTask && JsonTools.GetString(doc, "appId") is { } appId
                && !_plannedApps.ContainsKey(appId) && await p.Rest.GetAppAsync(appId, ct) is null)
            {
                b.Add(RestoreStep.Resource, RestoreActionKind.Skip, point, point.Kind, point.AssetId, name,
                    $"Reload task {point.AssetId}: its app {appId} no longer exists; restore the app first (its point carries its reload tasks).", part: CapturePartNames.Resource);
                b.Warnings.Add($"Reload task {point.AssetId} was not planned: app {appId} no longer exists.");
                return;
            }
            var live = await _listings.FindAsync(point.Kind, point.AssetId, doc, null, ct);
            RestoreActionKind kind;
            string why;
            if (live is null)
            {
                (kind, why) = (RestoreActionKind.Create, $"Recreate {point.Kind} '{name}'{Schedule(doc)}; Qlik assigns a new id.");
            }
            else if (SnapshotPart.OfJson(CapturePartNames.Resource, live.Raw).SameAs(SnapshotPart.OfJson(CapturePartNames.Resource, doc)))
            {
                (kind, why) = (RestoreActionKind.Skip, $"{point.Kind} '{name}' exists as at the point ({live.Id}).");
            }
            else
            {
                var changes = JsonTools.Diff(ResourceShapes.Normalize(CapturePartNames.Resource, doc), ResourceShapes.Normalize(CapturePartNames.Resource, live.Raw));
                (kind, why) = (RestoreActionKind.Replace, $"Replace {point.Kind} '{name}' ({live.Id}): {string.Join("; ", changes.Take(3).Select(c => c.Path))}.");
            }
            b.Add(RestoreStep.Resource, kind, point, point.Kind, point.AssetId, name, why, objectId: live?.Id, part: CapturePartNames.Resource);
            b.Targets.Add(new RestoreTarget(point.PointId, point.Kind, point.AssetId, name, live?.Id, RealSpace(point.SpaceId)));
            if (kind != RestoreActionKind.Skip) b.Check(ResourceShapes.Checklist(point.Kind, name, doc));
        }
    }

    /// <summary>A space an import goes to: live (<see cref="Id"/>), created by an earlier action (<see cref="ActionId"/>), or personal (both null).</summary>
    internal sealed record SpaceTarget(string? Id, string? ActionId, string? Name, string? Type)
    {
        public static readonly SpaceTarget Personal = new(null, null, null, null);
        public static SpaceTarget Existing(QlikSpace s) => new(s.Id, null, s.Name, s.Type);
        public static SpaceTarget Created(string actionId, string name, string type = "shared") => new(null, actionId, name, type);
        public string Describe() => Name is null ? "the restore principal's personal space" : $"space '{Name}'" + (Id is null ? " (created by this restore)" : $" ({Id})");
    }

    internal sealed record AppTarget(QlikApp? Live, SpaceTarget? Space, bool Validation)
    {
        public static AppTarget InPlace(QlikApp live) => new(live, null, false);
        public static AppTarget Import(SpaceTarget space, bool validation) => new(null, space, validation);
    }
}
