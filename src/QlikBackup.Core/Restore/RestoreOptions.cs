using System.ComponentModel.DataAnnotations;

namespace QlikBackup.Core.Restore;

/// <summary>Bound from the "Restore" configuration section.</summary>
public sealed class RestoreOptions
{
    public const string Section = "Restore";

    /// <summary>Validation spaces default to this prefix + the app (or space) name.</summary>
    [Required]
    public string ValidationSpacePrefix { get; set; } = "validation-";

    /// <summary>Blob container of the append-only audit log (one append blob per day).</summary>
    [Required, RegularExpression("^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$")]
    public string AuditContainer { get; set; } = "restore-audit";

    [Required, RegularExpression("^[A-Za-z][A-Za-z0-9]{2,62}$")]
    public string AuditTable { get; set; } = "RestoreAudit";

    /// <summary>One row per completed action of a restore, so a retried execution skips done work and reuses created ids.</summary>
    [Required, RegularExpression("^[A-Za-z][A-Za-z0-9]{2,62}$")]
    public string ProgressTable { get; set; } = "RestoreProgress";

    /// <summary>
    /// About how many actions of a plan one execution activity applies (cut where an app's Engine writes end): the orchestration
    /// passes only the restore id and batch indexes, so restores of any size stay within Durable's message limits.
    /// </summary>
    [Range(1, 10000)]
    public int MaxActionsPerBatch { get; set; } = 500;

    /// <summary>How many points of one asset the planner reads to find the one before an incident.</summary>
    [Range(1, 1000)]
    public int MaxPointsScanned { get; set; } = 500;
}
