using System.Text.Json;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Capture;
using QlikBackup.Core.Storage;
using QlikBackup.Qlik.Contracts;

namespace QlikBackup.Core.Restore;

// Planning, groups: Qlik's API creates custom groups only; identity-provider groups come back from the IdP.
internal sealed partial class RestorePlanner
{
    sealed partial class Run
    {
        readonly HashSet<string> _groupsNotRestored = new(StringComparer.Ordinal);

        /// <summary>
        /// A deleted group of an identity provider cannot be created through Qlik's API (POST /groups makes a custom group, another
        /// provider type with another id): it is left to the IdP, and the checklist says exactly what to do when it is back.
        /// </summary>
        void PlanIdentityProviderGroup(RecoveryPoint point, string name, JsonElement doc)
        {
            string provider = JsonTools.GetString(doc, "providerType") ?? "idp";
            _groupsNotRestored.Add(point.AssetId);
            b.Add(RestoreStep.Resource, RestoreActionKind.Skip, point, point.Kind, point.AssetId, name,
                $"Group '{name}' is an {provider} group: Qlik's API creates only custom groups, so it is not recreated here.", part: CapturePartNames.Resource);
            b.Check($"Group '{name}' ({provider}): Qlik recreates it when one of its members next signs in through the identity provider; "
                + "then restore tenant configuration (kinds Group, User) again to give it its roles and members, and restore the spaces it was assigned to.");
        }

        /// <summary>
        /// A recreated group gets back its assignments in every live space: a space point (the newest per space at the incident time)
        /// that assigned the group's old id gives one Assignment action, executed with the group's new id (the plan's id map).
        /// A deleted space brings them back when it is restored; here only live spaces count.
        /// </summary>
        async Task PlanGroupAssignmentsAsync(RecoveryPoint group, string name, CancellationToken ct)
        {
            foreach (var sp in await NewestPerAssetAsync(new RecoveryPointQuery { Kind = AssetKind.Space, To = r.IncidentTime, Take = 1000 }, ct))
            {
                if (await _listings.FindSpaceAsync(sp.AssetId, ct) is not { } live) continue;
                var content = await PointContent.LoadAsync(p.Store, sp, ct);
                if (await content.TryReadJsonAsync(CapturePartNames.Assignments, ct) is not { ValueKind: JsonValueKind.Array } items) continue;
                foreach (var item in items.EnumerateArray().Where(i => JsonTools.GetString(i, "type") == "group" && JsonTools.GetString(i, "assigneeId") == group.AssetId))
                {
                    var roles = item.TryGetProperty("roles", out var rs) ? rs.EnumerateArray().Select(x => x.GetString()!).Order().ToList() : [];
                    b.AddPoint(sp);
                    if (!b.Targets.Any(t => t.PointId == sp.PointId))
                        b.Targets.Add(new RestoreTarget(sp.PointId, AssetKind.Space, sp.AssetId, live.Name, live.Id, live.Id, TargetSpace: SpaceTarget.Existing(live).Describe()));
                    b.Add(RestoreStep.Assignment, RestoreActionKind.Create, sp, AssetKind.Space, sp.AssetId, live.Name,
                        $"Assign recreated group '{name}' to space '{live.Name}' as {string.Join("+", roles)} (as at the space's point).", objectId: $"group:{group.AssetId}");
                }
            }
        }

        /// <summary>Groups a user belonged to that neither exist nor come back in this plan: the user is restored without them (Qlik refuses an unknown group).</summary>
        async Task CheckUserGroupsAsync(string name, JsonElement doc, CancellationToken ct)
        {
            var live = (await _listings.ListAsync(QlikResourceKind.Group, ct)).Select(g => g.Id).ToHashSet(StringComparer.Ordinal);
            var planned = b.Actions.Where(a => a.AssetKind == AssetKind.Group && a.Kind == RestoreActionKind.Create).Select(a => a.AssetId).ToHashSet(StringComparer.Ordinal);
            foreach (var (id, groupName) in ResourceShapes.AssignedGroups(doc).Where(g => !live.Contains(g.Id) && !planned.Contains(g.Id)))
                b.Check($"User '{name}': not put back into group '{groupName ?? id}' ({id}), which does not exist now; add the user when the group is back.");
        }
    }
}
