using System.Text;
using System.Text.Json.Nodes;
using QlikBackup.Capture.Tests.Support;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Capture;
using QlikBackup.Core.Capture.Webhooks;
using QlikBackup.Core.Storage;
using QlikBackup.Qlik.Simulator;
using QlikBackup.Qlik.Simulator.Model;

namespace QlikBackup.Capture.Tests;

/// <summary>Webhook deliveries as the simulator signs them (its webhook points at an address it records instead of calling).</summary>
[Collection(CaptureCollection.Name)]
public sealed class WebhookCaptureTests(CaptureEnvironment env)
{
    [Fact]
    public async Task A_signed_app_event_is_captured_once_and_a_bad_signature_is_refused()
    {
        await using CaptureEngine engine = env.CreateEngine();
        string appId = env.SharedApp(7);
        await engine.CaptureAppAsync(appId, trigger: CaptureTrigger.Schedule);
        string webhookId = RegisterWebhook();

        string editor = env.Tenant.Read(s => s.FindApp(appId)!.OwnerId);
        env.RenameSheet(appId, new SimulatedActor(editor));
        WebhookDelivery delivery = await DeliveryAsync(webhookId, appId);
        byte[] body = Encoding.UTF8.GetBytes(delivery.Body);

        // A wrong, missing or foreign signature, or a changed body: 401 and nothing to capture.
        Assert.Equal(WebhookDecisionKind.Rejected401, (await engine.Webhooks.AcceptAsync(body, new string('0', 64))).Kind);
        Assert.Equal(WebhookDecisionKind.Rejected401, (await engine.Webhooks.AcceptAsync(body, null)).Kind);
        Assert.Equal(WebhookDecisionKind.Rejected401, (await engine.Webhooks.AcceptAsync(body, QlikWebhookSignature.Compute(body, "another-secret-of-enough-length"))).Kind);
        byte[] tampered = Encoding.UTF8.GetBytes(delivery.Body.Replace(appId, Guid.NewGuid().ToString()));
        Assert.Equal(WebhookDecisionKind.Rejected401, (await engine.Webhooks.AcceptAsync(tampered, delivery.Signature)).Kind);
        Assert.Single(await engine.PointsAsync(AssetKind.App, appId));

        WebhookDecision decision = await engine.Webhooks.AcceptAsync(body, delivery.Signature!.ToUpperInvariant());
        Assert.Equal(WebhookDecisionKind.Capture, decision.Kind);
        Assert.Equal((AssetKind.App, appId), (decision.Asset!.Kind, decision.Asset.Id));
        Assert.Equal(Tier.T3, decision.Tier);
        Assert.Equal(202, decision.HttpStatus);
        // Until its capture is started, a redelivery of the event is processed again (a failed start loses nothing).
        Assert.Equal(WebhookDecisionKind.Capture, (await engine.Webhooks.AcceptAsync(body, delivery.Signature)).Kind);
        AssetCaptureResult result = await engine.Capture.CaptureAssetAsync(decision.Asset, decision.Tier, CaptureTrigger.Webhook);
        await engine.Webhooks.MarkStartedAsync(decision);
        Assert.Equal(CaptureOutcome.Captured, result.Outcome);
        Assert.Equal(2, (await engine.PointsAsync(AssetKind.App, appId)).Count);

        // Qlik redelivers: recognised by event id.
        Assert.Equal(WebhookDecisionKind.Duplicate, (await engine.Webhooks.AcceptAsync(body, delivery.Signature)).Kind);
    }

