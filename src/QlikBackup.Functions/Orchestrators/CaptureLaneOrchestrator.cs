using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using QlikBackup.Core.Capture;

namespace QlikBackup.Functions.Orchestrators;

/// <summary>
/// One lane of a space with many changed assets: its batches captured one after the other (the space runs one lane per unit
/// of parallelism). The space's own history then holds a lane per unit of parallelism instead of every batch; each lane's
/// holds its share of the batches.
/// </summary>
public sealed class CaptureLaneOrchestrator : TaskOrchestrator<CaptureLaneInput, List<AssetCaptureResult>>
{
    [Function(nameof(CaptureLaneOrchestrator))]
    public static Task<List<AssetCaptureResult>> Run([OrchestrationTrigger] TaskOrchestrationContext context)
        => new CaptureLaneOrchestrator().RunAsync(context, context.GetInput<CaptureLaneInput>()!);

    public override Task<List<AssetCaptureResult>> RunAsync(TaskOrchestrationContext context, CaptureLaneInput input)
        => CaptureSpaceOrchestrator.CaptureBatchesAsync(context, input.Space, input.Batches, 1);
}
