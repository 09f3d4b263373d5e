using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using QlikBackup.Core.Alerts;
using QlikBackup.Functions.Activities;

namespace QlikBackup.Functions.Orchestrators;

/// <summary>
/// The one way an orchestration raises an alert. Delivery is best effort: an alert channel that is down is logged (and
/// the run is already in the run log), never a reason to fail or hold up the work that raised it.
/// </summary>
public static class Alerting
{
    public static async Task<bool> TrySendAsync(TaskOrchestrationContext context, Alert alert)
    {
        try
        {
            if (await context.CallActivityAsync<bool>(nameof(SendAlert), alert)) return true;
        }
        catch (TaskFailedException ex)
        {
            context.CreateReplaySafeLogger(typeof(Alerting)).LogError(
                "Alert {Kind} '{Title}' of {Instance} was not delivered: {Error}", alert.Kind, alert.Title, context.InstanceId, Failures.Describe(ex));
        }

        return false;
    }
}
