using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using QlikBackup.Core.Capture;
using QlikBackup.Core.Capture.Webhooks;
using QlikBackup.Functions.Orchestrators;

namespace QlikBackup.Functions.Api;

public static class WebhookApi
{
    /// <summary>
    /// POST /api/webhooks/qlik: Qlik's event delivery. The raw body is checked against Qlik-Signature before
    /// anything is parsed; a valid event starts a capture of exactly the asset it names.
    /// </summary>
    public static async Task<IActionResult> ReceiveAsync(HttpRequest request, DurableTaskClient client, IWebhookIntake intake)
    {
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, request.HttpContext.RequestAborted);
        string? signature = request.Headers.TryGetValue("Qlik-Signature", out var s) ? s.ToString() : null;

        WebhookDecision decision = await intake.AcceptAsync(body.ToArray(), signature, request.HttpContext.RequestAborted);
        if (decision.Kind is WebhookDecisionKind.Rejected401 or WebhookDecisionKind.Rejected400)
        {
            return ApiResults.Problem(decision.HttpStatus, decision.Kind == WebhookDecisionKind.Rejected401 ? "Invalid signature" : "Not a Qlik event", decision.Reason);
        }

        if (decision is not { Kind: WebhookDecisionKind.Capture, Asset: { } asset })
        {
            return ApiResults.Ok(new { decision = decision.Kind.ToString(), decision.Reason, decision.EventId });
        }

        // Keyed by event id: a redelivery that slips past the duplicate check still starts one capture.
        string instanceId = $"webhook-{decision.EventId ?? Guid.NewGuid().ToString("N")}";
        await client.ScheduleNewOrchestrationInstanceAsync(
            nameof(CaptureAssetOrchestrator),
            new CaptureAssetInput(asset, decision.Tier, CaptureTrigger.Webhook),
            new StartOrchestrationOptions(instanceId));
        return BackupApi.Accepted(request, instanceId, nameof(CaptureAssetOrchestrator));
    }
}
