using System.Text.Json;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Capture;
using QlikBackup.Qlik.Contracts;

namespace QlikBackup.Core.Restore;

// Planning, app scope: where the app goes, then import or in-place actions, owner and attached tasks.
internal sealed partial class RestorePlanner
{
    sealed partial class Run
    {
        /// <summary>Where an app point goes: the live app (in place) or an import into a space.</summary>
        async Task<AppTarget> ChooseAppTargetAsync(PointContent content, CancellationToken ct)
        {
            var point = content.Point;
            if (r.Target == RestoreTargetKind.Isolated && PersonalInOtherTenant(point))
                return AppTarget.Import(SpaceTarget.Personal, validation: false, isolated: true);
            if (r.Target == RestoreTargetKind.Isolated)
                return AppTarget.Import(await IsolatedSpaceAsync(await WasPublishedAsync(content, ct) ? "managed" : "shared", ct), validation: false, isolated: true);
            if (r.Target == RestoreTargetKind.ValidationSpace)
                return AppTarget.Import(await ResolveTargetSpaceAsync(O.ValidationSpacePrefix + (point.Name ?? point.AssetId), null, ct), validation: true);
            var live = await LiveAppOfAsync(point, ct);
            if (live is not null)
            {
                WarnTargetSpaceUnused($"app '{live.Name}' exists, so it is restored in place in {await DescribeSpaceAsync(live.SpaceId, ct)}; restore with target ValidationSpace to put a copy into that space");
                return AppTarget.InPlace(live);
            }
            var space = await ResolveTargetSpaceAsync(null, point, ct);
            // Qlik's restore brings the app back only into its own space, so it is tried only when that is where it goes.
            bool ownSpace = space.ActionId is null && space.Id == RealSpace(point.SpaceId);
            return AppTarget.Import(space, validation: false) with { Native = ownSpace && await MayBeInSoftDeleteWindowAsync(point, ct) };
        }

        /// <summary>Qlik keeps a soft-deleted app until its purgeAt (reference §15), which capture records from Qlik's events on the
        /// Deleted point. Past it (or hard-deleted) Qlik's restore cannot succeed; within it, or with no record, it is worth asking.
        /// A Deleted point without purgeAt (the events were not readable) falls back on Qlik's documented 14 days.</summary>
        async Task<bool> MayBeInSoftDeleteWindowAsync(RecoveryPoint point, CancellationToken ct)
        {
            var newest = (await p.Index.GetNewestAsync(TenantId, AssetKind.App, point.AssetId, 1, ct)).FirstOrDefault();
            if (newest is not { Status: RecoveryPointStatus.Deleted }) return true;
            var deletedAt = newest.ChangedAt ?? newest.CapturedAt;
            var purgeAt = newest.PurgeAt ?? deletedAt + SoftDeleteWindow;
            if (purgeAt > p.Time.GetUtcNow()) return true;
            b.Warnings.Add(newest.PurgeAt is null
                ? $"App '{point.Name ?? point.AssetId}' was deleted at {deletedAt:u}, more than {SoftDeleteWindow.TotalDays:N0} days ago: past Qlik's soft-delete window, so it is imported with a new id."
                : newest.PurgeAt <= deletedAt
                    ? $"App '{point.Name ?? point.AssetId}' was hard-deleted at {deletedAt:u} (Qlik keeps no copy), so it is imported with a new id."
                    : $"App '{point.Name ?? point.AssetId}' was deleted at {deletedAt:u} and Qlik purged it at {purgeAt:u}: past its soft-delete window, so it is imported with a new id.");
            return false;
        }

        /// <summary>How long Qlik keeps a soft-deleted app when its purgeAt was not recorded (reference §15).</summary>
        static readonly TimeSpan SoftDeleteWindow = TimeSpan.FromDays(14);

        /// <summary>A validation space's name always carries Restore:ValidationSpacePrefix, so validation copies are recognisable.</summary>
        string ValidationName(string name) => name.StartsWith(O.ValidationSpacePrefix, StringComparison.OrdinalIgnoreCase) ? name : O.ValidationSpacePrefix + name;

