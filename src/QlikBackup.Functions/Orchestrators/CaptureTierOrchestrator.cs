using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using QlikBackup.Core.Alerts;
using QlikBackup.Core.Capture;
using QlikBackup.Functions.Activities;

namespace QlikBackup.Functions.Orchestrators;

/// <summary>
/// One tier run: list the tier's spaces, then one sub-orchestration per space, so each space's history stays
/// small and a failing space never blocks the others. Failures are reported to the alert channel at the end.
/// </summary>
public sealed class CaptureTierOrchestrator : TaskOrchestrator<CaptureTierInput, CaptureRunResult>
{
    [Function(nameof(CaptureTierOrchestrator))]
    public static Task<CaptureRunResult> Run([OrchestrationTrigger] TaskOrchestrationContext context)
        => new CaptureTierOrchestrator().RunAsync(context, context.GetInput<CaptureTierInput>()!);

    public override async Task<CaptureRunResult> RunAsync(TaskOrchestrationContext context, CaptureTierInput input)
    {
        DateTime started = context.CurrentUtcDateTime;
        var spaces = await context.CallActivityAsync<List<SpaceCaptureTarget>>(nameof(ListSpacesForTier), input.Tier);

        var runs = spaces.Select(space => context.CallSubOrchestratorAsync<SpaceCaptureResult>(
            nameof(CaptureSpaceOrchestrator),
            new CaptureSpaceInput(space, input.Trigger, input.MaxParallelAssets),
            new SubOrchestrationOptions { InstanceId = $"{context.InstanceId}:{space.SpaceId}" }));
        SpaceCaptureResult[] results = await Task.WhenAll(runs);

        CaptureSummary summary = results.Aggregate(CaptureSummary.Empty, (s, r) => s.Add(r.Summary));
        var result = new CaptureRunResult(input.Tier, started, context.CurrentUtcDateTime, results, summary);
        await context.CallActivityAsync(nameof(RecordCaptureRun), result);

        var failures = results.SelectMany(r => r.Failures).ToList();
        if (failures.Count > 0)
        {
            await context.CallActivityAsync(nameof(SendAlert), new Alert(
                AlertKind.CaptureFailed,
                $"{failures.Count} asset(s) failed in the {input.Tier} capture run",
                string.Join("\n", failures.Select(f => $"{f.Asset.Kind} {f.Asset.Id} ({f.Asset.Name}): {f.Error}")),
                context.InstanceId));
        }

        return result;
    }
}
