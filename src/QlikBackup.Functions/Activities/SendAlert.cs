using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using QlikBackup.Core.Alerts;

namespace QlikBackup.Functions.Activities;

/// <summary>Sends an alert to the Logic App.</summary>
public sealed class SendAlert(IAlertSink alerts) : TaskActivity<Alert, bool>
{
    [Function(nameof(SendAlert))]
    public static Task<bool> Run([ActivityTrigger] Alert input, FunctionContext context)
        => FunctionActivity.RunAsync<SendAlert, Alert, bool>(context, input);

    public override async Task<bool> RunAsync(TaskActivityContext context, Alert input)
    {
        await alerts.SendAsync(input);
        return true;
    }
}
