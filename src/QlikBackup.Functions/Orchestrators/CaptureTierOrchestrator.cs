using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using QlikBackup.Core.Alerts;
using QlikBackup.Core.Capture;
using QlikBackup.Functions.Activities;

namespace QlikBackup.Functions.Orchestrators;

/// <summary>
/// One tier run: list the tier's spaces, begin the run (Qlik's audit log read once, from the tier's stored cursor, for the
/// attribution of every asset; in an activity, its result passed on as the run), then one sub-orchestration per space, so
/// each space's history stays small and a failing space never blocks the others. Every run, failed or not, is recorded in
/// the run log before any alert is raised, so status shows it even when the alert channel is down; the run then ends (its
/// listings dropped, and the audit cursor moved only when every space's captures are recorded, so a failed run re-reads).
/// </summary>
public sealed class CaptureTierOrchestrator : TaskOrchestrator<CaptureTierInput, CaptureRunResult>
{
    [Function(nameof(CaptureTierOrchestrator))]
    public static Task<CaptureRunResult> Run([OrchestrationTrigger] TaskOrchestrationContext context)
        => new CaptureTierOrchestrator().RunAsync(context, context.GetInput<CaptureTierInput>()!);

    public override async Task<CaptureRunResult> RunAsync(TaskOrchestrationContext context, CaptureTierInput input)
    {
        DateTime started = context.CurrentUtcDateTime;
        var results = new List<SpaceCaptureResult>();
        string? error = null;
        CaptureRunContext? run = null;
        try
        {
            var spaces = await context.CallActivityAsync<List<SpaceCaptureTarget>>(nameof(ListSpacesForTier), input.Tier, ActivityRetry.Default);
            CaptureRunContext begun = await BeginRunAsync(context, input.Tier);
            run = begun;
            results.AddRange(await Task.WhenAll(spaces.Select(space => RunSpaceAsync(context, input, space, begun))));
            if (results.Count(r => r.Error is not null) is > 0 and int failed)
            {
                error = $"{failed} space(s) failed: " + string.Join("; ", results.Where(r => r.Error is not null).Select(r => $"{r.Space.SpaceId}: {r.Error}"));
            }
        }
        catch (TaskFailedException ex)
        {
            error = $"Listing the {input.Tier} spaces failed: {Failures.Describe(ex)}";
        }

        CaptureSummary summary = results.Aggregate(CaptureSummary.Empty, (s, r) => s.Add(r.Summary));
        var result = new CaptureRunResult(input.Tier, started, context.CurrentUtcDateTime, results, summary, error);
        string? recordError = null;
        try
        {
            await context.CallActivityAsync(nameof(RecordCaptureRun), result, ActivityRetry.Default);
        }
        catch (TaskFailedException ex)
        {
            recordError = $"The run could not be recorded in the run log: {Failures.Describe(ex)}";
        }

        if (run is not null)
        {
            try
            {
                await context.CallActivityAsync(nameof(EndCaptureRun), new EndRunInput(input.Tier, run, AdvanceCursor: error is null), ActivityRetry.Default);
            }
            catch (TaskFailedException)
            {
                // Only a lost shortcut: the cursor stays, so the next run reads those events again; listings expire on their own.
            }
        }

        if (result.Failed || recordError is not null)
        {
            var failures = results.SelectMany(r => r.Failures).ToList();
            IEnumerable<string> lines = new[] { error, recordError }.OfType<string>()
                .Concat(failures.Select(f => $"{f.Asset.Kind} {f.Asset.Id} ({f.Asset.Name}): {f.Error}"));
            await Alerting.TrySendAsync(context, new Alert(
                AlertKind.CaptureFailed,
                error is null && recordError is null
                    ? $"{failures.Count} asset(s) failed in the {input.Tier} capture run"
                    : $"The {input.Tier} capture run failed ({failures.Count} asset failure(s))",
                string.Join("\n", lines),
                context.InstanceId));
        }

        return result;
    }

    /// <summary>
    /// The run's id (unique even when an instance id is reused) and its single audit read. A read that fails after its retries
    /// costs only the shortcut: the run's points then search their own audit windows, as a single capture does.
    /// </summary>
    internal static async Task<CaptureRunContext> BeginRunAsync(TaskOrchestrationContext context, Core.Assets.Tier tier)
    {
        string runId = $"{context.InstanceId}:{context.NewGuid():N}";
        try
        {
            return await context.CallActivityAsync<CaptureRunContext>(nameof(BeginCaptureRun), new BeginRunInput(tier, runId), ActivityRetry.Default);
        }
        catch (TaskFailedException)
        {
            return new CaptureRunContext(runId);
        }
    }

    /// <summary>A space whose orchestration itself fails is that space's error; the other spaces' results stand.</summary>
    static async Task<SpaceCaptureResult> RunSpaceAsync(TaskOrchestrationContext context, CaptureTierInput input, SpaceCaptureTarget space, CaptureRunContext run)
    {
        try
        {
            return await context.CallSubOrchestratorAsync<SpaceCaptureResult>(
                nameof(CaptureSpaceOrchestrator),
                new CaptureSpaceInput(space, input.Trigger, input.MaxParallelAssets, run),
                new SubOrchestrationOptions { InstanceId = $"{context.InstanceId}:{space.SpaceId}" });
        }
        catch (TaskFailedException ex)
        {
            return new SpaceCaptureResult(space, 0, CaptureSummary.Empty, [], Failures.Describe(ex));
        }
    }
}
