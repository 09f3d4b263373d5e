namespace QlikBackup.Core.Restore;

// Planning into another tenant (the standby drill): users have other ids there (RestoreRequest.IdMap).
internal sealed partial class RestorePlanner
{
    sealed partial class Run
    {
        /// <summary>The target tenant's id of a user of the point's tenant; the plan keeps the point's ids, the executor maps them too.</summary>
        string InTarget(string id) => r.IdMap?.GetValueOrDefault(id) ?? id;
    }
}
