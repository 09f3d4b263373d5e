using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using QlikBackup.Core.Capture;
using QlikBackup.Functions.Orchestrators;

namespace QlikBackup.Functions.Activities;

/// <summary>Starts a tier run: Qlik's audit log is read once, from the tier's stored cursor, for the attribution of every asset of the run.</summary>
public sealed class BeginCaptureRun(ICaptureService capture) : TaskActivity<BeginRunInput, CaptureRunContext>
{
    [Function(nameof(BeginCaptureRun))]
    public static Task<CaptureRunContext> Run([ActivityTrigger] BeginRunInput input, FunctionContext context)
        => FunctionActivity.RunAsync<BeginCaptureRun, BeginRunInput, CaptureRunContext>(context, input);

    public override Task<CaptureRunContext> RunAsync(TaskActivityContext context, BeginRunInput input)
        => capture.BeginRunAsync(input.Tier, input.RunId);
}

/// <summary>Ends a tier run: drops its listings and attribution rows, and moves the audit cursor when the run's attribution is recorded.</summary>
public sealed class EndCaptureRun(ICaptureService capture) : TaskActivity<EndRunInput, bool>
{
    [Function(nameof(EndCaptureRun))]
    public static Task<bool> Run([ActivityTrigger] EndRunInput input, FunctionContext context)
        => FunctionActivity.RunAsync<EndCaptureRun, EndRunInput, bool>(context, input);

    public override async Task<bool> RunAsync(TaskActivityContext context, EndRunInput input)
    {
        await capture.EndRunAsync(input.Tier, input.Run, input.AdvanceCursor);
        return true;
    }
}
