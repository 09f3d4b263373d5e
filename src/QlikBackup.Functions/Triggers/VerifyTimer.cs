using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using QlikBackup.Core.Verify;
using QlikBackup.Functions.Orchestrators;

namespace QlikBackup.Functions.Triggers;

/// <summary>Verifies the whole store on its own schedule (VerifySchedule, weekly by default), one run per day at most.</summary>
public sealed class VerifyTimer(TimeProvider clock)
{
    [Function("Verify")]
    public Task Run([TimerTrigger("%VerifySchedule%")] TimerInfo timer, [DurableClient] DurableTaskClient client)
        => client.ScheduleNewOrchestrationInstanceAsync(
            nameof(VerifyOrchestrator), new VerifyRequest(All: true), new StartOrchestrationOptions($"verify-{clock.GetUtcNow():yyyyMMdd}"));
}
