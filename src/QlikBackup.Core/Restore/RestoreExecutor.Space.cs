using System.Text.Json;
using Microsoft.Extensions.Logging;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Capture;
using QlikBackup.Qlik.Contracts;

namespace QlikBackup.Core.Restore;

// Execution, spaces: target and restored spaces, and their assignments.
internal sealed partial class RestoreExecutor
{
    sealed partial class Run
    {
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
            string? owner = InTarget(JsonTools.GetString(doc, "ownerId"));
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
            // Recreated by this plan (id map), by an earlier restore (same name, new id), or the same id.
            string target = _idMap.GetValueOrDefault(assignee)
                ?? (type == "group" ? await RecreatedGroups.LiveIdAsync(assignee, _listings, x.Index, x.Store, TenantId, ct) : null) ?? assignee;
            await foreach (var live in x.Rest.ListSpaceAssignmentsAsync(spaceId, ct))
            {
                if (live.AssigneeId != target || live.Type != type) continue;
                if (live.Roles.Order().SequenceEqual(roles.Order())) return;
                await x.Rest.DeleteSpaceAssignmentAsync(spaceId, live.Id, ct);
            }
            await x.Rest.CreateSpaceAssignmentAsync(spaceId, type, target, roles, ct);
        }

        /// <summary>Adds a content owner to an isolated space unless they are already a member (e.g. by a restored assignment).</summary>
        async Task ApplyOwnerMemberAsync(RestoreAction action, CancellationToken ct)
        {
            string spaceId = SpaceId(plan.Actions.First(a => a.Step == RestoreStep.TargetSpace).Id)!;
            string key = action.ObjectId ?? throw new InvalidOperationException($"Member action '{action.Id}' names no user.");
            string userId = InTarget(key[..key.LastIndexOf(':')])!, role = key[(key.LastIndexOf(':') + 1)..];
            await foreach (var live in x.Rest.ListSpaceAssignmentsAsync(spaceId, ct))
                if (live.Type == "user" && live.AssigneeId == userId) return;
            try
            {
                await x.Rest.CreateSpaceAssignmentAsync(spaceId, "user", userId, [role], ct);
            }
            catch (QlikApiException ex) when (ex.Status == 409)
            {
                // Assigned by an earlier attempt whose answer was lost.
            }
        }
    }
}
