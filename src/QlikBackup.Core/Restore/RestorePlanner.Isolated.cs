using QlikBackup.Core.Assets;
using QlikBackup.Qlik.Contracts;

namespace QlikBackup.Core.Restore;

// Planning, isolated target: a new space of the source's type, its content owners as members, nothing that runs or notifies.
internal sealed partial class RestorePlanner
{
    sealed partial class Run
    {
        /// <summary>The isolated space: created by this restore under the request's name. An existing space of that name is refused,
        /// because a copy written into it would not be isolated (and deleting it after a drill would delete someone's space).</summary>
        async Task<SpaceTarget> IsolatedSpaceAsync(string type, CancellationToken ct)
        {
            string name = r.TargetSpaceName!.Trim();
            if (_isolated is { } planned) return planned;
            if (await _listings.FindSpaceByNameAsync(name, ct) is { } existing)
                throw new RestoreRequestException(409, "Target space exists",
                    $"Space '{name}' already exists ({existing.Id}); an isolated restore creates its own space. Choose a new targetSpaceName.");
            var action = b.Add(RestoreStep.TargetSpace, RestoreActionKind.Create, null, AssetKind.Space, name, name,
                $"Create {type} space '{name}' for the isolated copy.", objectId: type, key: name);
            return _isolated = SpaceTarget.Created(action.Id, name, type);
        }

        SpaceTarget? _isolated;

        /// <summary>A published app lives in a managed space, so its isolated copy is published into a managed space too.</summary>
        static async Task<bool> WasPublishedAsync(PointContent content, CancellationToken ct)
            => await content.ReadAppAttributeAsync("published", ct) == "true";

        /// <summary>
        /// Qlik lets only members own content in a space: the app owner and every owner of an object of the point become members of
        /// the isolated space (app owner of a shared space as producer, the others as contributors, who may own community and private content).
        /// </summary>
        async Task PlanOwnerMembersAsync(RecoveryPoint point, PointContent content, SpaceTarget space, CancellationToken ct)
        {
            string? appOwner = point.OwnerId ?? await content.ReadAppAttributeAsync("ownerId", ct);
            var index = await content.ReadObjectIndexAsync(ct);
            var owners = new[] { appOwner }
                .Concat(index?.Values.Select(i => i.OwnerId) ?? [])
                .Concat(content.Objects.Select(o => o.PrivateOwnerId))
                .OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
            var users = await _listings.ListAsync(QlikResourceKind.User, ct);
            foreach (var owner in owners)
            {
                if (!users.Any(u => u.Id == InTarget(owner)))
                {
                    b.Check($"Isolated space '{space.Name}': user {owner}, who owned content of app '{point.Name ?? point.AssetId}', no longer exists; that content stays with the restore principal.");
                    continue;
                }
                string role = owner == appOwner && space.Type != "managed" ? "producer" : "contributor";
                if (!_members.Add(owner)) continue;
                b.Add(RestoreStep.OwnerMember, RestoreActionKind.Create, null, AssetKind.Space, space.Name!, space.Name,
                    $"Make user {owner} a {role} of space '{space.Name}' (unless already a member) so they can own their content there.",
                    objectId: $"{owner}:{role}", key: owner);
            }
        }

        readonly HashSet<string> _members = new(StringComparer.Ordinal);
    }
}
