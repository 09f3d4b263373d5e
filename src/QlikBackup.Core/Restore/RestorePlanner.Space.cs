using System.Text.Json;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Capture;
using QlikBackup.Core.Storage;
using QlikBackup.Qlik.Contracts;

namespace QlikBackup.Core.Restore;

// Planning, space scope: the space, its assignments, its apps, connections and automations.
internal sealed partial class RestorePlanner
{
    sealed partial class Run
    {
        async Task PlanSpaceAsync(PointContent content, CancellationToken ct)
        {
            var point = content.Point;
            var doc = await content.ReadJsonAsync(CapturePartNames.Resource, ct);
            string name = JsonTools.GetString(doc, "name") ?? point.Name ?? point.AssetId;
            string type = JsonTools.GetString(doc, "type") ?? "shared";
            bool validation = r.Target == RestoreTargetKind.ValidationSpace;
            bool isolated = r.Target == RestoreTargetKind.Isolated;
            SpaceTarget space;
            if (isolated)
            {
                space = await IsolatedSpaceAsync(type, ct);
            }
            else if (validation)
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
            b.Targets.Add(new RestoreTarget(point.PointId, AssetKind.Space, point.AssetId, name, space.Id, space.Id, space.ActionId, validation, isolated, space.Describe()));
            await PlanAssignmentsAsync(content, space, validation, ct);

            // Every app the space held: the newest point of each app at the chosen time (the incident, or now).
            var apps = await NewestPerAssetAsync(new RecoveryPointQuery { Kind = AssetKind.App, SpaceId = point.AssetId, To = r.IncidentTime, Take = 1000 }, ct);
            var planned = apps.Select(a => a.AssetId).ToHashSet(StringComparer.Ordinal);
            foreach (var appPoint in apps)
            {
                if (!validation && !isolated && await ContinuedAsAsync(appPoint, ct) is { } newId && planned.Contains(newId))
                {
                    // Restored earlier under a new id, whose history (refiled under it) is planned here: once is enough.
                    b.Warnings.Add($"App '{appPoint.Name ?? appPoint.AssetId}' ({appPoint.AssetId}) was restored earlier as {newId}; it is restored once, as that app.");
                    continue;
                }
                b.AddPoint(appPoint);
                var appContent = await PointContent.LoadAsync(p.Store, appPoint, ct);
                var live = validation || isolated ? null : await LiveAppOfAsync(appPoint, ct);
                await PlanAppAsync(appContent, live is not null ? AppTarget.InPlace(live) : await SpaceAppImportAsync(appPoint, space, validation, isolated, ct), ct);
            }
            if (apps.Count == 0) b.Warnings.Add($"No app points were found for space '{name}'{(r.IncidentTime is { } t ? $" before {t:u}" : "")}.");

            if (validation || isolated)
            {
                if (isolated) b.Warnings.Add($"The isolated copy of space '{name}' holds its apps and members; its data connections, automation connections and automations are not copied (automations would run).");
                return;
            }
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

        /// <summary>
        /// A deleted app of a space goes back as the app restore does it: Qlik's own restore first (same id, every link valid) when the
        /// space is the app's own, live, and the app is not past its purgeAt; Qlik restores an app only into its own space, so a
        /// recreated space (new id) or a copy gets the import.
        /// </summary>
        async Task<AppTarget> SpaceAppImportAsync(RecoveryPoint appPoint, SpaceTarget space, bool validation, bool isolated, CancellationToken ct)
        {
            var target = AppTarget.Import(space, validation, isolated);
            bool ownSpace = !validation && !isolated && space.ActionId is null && space.Id is not null && space.Id == RealSpace(appPoint.SpaceId);
            return ownSpace && await MayBeInSoftDeleteWindowAsync(appPoint, ct) ? target with { Native = true } : target;
        }

        /// <summary>The id an app's history continues under (its newest point is Deleted, restored as that id), or null.</summary>
        async Task<string?> ContinuedAsAsync(RecoveryPoint appPoint, CancellationToken ct)
            => (await p.Index.GetNewestAsync(TenantId, AssetKind.App, appPoint.AssetId, 1, ct)).FirstOrDefault()?.RestoredAsId;

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
                string? liveAssignee = type == "group"
                    ? await RecreatedGroups.LiveIdAsync(assignee, _listings, p.Index, p.Store, TenantId, ct)
                    : (await _listings.ListAsync(QlikResourceKind.User, ct)).Any(x => x.Id == InTarget(assignee)) ? InTarget(assignee) : null;
                if (liveAssignee is null)
                {
                    b.Add(RestoreStep.Assignment, RestoreActionKind.Skip, point, AssetKind.Space, point.AssetId, point.Name, $"Assignment {label}: the {type} no longer exists.", objectId: key);
                    b.Check($"Space '{point.Name}': {type} {assignee} no longer exists; grant its roles ({string.Join(", ", roles)}) to whoever replaces it.");
                    continue;
                }
                if (liveAssignee != assignee) label += $" (recreated as {liveAssignee})";
                var current = live.FirstOrDefault(a => a.AssigneeId == liveAssignee && a.Type == type);
                var kindOf = current is null ? RestoreActionKind.Create
                    : current.Roles.Order().SequenceEqual(roles) ? RestoreActionKind.Skip : RestoreActionKind.Replace;
                b.Add(RestoreStep.Assignment, kindOf, point, AssetKind.Space, point.AssetId, point.Name,
                    kindOf switch
                    {
                        RestoreActionKind.Create => $"Assign {label}.",
                        RestoreActionKind.Skip => $"Assignment {label} exists.",
                        _ => $"Change the roles of {type} {liveAssignee} from {string.Join("+", current!.Roles)} to {string.Join("+", roles)}.",
                    }, objectId: key);
            }
        }

        /// <summary>The newest point of each asset matching the query: as of <see cref="RestoreRequest.IncidentTime"/> when given
        /// (assets deleted by then stay deleted), else the newest captured one.</summary>
        async Task<IReadOnlyList<RecoveryPoint>> NewestPerAssetAsync(RecoveryPointQuery query, CancellationToken ct)
        {
            var points = await p.Index.QueryAllAsync(TenantId, query, ct);
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
    }
}