        /// <summary>A target space the request names but this restore does not use is refused with a warning, never silently ignored.</summary>
        void WarnTargetSpaceUnused(string why)
        {
            string? named = !string.IsNullOrWhiteSpace(r.TargetSpaceId) ? $"targetSpaceId '{r.TargetSpaceId}'"
                : !string.IsNullOrWhiteSpace(r.TargetSpaceName) ? $"targetSpaceName '{r.TargetSpaceName}'" : null;
            if (named is not null) b.Warnings.Add($"{named} is not used: {why}.");
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
            string? name = string.IsNullOrWhiteSpace(r.TargetSpaceName) ? defaultName
                : r.Target == RestoreTargetKind.ValidationSpace ? ValidationName(r.TargetSpaceName.Trim()) : r.TargetSpaceName;
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
                managed ? null : space.ActionId, target.Validation, target.Isolated, space.Describe());
            b.Targets.Add(appTarget);
            _plannedApps[point.AssetId] = appTarget;
            if (target.Native)
                b.Add(RestoreStep.NativeRestore, RestoreActionKind.Create, point, AssetKind.App, point.AssetId, name,
                    $"Ask Qlik to restore the deleted app '{name}' with its own id {point.AssetId} in {space.Describe()} (Qlik keeps an app deleted after its first 45 minutes for 14 days); "
                    + "every link to the app stays valid. Then what Qlik does not bring back (data alerts, subscriptions) and anything that differs from the point is re-applied below. "
                    + "If Qlik answers that the app cannot be restored (deleted within 45 minutes of its creation, or purged), the QVF is imported instead.",
                    objectId: point.AssetId);
            b.Add(RestoreStep.ImportApp, RestoreActionKind.Create, point, AssetKind.App, point.AssetId, name,
                $"Import the point's QVF ({content.Manifest.Find(CapturePartNames.Qvf)!.Size:N0} bytes) as a new app '{name}' into {(managed ? "the restore principal's personal space" : space.Describe())}; Qlik assigns a new app id."
                + (target.Native ? " Only if Qlik's restore did not bring the app back; otherwise the following actions apply to the app Qlik restored." : ""),
                part: CapturePartNames.Qvf);
            if (target.Isolated && space != SpaceTarget.Personal) await PlanOwnerMembersAsync(point, content, space, ct);

