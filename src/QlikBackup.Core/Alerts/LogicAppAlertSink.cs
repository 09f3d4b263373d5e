using System.Net.Http.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace QlikBackup.Core.Alerts;

/// <summary>Posts alerts as JSON to the Logic App's HTTP trigger, which forwards them (e-mail, Teams).</summary>
public sealed class LogicAppAlertSink(HttpClient http, IOptions<AlertOptions> options, ILogger<LogicAppAlertSink> logger) : IAlertSink
{
    public async Task SendAsync(Alert alert, CancellationToken ct = default)
    {
        // Always logged, so an alert is visible in Application Insights even when the Logic App is down.
        logger.LogWarning("Alert {Kind}: {Title} — {Detail} ({Reference})", alert.Kind, alert.Title, alert.Detail, alert.Reference);
        Uri? url = options.Value.LogicAppUrl;
        if (url is null)
        {
            return;
        }

        using HttpResponseMessage response = await http.PostAsJsonAsync(url, new
        {
            kind = alert.Kind.ToString(),
            severity = alert.Severity,
            title = alert.Title,
            detail = alert.Detail,
            reference = alert.Reference,
            raisedAt = DateTimeOffset.UtcNow,
        }, ct);
        response.EnsureSuccessStatusCode();
    }
}
