using System.Text.Json;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Capture;
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
