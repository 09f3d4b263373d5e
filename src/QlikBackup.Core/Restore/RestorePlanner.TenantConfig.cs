using System.Text.Json;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Capture;
using QlikBackup.Core.Storage;
using QlikBackup.Qlik.Contracts;

namespace QlikBackup.Core.Restore;

// Planning, tenant configuration: resources by kind, matched to live ones.
internal sealed partial class RestorePlanner
{
    sealed partial class Run
    {
        async Task PlanTenantConfigAsync(CancellationToken ct)
        {
            WarnTargetSpaceUnused("tenant configuration is restored where it was");
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
            // The checklist wording is ResourceShapes.Checklist's alone: the capture's own "reconfiguration" lines would repeat it.
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
            var space = await ResourceSpaceAsync(point, ct);
            if (space is { Id: null, ActionId: null })
            {
                // Qlik refuses a resource in a space that does not exist (400); the space's own restore brings it back with it.
                b.Add(RestoreStep.Resource, RestoreActionKind.Skip, point, point.Kind, point.AssetId, name,
                    $"{point.Kind} '{name}': its space '{point.SpaceName ?? point.SpaceId}' no longer exists; restoring the space (Space scope) brings it back.", part: CapturePartNames.Resource);
                b.Warnings.Add($"{point.Kind} '{name}' was not planned: its space '{point.SpaceName ?? point.SpaceId}' ({point.SpaceId}) no longer exists; restore the space.");
                return;
            }
            var live = await _listings.FindAsync(point.Kind, point.AssetId, doc, null, ct);
            if (point.Kind == AssetKind.Group && live is null && !ResourceShapes.CanCreateGroup(doc))
            {
                PlanIdentityProviderGroup(point, name, doc);
                return;
            }
            if (point.Kind == AssetKind.User) await CheckUserGroupsAsync(name, doc, ct);
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
            b.Targets.Add(new RestoreTarget(point.PointId, point.Kind, point.AssetId, name, live?.Id, space?.Id, space?.ActionId, TargetSpace: space?.Describe()));
            if (kind != RestoreActionKind.Skip) b.Check(ResourceShapes.Checklist(point.Kind, name, doc));
            if (kind == RestoreActionKind.Create) await CheckOwnerAsync(point.Kind, name, doc, ct);
            if (kind == RestoreActionKind.Create && point.Kind == AssetKind.Group) await PlanGroupAssignmentsAsync(point, name, ct);
        }

        /// <summary>The space a resource goes back to: the one this plan recreates for it, the live one, or none (its space is gone).</summary>
        async Task<SpaceTarget?> ResourceSpaceAsync(RecoveryPoint point, CancellationToken ct)
        {
            if (RealSpace(point.SpaceId) is not { } spaceId) return null;
            if (b.Actions.FirstOrDefault(a => a.Step == RestoreStep.Space && a.AssetId == spaceId && a.Kind == RestoreActionKind.Create) is { } recreate)
                return SpaceTarget.Created(recreate.Id, recreate.Name ?? spaceId);
            // Into another tenant (a standby drill) the space has that tenant's id: the id map names it.
            if (await _listings.FindSpaceAsync(InTarget(spaceId), ct) is { } live) return SpaceTarget.Existing(live);
            return new SpaceTarget(null, null, $"{point.SpaceName ?? spaceId} (deleted; restore the space first)", null);
        }

        async Task<string> DescribeSpaceAsync(string? spaceId, CancellationToken ct)
            => spaceId is null ? SpaceTarget.Personal.Describe()
                : await _listings.FindSpaceAsync(spaceId, ct) is { } s ? SpaceTarget.Existing(s).Describe() : $"space {spaceId}";

        /// <summary>A recreated resource goes back to its owner (see RestoreExecutor.CreateOwnedAsync) unless the owner is gone: then the checklist says so.</summary>
        async Task CheckOwnerAsync(AssetKind kind, string name, JsonElement doc, CancellationToken ct)
        {
            if (ResourceShapes.HowOwned(kind) == ResourceShapes.OwnerMeans.None || ResourceShapes.OwnerOf(kind, doc) is not { } owner) return;
            if ((await _listings.ListAsync(QlikResourceKind.User, ct)).Any(u => u.Id == InTarget(owner))) return;
            b.Check($"{kind} '{name}': its owner {owner} no longer exists, so the restore principal owns it"
                + (kind == AssetKind.ReloadTask ? " and the task reloads as the restore principal" : "") + "; give it to whoever replaces that user.");
        }
    }
}
