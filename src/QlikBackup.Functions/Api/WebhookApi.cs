using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using QlikBackup.Core.Capture;
using QlikBackup.Core.Capture.Webhooks;
using Microsoft.Extensions.Options;
using QlikBackup.Functions.Orchestrators;

namespace QlikBackup.Functions.Api;

/// <summary>A signed event that starts nothing (a duplicate, an event type or asset not backed up).</summary>
public sealed record WebhookIgnored(string Decision, string? Reason, string? EventId);

public static class WebhookApi
{
    /// <summary>
    /// POST /api/webhooks/qlik: Qlik's event delivery. A body over Webhooks:MaxBodyBytes is refused before it is read;
    /// the raw body is checked against Qlik-Signature before anything is parsed; a valid event starts a capture of exactly
    /// the asset it names, and only then is the event recorded as seen.
    /// </summary>
    public static async Task<IActionResult> ReceiveAsync(ApiCall call)
    {
        HttpRequest request = call.Request;
        IWebhookIntake intake = call.Get<IWebhookIntake>();
        int limit = call.Get<IOptionsMonitor<WebhookOptions>>().CurrentValue.MaxBodyBytes;
        if (request.ContentLength > limit)
        {
            return TooLarge(limit);
        }

        byte[]? raw = await ReadAtMostAsync(request.Body, limit, request.HttpContext.RequestAborted);
        if (raw is null)
        {
            return TooLarge(limit);
        }

        string? signature = request.Headers.TryGetValue("Qlik-Signature", out var s) ? s.ToString() : null;

        WebhookDecision decision = await intake.AcceptAsync(raw, signature, request.HttpContext.RequestAborted);
        if (decision.Kind is WebhookDecisionKind.Rejected401 or WebhookDecisionKind.Rejected400)
        {
            return ApiResults.Problem(decision.HttpStatus, decision.Kind == WebhookDecisionKind.Rejected401 ? "Invalid signature" : "Not a Qlik event", decision.Reason,
                decision.Kind == WebhookDecisionKind.Rejected401 ? "Qlik-Signature" : "body");
        }

        if (decision is not { Kind: WebhookDecisionKind.Capture, Asset: { } asset })
        {
            return ApiResults.Ok(new WebhookIgnored(decision.Kind.ToString(), decision.Reason, decision.EventId));
        }

        // A signed event still names an asset id that goes into keys and Qlik URLs: the same rule as any other id.
        ApiInput.QlikId(asset.Id, "topLevelResourceId");
        ApiInput.OptionalQlikId(asset.SpaceId, "spaceId");

        // Keyed by event id: a redelivery that slips past the duplicate check still starts one capture.
        // An event id that cannot be an instance id (too long, odd characters) is hashed rather than refused: the event is real.
        string instanceId = decision.EventId is { Length: <= 200 } e && e.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')
            ? $"webhook-{e}"
            : decision.EventId is null ? $"webhook-{Guid.NewGuid():N}"
            : "webhook-h" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(decision.EventId)))[..40];
        IActionResult started = await Operations.StartAsync(call, nameof(CaptureAssetOrchestrator), new CaptureAssetInput(asset, decision.Tier, CaptureTrigger.Webhook), instanceId);
        // Not before: a delivery whose start failed must not make its redelivery a duplicate. Not failing after: the capture is
        // started, and a redelivery starts the same instance id again, which is a no-op.
        await intake.MarkStartedAsync(decision, CancellationToken.None);
        return started;
    }

    static IActionResult TooLarge(int limit) =>
        ApiResults.Problem(413, "Delivery too large", $"A Qlik event body is at most {limit} bytes (Webhooks:MaxBodyBytes).", "body");

    /// <summary>The body, or null as soon as it passes <paramref name="limit"/> bytes (a chunked body has no Content-Length).</summary>
    static async Task<byte[]?> ReadAtMostAsync(Stream body, int limit, CancellationToken ct)
    {
        using var copy = new MemoryStream();
        byte[] buffer = new byte[16 * 1024];
        int read;
        while ((read = await body.ReadAsync(buffer, ct)) > 0)
        {
            if (copy.Length + read > limit)
            {
                return null;
            }

            copy.Write(buffer, 0, read);
        }

        return copy.ToArray();
    }
}
