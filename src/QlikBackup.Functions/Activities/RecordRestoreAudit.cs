using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using QlikBackup.Core.Restore;
using QlikBackup.Functions.Orchestrators;

namespace QlikBackup.Functions.Activities;

/// <summary>Appends the restore to the audit table and the append-only audit blob.</summary>
public sealed class RecordRestoreAudit(IRestoreService restore) : TaskActivity<RecordRestoreAuditInput, bool>
{
    [Function(nameof(RecordRestoreAudit))]
    public static Task<bool> Run([ActivityTrigger] RecordRestoreAuditInput input, FunctionContext context)
        => FunctionActivity.RunAsync<RecordRestoreAudit, RecordRestoreAuditInput, bool>(context, input);

    public override async Task<bool> RunAsync(TaskActivityContext context, RecordRestoreAuditInput input)
    {
        await restore.RecordAuditAsync(input.Plan, input.Result, input.Duration);
        return true;
    }
}