    [Fact]
    public async Task A_late_older_event_does_not_make_an_older_than_newest_point()
    {
        await using CaptureEngine engine = env.CreateEngine();
        string appId = env.SharedApp(8);
        string webhookId = RegisterWebhook();
        string editor = env.Tenant.Read(s => s.FindApp(appId)!.OwnerId);

        env.RenameSheet(appId, new SimulatedActor(editor));
        WebhookDelivery older = await DeliveryAsync(webhookId, appId);
        env.RenameSheet(appId, new SimulatedActor(editor));
        WebhookDelivery newer = await DeliveryAsync(webhookId, appId, except: older.EventId);

        // The newer event arrives first and is captured; then the older one arrives.
        WebhookDecision first = await engine.Webhooks.AcceptAsync(Encoding.UTF8.GetBytes(newer.Body), newer.Signature);
        AssetCaptureResult captured = await engine.Capture.CaptureAssetAsync(first.Asset!, first.Tier, CaptureTrigger.Webhook);
        WebhookDecision late = await engine.Webhooks.AcceptAsync(Encoding.UTF8.GetBytes(older.Body), older.Signature);
        Assert.Equal(WebhookDecisionKind.Capture, late.Kind);
        AssetCaptureResult again = await engine.Capture.CaptureAssetAsync(late.Asset!, late.Tier, CaptureTrigger.Webhook);

        Assert.Equal(CaptureOutcome.Unchanged, again.Outcome);
        RecoveryPoint newest = Assert.Single(await engine.PointsAsync(AssetKind.App, appId));
        Assert.Equal(captured.PointId, newest.PointId);
        Assert.Equal(env.Tenant.Read(s => s.FindApp(appId)!.ModifiedDate), newest.SourceModifiedAt!.Value, TimeSpan.FromMilliseconds(1));
    }

    [Fact]
    public async Task Events_older_than_the_maximum_age_are_ignored()
    {
        await using CaptureEngine engine = env.CreateEngine(new Dictionary<string, string?> { ["Webhooks:MaxEventAge"] = "01:00:00" });
        var body = new JsonObject
        {
            ["eventId"] = Guid.NewGuid().ToString(), ["eventType"] = "com.qlik.v1.app.data.updated",
            ["eventTime"] = DateTimeOffset.UtcNow.AddHours(-2).ToString("O"),
            ["extensions"] = new JsonObject { ["topLevelResourceId"] = env.SharedApp(0) }, ["data"] = new JsonObject(),
        }.ToJsonString();
        byte[] bytes = Encoding.UTF8.GetBytes(body);

        WebhookDecision decision = await engine.Webhooks.AcceptAsync(bytes, WebhookDispatcher.Sign(body, CaptureEnvironment.WebhookSecret));

        Assert.Equal(WebhookDecisionKind.Ignored, decision.Kind);
        Assert.Contains("Webhooks:MaxEventAge", decision.Reason);
    }

    [Fact]
    public async Task A_signed_body_that_is_not_an_event_is_a_bad_request()
    {
        await using CaptureEngine engine = env.CreateEngine();
        byte[] body = Encoding.UTF8.GetBytes("{\"hello\":1}");
        WebhookDecision decision = await engine.Webhooks.AcceptAsync(body, QlikWebhookSignature.Compute(body, CaptureEnvironment.WebhookSecret));
        Assert.Equal((WebhookDecisionKind.Rejected400, 400), (decision.Kind, decision.HttpStatus));
    }

    [Fact]
    public async Task Without_a_configured_secret_every_delivery_is_refused()
    {
        await using CaptureEngine engine = env.CreateEngine(new Dictionary<string, string?> { ["Webhooks:Secret"] = "" });
        byte[] body = Encoding.UTF8.GetBytes("{}");
        WebhookDecision decision = await engine.Webhooks.AcceptAsync(body, QlikWebhookSignature.Compute(body, "x"));
        Assert.Equal(WebhookDecisionKind.Rejected401, decision.Kind);
        Assert.Contains("Webhooks:Secret", decision.Reason);
    }

    /// <summary>A tenant webhook for app saves, signed with the test secret, aimed at an address the simulator only records.</summary>
    string RegisterWebhook() => env.Tenant.Write(SimulatedActor.System, c =>
    {
        string id = Ids.NewObjectId();
        c.State.Resource(ResourceKinds.Webhooks).Add(new JsonObject
        {
            ["id"] = id, ["name"] = "capture test " + id, ["url"] = "https://receiver.invalid/qlik", ["enabled"] = true, ["level"] = "tenant",
            ["eventTypes"] = new JsonArray("com.qlik.v1.app.data.updated"), ["secret"] = CaptureEnvironment.WebhookSecret, ["headers"] = new JsonObject(),
            ["origin"] = "api", ["ownerId"] = c.Actor.UserId,
        });
        return id;
    });

    async Task<WebhookDelivery> DeliveryAsync(string webhookId, string appId, string? except = null)
    {
        await env.Simulator.FlushWebhooksAsync();
        return env.Tenant.WebhookDeliveries.Last(d => d.WebhookId == webhookId && d.Body.Contains(appId) && d.EventId != except);
    }
}
