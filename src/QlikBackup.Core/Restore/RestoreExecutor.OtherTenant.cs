namespace QlikBackup.Core.Restore;

// Execution into another tenant (the standby drill): users have other ids there (RestoreRequest.IdMap).
internal sealed partial class RestoreExecutor
{
    sealed partial class Run
    {
        /// <summary>The target tenant's id of a user (or group, space) of the point's tenant: mapped, or the id itself.</summary>
        string? InTarget(string? id) => id is null ? null : _idMap.GetValueOrDefault(id, id);
    }
}