            // In a managed space private objects belong in the published copy, so they are created after the publish.
            var objects = OrderObjects(content.Objects).ToList();
            foreach (var obj in objects.Where(o => !managed || o.PrivateOwnerId is null))
                if (target.Validation || await OwnerPresentAsync(point, name, obj, ct)) PlanImportedObject(point, name, obj, target.Validation);
            if (!content.Has(CapturePartNames.Objects) && content.Objects.Any(o => o.PrivateOwnerId is null))
                b.Check($"App '{name}': the point does not record who owned its shared objects; after the import they are owned by the restore principal (reassign them with change-owner if needed).");
            if (content.Has(CapturePartNames.Script))
                b.Add(RestoreStep.Script, RestoreActionKind.Create, point, AssetKind.App, point.AssetId, name,
                    "Load script: comes with the QVF; checked against the point after the import.", objectId: CapturePartNames.Script, part: CapturePartNames.Script);
            if (target.Native)
            {
                // Qlik's restore brings the app back as it was at deletion, which may be later than the point.
                if (content.Has(CapturePartNames.AppProperties))
                    b.Add(RestoreStep.AppProperties, RestoreActionKind.Replace, point, AssetKind.App, point.AssetId, name,
                        "App properties: written from the point (the app Qlik restores is as it was at deletion).", objectId: CapturePartNames.AppProperties, part: CapturePartNames.AppProperties);
                b.Check($"App '{name}': Qlik deletes an app's tags, notes and collection memberships with it and its restore does not bring them back; the recovery point does not record them, so add them again by hand.");
            }

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
                // Into another tenant an isolated copy is linked to its source when that was rebuilt there too (RestoreRequest.IdMap).
                string? origin = target.Isolated && r.IdMap is null ? null : await LiveOriginAsync(content, ct);
                b.Add(RestoreStep.Publish, RestoreActionKind.Create, point, AssetKind.App, point.AssetId, name,
                    $"Publish the restored app into managed space {space.Describe()}"
                    + (origin is not null ? $", linked to its source app {origin}; the imported app is moved away by the publish."
                        : target.Isolated ? "; the imported app is moved away by the publish (the isolated copy has no source app)." : ".")
                    + " Every object gets back its publish state and owner.", objectId: space.Id ?? space.ActionId);
                if (origin is null && !target.Isolated)
                    b.Check($"App '{name}': its source app no longer exists, so the published copy was restored from a source app imported into the restore principal's personal space; move that app to the space its source lived in, or delete it.");
                foreach (var obj in objects.Where(o => o.PrivateOwnerId is not null))
                    if (await OwnerPresentAsync(point, name, obj, ct)) PlanImportedObject(point, name, obj, validation: false);
            }
            await PlanOwnerAsync(point, content, null, ct);
            await PlanAttachedAsync(content, null, ct, target.Isolated);
            if (!target.Isolated && !managed) await PlanRelinkAsync(point, name, ct);
        }

        /// <summary>
        /// Published copies still linked to the deleted source app (their originAppId is its old id) are relinked to the restored app
        /// by republishing it over them (Qlik's republish with checkOriginAppId false): base content from the restored source,
        /// community and private content of the copy kept.
        /// </summary>
        async Task PlanRelinkAsync(RecoveryPoint point, string name, CancellationToken ct)
        {
            await foreach (var item in p.Rest.ListItemsAsync("app", null, ct))
            {
                if (JsonTools.GetString(item.Raw, "resourceAttributes", "originAppId") != point.AssetId) continue;
                b.Add(RestoreStep.Relink, RestoreActionKind.Replace, point, AssetKind.App, point.AssetId, name,
                    $"Relink published copy '{item.Name}' ({item.ResourceId}) to the restored app: republish it over the copy (its base content from the restored app; community and private content stay).",
                    objectId: item.ResourceId, key: $"relink/{item.ResourceId}");
            }
        }

        void PlanImportedObject(RecoveryPoint point, string name, ObjectPartName obj, bool validation)
        {
            if (obj.PrivateOwnerId is not null && validation)
            {
                b.Add(RestoreStep.Object, RestoreActionKind.Skip, point, AssetKind.App, point.AssetId, name,
                    $"Private object {obj.QId} of user {obj.PrivateOwnerId} stays out of the validation copy (private objects are restored in place only).",
                    objectId: obj.QId, part: obj.Part);
                return;
            }
            b.Add(RestoreStep.Object, RestoreActionKind.Create, point, AssetKind.App, point.AssetId, name,
                obj.PrivateOwnerId is null
                    ? $"{obj.Class} {obj.QId}: comes with the QVF; checked against the point after the import (created or replaced if it differs)."
                    : $"Create private {obj.Class} {obj.QId} as its owner {obj.PrivateOwnerId} (impersonated Engine session); the QVF holds only shared content.",
                objectId: obj.QId, part: obj.Part);
        }

        /// <summary>The live source app of a published copy's point (the app part's originAppId, or the app it came back as), or null when it is gone.</summary>
        async Task<string?> LiveOriginAsync(PointContent content, CancellationToken ct)
        {
            string? origin = await content.ReadAppAttributeAsync("originAppId", ct);
            if (origin is null) return null;
            // Into another tenant the id map names the origin's copy there (the executor maps the id again); here, its lineage.
            if (r.IdMap is { Count: > 0 }) return await p.Rest.GetAppAsync(InTarget(origin), ct) is not null ? origin : null;
            return (await AppLineage.LiveAsync(p.Index, p.Rest, TenantId, origin, ct))?.Id;
        }

        async Task PlanAppInPlaceAsync(PointContent content, QlikApp live, CancellationToken ct)
        {
            var point = content.Point;
            string name = point.Name ?? live.Name;
            var appTarget = new RestoreTarget(point.PointId, AssetKind.App, point.AssetId, name, live.Id, live.SpaceId, TargetSpace: await DescribeSpaceAsync(live.SpaceId, ct));
            b.Targets.Add(appTarget);
            _plannedApps[point.AssetId] = appTarget;
            var owners = content.Objects.Select(o => o.PrivateOwnerId).OfType<string>();
            var now = await LiveApp.ReadAsync(Sessions, live, owners, _listings, ct);
            var index = await content.ReadObjectIndexAsync(ct);

            foreach (var obj in OrderObjects(content.Objects))
            {
                // The live app was read once above; an object missing from that read may still exist elsewhere in it (e.g. published since).
                var captured = await content.ReadJsonAsync(obj.Part, ct);
                var (kind, why) = now.Snapshot.Find(obj.Part)?.Json is { } current
                    ? Decide(obj, captured, current)
                    : await CompareObjectAsync(await Sessions.GetAsync(live.Id, obj.PrivateOwnerId, ct), obj, captured, ct);
                // Same properties, yet handed to another owner or (un)published since the point: written again, its state re-applied.
                if (kind == RestoreActionKind.Skip && obj.PrivateOwnerId is null && index?.GetValueOrDefault((obj.Class, obj.QId)) is { } was
                    && now.Objects.GetValueOrDefault(obj.Part) is { } info && (was.OwnerId != info.OwnerId || was.Published != info.Published || was.Approved != info.Approved))
                    (kind, why) = (RestoreActionKind.Replace, $"{why[..^1]}, but its owner or publish state changed since the point "
                        + $"(owner {info.OwnerId} → {was.OwnerId}, published {info.Published} → {was.Published}, approved {info.Approved} → {was.Approved}).");
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
            var user = (await _listings.ListAsync(QlikResourceKind.User, ct)).FirstOrDefault(u => u.Id == InTarget(owner));
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
        async Task PlanAttachedAsync(PointContent content, LiveAppContent? live, CancellationToken ct, bool isolated = false)
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
                    if (isolated && kind != AssetKind.ReloadTask)
                    {
                        b.Add(RestoreStep.ReloadTask, RestoreActionKind.Skip, point, kind, point.AssetId, point.Name,
                            $"{label}: not attached to an isolated copy (it would notify its recipients about the copy).", objectId: id, part: part, key: $"{part}/{id}");
                        continue;
                    }
                    if (isolated)
                    {
                        b.Add(RestoreStep.ReloadTask, RestoreActionKind.Create, point, kind, point.AssetId, point.Name,
                            $"Recreate {label} for the isolated copy, Disabled so it never reloads the copy.", objectId: id, part: part, key: $"{part}/{id}");
                        continue;
                    }
                    if (same is null)
                    {
                        b.Add(RestoreStep.ReloadTask, RestoreActionKind.Create, point, kind, point.AssetId, point.Name, $"Recreate {label} for the restored app.", objectId: id, part: part, key: $"{part}/{id}");
                        b.Check(ResourceShapes.Checklist(kind, id, item));
                        await CheckOwnerAsync(kind, id, item, ct);
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
    }
}
