using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Capture;
using QlikBackup.Core.Status;
using QlikBackup.Functions.Orchestrators;

namespace QlikBackup.Functions.Triggers;

/// <summary>
/// One timer per RPO tier, schedules from settings (NCRONTAB). Each start is keyed by tier and minute, so a
/// timer that fires twice in one minute starts one run. Each firing then checks the tier's RPO: after the capture
/// is scheduled, so an alert channel that is slow or down never delays or blocks a capture.
/// </summary>
public sealed class CaptureTimers(RpoWatch rpo, IOptions<CaptureOptions> capture, TimeProvider clock, ILogger<CaptureTimers> logger)
{
    [Function("CaptureT1")]
    public Task CaptureT1([TimerTrigger("%CaptureT1Schedule%")] TimerInfo timer, [DurableClient] DurableTaskClient client)
        => StartAsync(Tier.T1, client);

    [Function("CaptureT2")]
    public Task CaptureT2([TimerTrigger("%CaptureT2Schedule%")] TimerInfo timer, [DurableClient] DurableTaskClient client)
        => StartAsync(Tier.T2, client);

    [Function("CaptureT3")]
    public Task CaptureT3([TimerTrigger("%CaptureT3Schedule%")] TimerInfo timer, [DurableClient] DurableTaskClient client)
        => StartAsync(Tier.T3, client);

    public async Task StartAsync(Tier tier, DurableTaskClient client)
    {
        string instanceId = $"capture-{tier}-{clock.GetUtcNow():yyyyMMddTHHmm}";
        await client.ScheduleNewOrchestrationInstanceAsync(
            nameof(CaptureTierOrchestrator),
            new CaptureTierInput(tier, CaptureTrigger.Schedule, capture.Value.MaxParallelAssetsPerSpace),
            new Microsoft.DurableTask.StartOrchestrationOptions(instanceId));
        try
        {
            await rpo.CheckAsync(tier);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "RPO check of {Tier} failed; the capture {Instance} was scheduled regardless", tier, instanceId);
        }
    }
}
