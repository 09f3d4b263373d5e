using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using QlikBackup.Functions.Orchestrators;

namespace QlikBackup.Functions.Triggers;

/// <summary>Retention on its own schedule (RetentionSchedule), one run per day at most.</summary>
public sealed class RetentionTimer
{
    [Function("Retention")]
    public static Task Run([TimerTrigger("%RetentionSchedule%")] TimerInfo timer, [DurableClient] DurableTaskClient client)
        => client.ScheduleNewOrchestrationInstanceAsync(
            nameof(RetentionOrchestrator), input: null, new StartOrchestrationOptions($"retention-{DateTime.UtcNow:yyyyMMdd}"));
}
