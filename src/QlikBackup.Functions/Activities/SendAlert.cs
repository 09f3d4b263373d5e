using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using QlikBackup.Core.Alerts;

namespace QlikBackup.Functions.Activities;

/// <summary>Sends an alert to the Logic App; false (and an error log) when it cannot be delivered.</summary>
public sealed class SendAlert(IAlertSink alerts, ILogger<SendAlert> logger) : TaskActivity<Alert, bool>
{
    [Function(nameof(SendAlert))]
    public static Task<bool> Run([ActivityTrigger] Alert input, FunctionContext context)
        => FunctionActivity.RunAsync<SendAlert, Alert, bool>(context, input);

    public override async Task<bool> RunAsync(TaskActivityContext context, Alert input)
    {
        try
        {
            await alerts.SendAsync(input);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "Alert {Kind} '{Title}' ({Reference}) was not delivered; detail: {Detail}", input.Kind, input.Title, input.Reference, input.Detail);
            return false;
        }
    }
}
