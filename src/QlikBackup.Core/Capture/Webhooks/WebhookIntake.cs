using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using QlikBackup.Core.Assets;
using QlikBackup.Qlik.Contracts;

namespace QlikBackup.Core.Capture.Webhooks;

/// <summary>
/// Order of checks: signature over the raw bytes (nothing is parsed before), then the event's shape, its age, what it is
/// about, and last the duplicate check (so ignored and refused events do not fill the table). An event is recorded as seen
/// only by <see cref="MarkStartedAsync"/>, once its capture was started: a delivery that fails halfway is redelivered and
/// processed again, never dropped as a duplicate. Out-of-order deliveries need no check here: a capture reads Qlik's current
/// state and never writes a point older than the newest.
/// </summary>
public sealed class WebhookIntake(
    IOptionsMonitor<WebhookOptions> options, IOptions<CaptureOptions> capture, WebhookEventLog events, ISpaceTierStore tiers,
    IQlikRestClient rest, TimeProvider clock, ILogger<WebhookIntake> log) : IWebhookIntake
{
    public async Task<WebhookDecision> AcceptAsync(ReadOnlyMemory<byte> body, string? signatureHeader, CancellationToken ct = default)
    {
        WebhookOptions o = options.CurrentValue;
        if (string.IsNullOrEmpty(o.Secret))
            return WebhookDecision.Rejected401("Webhooks:Secret is not configured, so no delivery can be verified.");
        if (!QlikWebhookSignature.Verify(body.Span, signatureHeader, o.Secret))
            return WebhookDecision.Rejected401(signatureHeader is null
                ? $"The {QlikWebhookSignature.HeaderName} header is missing."
                : $"The {QlikWebhookSignature.HeaderName} header does not match the body.");

        if (!WebhookEventParser.TryParse(body.Span, out QlikWebhookEvent? e, out string? error))
            return WebhookDecision.Rejected400(error!);

        DateTimeOffset now = clock.GetUtcNow();
        if (now - e!.EventTime > o.MaxEventAge)
            return WebhookDecision.Ignored($"Event {e.EventId} is from {e.EventTime:O}, older than Webhooks:MaxEventAge ({o.MaxEventAge}).", e.EventId, e.EventType);
        if (e.EventTime - now > o.MaxClockSkew)
            return WebhookDecision.Ignored($"Event {e.EventId} is dated {e.EventTime:O}, in the future beyond Webhooks:MaxClockSkew.", e.EventId, e.EventType);

        WebhookTarget target = WebhookEventParser.Map(e);
        if (target.Target == WebhookTargetKind.AttachedToApp && target.Id is null)
            target = await ResolveAppAsync(target, e, ct);
        if (target.Target == WebhookTargetKind.Ignore)
            return WebhookDecision.Ignored(target.IgnoreReason ?? "Nothing to capture.", e.EventId, e.EventType);

        if (await events.IsRecordedAsync(e.EventId, ct))
            return WebhookDecision.Duplicate(e.EventId) with { EventType = e.EventType };

        string spaceId = SpaceOf(target);
        Tier tier = spaceId == SpaceCaptureTarget.TenantConfigSpaceId ? capture.Value.TenantConfigTier : await tiers.GetTierAsync(spaceId, ct);
        var asset = new AssetRef(target.Kind, target.Id!, SpaceId: spaceId);
        log.LogInformation("Webhook {EventType} {EventId}: capture {Kind} {AssetId} in {Tier}", e.EventType, e.EventId, asset.Kind, asset.Id, tier);
        return new WebhookDecision(WebhookDecisionKind.Capture, $"{e.EventType} → capture {asset.Kind} {asset.Id}.", asset, tier, e.EventId, e.EventType,
            target.ExpectDeleted);
    }

    public async Task MarkStartedAsync(WebhookDecision decision, CancellationToken ct = default)
    {
        if (decision is { Kind: WebhookDecisionKind.Capture, EventId: { } eventId })
            await events.TryRecordAsync(eventId, decision.EventType ?? "", clock.GetUtcNow(), ct);
    }

    /// <summary>Where the asset is filed: apps without a space are personal, tenant-level kinds without one are tenant configuration.</summary>
    static string SpaceOf(WebhookTarget target) => target.Kind switch
    {
        AssetKind.Space => target.Id!,
        AssetKind.App => string.IsNullOrEmpty(target.SpaceId) ? CaptureService.PersonalSpaceId : target.SpaceId,
        _ => string.IsNullOrEmpty(target.SpaceId) ? SpaceCaptureTarget.TenantConfigSpaceId : target.SpaceId,
    };

    /// <summary>A reload task / alert / subscription event without the app id: read the resource to find its app.</summary>
    async Task<WebhookTarget> ResolveAppAsync(WebhookTarget target, QlikWebhookEvent e, CancellationToken ct)
    {
        if (target.ResourceId is null || target.AttachedKind is not { } kind)
            return WebhookTarget.Ignore($"'{e.EventType}' event {e.EventId} names no resource.");
        QlikResource? resource = await rest.GetAsync(kind, target.ResourceId, ct);
        string? appId = resource is null ? null : JsonMembers.Str(resource.Raw, "appId") ?? JsonMembers.Str(resource.Raw, "appid");
        if (appId is null)
            return WebhookTarget.Ignore($"{kind} {target.ResourceId} is gone or names no app; the app's next scheduled capture records the change.");
        return target with { Id = appId, SpaceId = target.SpaceId ?? resource!.SpaceId };
    }
}
