using QlikBackup.Core.Assets;
using QlikBackup.Core.Storage;
using QlikBackup.Qlik.Contracts;

namespace QlikBackup.Core.Restore;

// Planning into another tenant (the standby drill): users have other ids there (RestoreRequest.IdMap).
internal sealed partial class RestorePlanner
{
    sealed partial class Run
    {
        /// <summary>
        /// A personal app rebuilt into another tenant (the standby drill, <see cref="RestoreRequest.IdMap"/>) as an isolated copy: imported
        /// into the restore principal's personal space, where Qlik puts an import without a space, with the isolated copy's
        /// rules (disabled reload tasks, no alerts or subscriptions); its target space name is not used.
        /// </summary>
        bool PersonalInOtherTenant(RecoveryPoint point) => r.IdMap is not null && RealSpace(point.SpaceId) is null && point.Kind == AssetKind.App;

        /// <summary>The target tenant's id of a user of the point's tenant; the plan keeps the point's ids, the executor maps them too.</summary>
        string InTarget(string id) => r.IdMap?.GetValueOrDefault(id) ?? id;

        /// <summary>
        /// A private object can only be created as its owner: when that user is not in the target tenant (gone, or refused there)
        /// the object is skipped and the checklist names it, instead of the impersonation failing the restore.
        /// </summary>
        async Task<bool> OwnerPresentAsync(RecoveryPoint point, string name, ObjectPartName obj, CancellationToken ct)
        {
            if (obj.PrivateOwnerId is not { } owner || (await _listings.ListAsync(QlikResourceKind.User, ct)).Any(u => u.Id == InTarget(owner))) return true;
            b.Add(RestoreStep.Object, RestoreActionKind.Skip, point, AssetKind.App, point.AssetId, name,
                $"Private {obj.Class} {obj.QId} of user {owner}: that user does not exist here, so it cannot be created as theirs.", objectId: obj.QId, part: obj.Part);
            b.Check($"App '{name}': private {obj.Class} {obj.QId} of user {owner} was not restored, since that user does not exist; restore the app's objects again when the user is back.");
            return false;
        }
    }
}
