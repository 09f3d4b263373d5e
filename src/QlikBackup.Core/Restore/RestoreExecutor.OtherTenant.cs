using System.Text.Json;
using QlikBackup.Core.Assets;
using QlikBackup.Qlik.Contracts;

namespace QlikBackup.Core.Restore;

// Execution into another tenant (the standby drill): users have other ids there (RestoreRequest.IdMap).
internal sealed partial class RestoreExecutor
{
    sealed partial class Run
    {
        /// <summary>An automation rebuilt into the standby is created disabled (<see cref="RestoreRequest.AutomationsDisabled"/>), so it never runs there.</summary>
        JsonElement ForTarget(AssetKind kind, JsonElement body)
            => kind == AssetKind.Automation && plan.Request.AutomationsDisabled ? JsonTools.With(body, "state", "disabled") : body;

        /// <summary>The target tenant's id of a user (or group, space) of the point's tenant: mapped, or the id itself.</summary>
        string? InTarget(string? id) => id is null ? null : _idMap.GetValueOrDefault(id, id);

        /// <summary>
        /// Another tenant may refuse a user (no licence left, users only from its identity provider): the rest of the restore goes on,
        /// and the checklist names the user, whose content then stays with the restore principal.
        /// </summary>
        async Task<string?> TryCreateUserInOtherTenantAsync(RestoreAction action, QlikResourceKind restKind, JsonElement doc, JsonElement body, CancellationToken ct)
        {
            try
            {
                return await CreateOwnedAsync(action.AssetKind, restKind, doc, body, ct);
            }
            catch (QlikApiException ex) when (ex.Status is 400 or 403 or 409)
            {
                string name = ResourceShapes.DisplayName(AssetKind.User, doc, action.AssetId);
                Note($"User '{name}' ({action.AssetId}) does not exist in the target tenant: Qlik refused to create it ({ex.Status}). What they owned stays with "
                    + "the restore principal: add the user (or let them sign in), then give their apps, objects and resources back.");
                return null;
            }
        }
    }
}
