using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Capture;
using QlikBackup.Core.Status;
using QlikBackup.Functions.Orchestrators;

namespace QlikBackup.Functions.Triggers;

/// <summary>
/// One timer per RPO tier, schedules from settings (NCRONTAB). Each start is keyed by tier and minute, so a
/// timer that fires twice in one minute starts one run. Each firing also checks the tier's RPO.
/// </summary>
public sealed class CaptureTimers(RpoWatch rpo, IOptions<CaptureOptions> capture)
{
    [Function("CaptureT1")]
    public Task CaptureT1([TimerTrigger("%CaptureT1Schedule%")] TimerInfo timer, [DurableClient] DurableTaskClient client)
        => StartAsync(Tier.T1, timer, client);

    [Function("CaptureT2")]
    public Task CaptureT2([TimerTrigger("%CaptureT2Schedule%")] TimerInfo timer, [DurableClient] DurableTaskClient client)
        => StartAsync(Tier.T2, timer, client);

    [Function("CaptureT3")]
    public Task CaptureT3([TimerTrigger("%CaptureT3Schedule%")] TimerInfo timer, [DurableClient] DurableTaskClient client)
        => StartAsync(Tier.T3, timer, client);

    async Task StartAsync(Tier tier, TimerInfo timer, DurableTaskClient client)
    {
        await rpo.CheckAsync(tier);
        string instanceId = $"capture-{tier}-{DateTime.UtcNow:yyyyMMddTHHmm}";
        await client.ScheduleNewOrchestrationInstanceAsync(
            nameof(CaptureTierOrchestrator),
            new CaptureTierInput(tier, CaptureTrigger.Schedule, capture.Value.MaxParallelAssetsPerSpace),
            new Microsoft.DurableTask.StartOrchestrationOptions(instanceId));
    }
}
