using QlikBackup.Core.Assets;

namespace QlikBackup.Core.Capture.Webhooks;

public enum WebhookDecisionKind
{
    /// <summary>Signature missing or wrong (or no secret configured): answer 401, capture nothing.</summary>
    Rejected401,
    /// <summary>Signed, but the body is not a Qlik event: answer 400.</summary>
    Rejected400,
    /// <summary>This event id was accepted before: answer 200, capture nothing.</summary>
    Duplicate,
    /// <summary>Valid, but nothing to capture (event type without a backed-up asset, or too old): answer 200/202.</summary>
    Ignored,
    /// <summary>Capture <see cref="WebhookDecision.Asset"/> in <see cref="WebhookDecision.Tier"/>.</summary>
    Capture,
}

/// <summary>
/// What to do with one webhook delivery. For <c>*.deleted</c> events the decision is still <see cref="WebhookDecisionKind.Capture"/>
/// with <see cref="ExpectDeleted"/>: capturing an asset Qlik no longer has records a Deleted point, and an out-of-order
/// "deleted" for an asset that exists again captures it instead.
/// </summary>
public sealed record WebhookDecision(
    WebhookDecisionKind Kind, string Reason, AssetRef? Asset = null, Tier Tier = Tier.T3, string? EventId = null,
    string? EventType = null, bool ExpectDeleted = false)
{
    public static WebhookDecision Rejected401(string reason) => new(WebhookDecisionKind.Rejected401, reason);
    public static WebhookDecision Rejected400(string reason) => new(WebhookDecisionKind.Rejected400, reason);
    public static WebhookDecision Duplicate(string eventId) => new(WebhookDecisionKind.Duplicate, $"Event {eventId} was already accepted.", EventId: eventId);
    public static WebhookDecision Ignored(string reason, string? eventId = null, string? eventType = null)
        => new(WebhookDecisionKind.Ignored, reason, EventId: eventId, EventType: eventType);

    /// <summary>The HTTP status the webhook trigger answers with.</summary>
    public int HttpStatus => Kind switch
    {
        WebhookDecisionKind.Rejected401 => 401,
        WebhookDecisionKind.Rejected400 => 400,
        WebhookDecisionKind.Capture => 202,
        _ => 200,
    };
}

/// <summary>Checks and interprets one Qlik webhook delivery: signature, duplicates, age, event type → asset.</summary>
public interface IWebhookIntake
{
    /// <param name="body">The raw request body exactly as received (the signature covers these bytes).</param>
    /// <param name="signatureHeader">The <c>Qlik-Signature</c> header value, or null when absent.</param>
    Task<WebhookDecision> AcceptAsync(ReadOnlyMemory<byte> body, string? signatureHeader, CancellationToken ct = default);

    /// <summary>Records a <see cref="WebhookDecisionKind.Capture"/> event as seen, after its capture was started, so later
    /// deliveries of it are <see cref="WebhookDecisionKind.Duplicate"/>.</summary>
    Task MarkStartedAsync(WebhookDecision decision, CancellationToken ct = default);
}
