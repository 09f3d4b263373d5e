using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using QlikBackup.Core.Status;
using QlikBackup.Functions.Orchestrators;

namespace QlikBackup.Functions.Activities;

/// <summary>Keeps the run for status and RPO monitoring.</summary>
public sealed class RecordCaptureRun(CaptureRunLog runs) : TaskActivity<CaptureRunResult, bool>
{
    [Function(nameof(RecordCaptureRun))]
    public static Task<bool> Run([ActivityTrigger] CaptureRunResult input, FunctionContext context)
        => FunctionActivity.RunAsync<RecordCaptureRun, CaptureRunResult, bool>(context, input);

    public override async Task<bool> RunAsync(TaskActivityContext context, CaptureRunResult input)
    {
        await runs.RecordAsync(new CaptureRun(input.Tier, context.InstanceId, input.StartedAt, input.FinishedAt, input.Spaces.Count, input.Summary, input.Error));
        return true;
    }
}
