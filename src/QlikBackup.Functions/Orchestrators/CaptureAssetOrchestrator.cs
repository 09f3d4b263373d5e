using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using QlikBackup.Core.Alerts;
using QlikBackup.Core.Capture;

namespace QlikBackup.Functions.Orchestrators;

/// <summary>Continuous capture: exactly the asset a Qlik webhook event named (or an operator asked for).</summary>
public sealed class CaptureAssetOrchestrator : TaskOrchestrator<CaptureAssetInput, AssetCaptureResult>
{
    [Function(nameof(CaptureAssetOrchestrator))]
    public static Task<AssetCaptureResult> Run([OrchestrationTrigger] TaskOrchestrationContext context)
        => new CaptureAssetOrchestrator().RunAsync(context, context.GetInput<CaptureAssetInput>()!);

    public override async Task<AssetCaptureResult> RunAsync(TaskOrchestrationContext context, CaptureAssetInput input)
    {
        AssetCaptureResult result = await AssetCapture.CaptureWithRetryAsync(context, input);
        if (result.Outcome == CaptureOutcome.Failed)
        {
            await Alerting.TrySendAsync(context, new Alert(
                AlertKind.CaptureFailed, $"Capture of {input.Asset.Kind} {input.Asset.Id} failed", result.Error ?? "", context.InstanceId));
        }

        return result;
    }
}
