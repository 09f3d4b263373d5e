using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;
using QlikBackup.Core.Drill;
using QlikBackup.Functions.Orchestrators;

namespace QlikBackup.Functions.Triggers;

/// <summary>Scheduled drills (DrillSchedule): one drill per tier of Drill:ScheduledTiers, in Drill:ScheduledScope.</summary>
public sealed class DrillTimer(IOptions<DrillOptions> options)
{
    [Function("Drill")]
    public async Task Run([TimerTrigger("%DrillSchedule%")] TimerInfo timer, [DurableClient] DurableTaskClient client)
    {
        var o = options.Value;
        foreach (var tier in o.TiersToDrill())
        {
            // One id per tier and minute: a timer fired twice starts one drill.
            await client.ScheduleNewOrchestrationInstanceAsync(nameof(DrillOrchestrator),
                new DrillRequest { Scope = o.ScheduledScope, Tier = tier, SampleSize = o.SampleSize, Operator = "schedule" },
                new StartOrchestrationOptions($"drill-{tier}-{DateTime.UtcNow:yyyyMMddHHmm}"));
        }
    }
}
