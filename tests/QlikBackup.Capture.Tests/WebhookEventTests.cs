using System.Text;
using System.Text.Json.Nodes;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Capture.Webhooks;

namespace QlikBackup.Capture.Tests;

public sealed class WebhookEventTests
{
    const string Secret = "0123456789abcdef-secret";

    [Fact]
    public void Signature_is_hex_hmac_sha256_of_the_body_in_either_case()
    {
        byte[] body = Encoding.UTF8.GetBytes("{\"eventType\":\"com.qlik.v1.app.data.updated\"}");
        string expected = Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), body));
        Assert.Equal(expected, QlikWebhookSignature.Compute(body, Secret));
        Assert.True(QlikWebhookSignature.Verify(body, expected, Secret));
        Assert.True(QlikWebhookSignature.Verify(body, expected.ToUpperInvariant(), Secret));
        Assert.True(QlikWebhookSignature.Verify(body, " sha256=" + expected + " ", Secret));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not-hex")]
    [InlineData("abcd")]
    [InlineData("0000000000000000000000000000000000000000000000000000000000000000")]
    public void Wrong_or_malformed_signatures_fail(string? header)
        => Assert.False(QlikWebhookSignature.Verify("{}"u8, header, Secret));

    [Theory]
    [InlineData(2000, null)]
    [InlineData(10, "\n")]
    [InlineData(10, "\u0000")]
    public void Event_ids_that_cannot_be_Qlik_event_ids_are_refused(int length, string? control)
    {
        string id = new string('e', length) + control;
        byte[] body = Encoding.UTF8.GetBytes(new JsonObject
        {
            ["eventId"] = id, ["eventType"] = "com.qlik.v1.app.updated", ["eventTime"] = "2026-01-01T00:00:00Z", ["data"] = new JsonObject { ["id"] = "app-1" },
        }.ToJsonString());

        Assert.False(WebhookEventParser.TryParse(body, out _, out string? error));
        Assert.Contains("eventId", error);
    }

    [Fact]
    public void Without_a_secret_nothing_verifies()
        => Assert.False(QlikWebhookSignature.Verify("{}"u8, QlikWebhookSignature.Compute("{}"u8, ""), null));

    [Theory]
    [InlineData("com.qlik.v1.app.data.updated", AssetKind.App, false)]
    [InlineData("com.qlik.app.data.updated", AssetKind.App, false)]
    [InlineData("com.qlik.v1.app.created", AssetKind.App, false)]
    [InlineData("com.qlik.app.published", AssetKind.App, false)]
    [InlineData("com.qlik.v1.app.reload.finished", AssetKind.App, false)]
    [InlineData("com.qlik.v1.app.object.owner.changed", AssetKind.App, false)]
    [InlineData("com.qlik.v1.app.deleted", AssetKind.App, true)]
    [InlineData("com.qlik.app.deleted", AssetKind.App, true)]
    [InlineData("com.qlik.space.updated", AssetKind.Space, false)]
    [InlineData("com.qlik.core.space.created", AssetKind.Space, false)]
    [InlineData("com.qlik.space.deleted", AssetKind.Space, true)]
    [InlineData("com.qlik.v1.user.created", AssetKind.User, false)]
    [InlineData("com.qlik.core.user.deleted", AssetKind.User, true)]
    [InlineData("com.qlik.v1.group.updated", AssetKind.Group, false)]
    [InlineData("com.qlik.v1.automation.updated", AssetKind.Automation, false)]
    [InlineData("com.qlik.v1.automation-connection.created", AssetKind.AutomationConnection, false)]
    [InlineData("com.qlik.v1.data-connection.deleted", AssetKind.DataConnection, true)]
    [InlineData("com.qlik.v1.webhook.updated", AssetKind.Webhook, false)]
    [InlineData("com.qlik.v1.theme.created", AssetKind.Theme, false)]
    [InlineData("com.qlik.v1.identity-provider.updated", AssetKind.IdentityProvider, false)]
    [InlineData("com.qlik.v1.api-key.created", AssetKind.ApiKey, false)]
    public void Asset_events_map_to_the_asset_they_name(string type, AssetKind kind, bool deleted)
    {
        WebhookTarget target = WebhookEventParser.Map(Event(type, dataId: "r1", topLevel: "r1"));
        Assert.Equal((WebhookTargetKind.Asset, kind, "r1", deleted), (target.Target, target.Kind, target.Id, target.ExpectDeleted));
    }

    [Fact]
    public void Reload_finished_of_the_reloads_api_names_the_app_in_data()
    {
        WebhookTarget target = WebhookEventParser.Map(Event("com.qlik.v1.reload.finished", dataId: "reload-1", appId: "app-9"));
        Assert.Equal((AssetKind.App, "app-9"), (target.Kind, target.Id));
    }

    [Fact]
    public void Space_assignment_events_capture_the_space()
    {
        WebhookTarget target = WebhookEventParser.Map(Event("com.qlik.space.assignment.created", dataId: "assignment-1", dataSpaceId: "space-1"));
        Assert.Equal((AssetKind.Space, "space-1", false), (target.Kind, target.Id, target.ExpectDeleted));
    }

    [Theory]
    [InlineData("com.qlik.v1.reload-task.updated")]
    [InlineData("com.qlik.v1.data-alert.created")]
    [InlineData("com.qlik.v1.sharing-task.deleted")]
    public void Schedules_alerts_and_subscriptions_capture_their_app(string type)
    {
        WebhookTarget withApp = WebhookEventParser.Map(Event(type, dataId: "task-1", appId: "app-1"));
        Assert.Equal((WebhookTargetKind.AttachedToApp, AssetKind.App, "app-1", false), (withApp.Target, withApp.Kind, withApp.Id, withApp.ExpectDeleted));
        WebhookTarget lookup = WebhookEventParser.Map(Event(type, dataId: "task-1"));
        Assert.Equal((WebhookTargetKind.AttachedToApp, null, "task-1"), (lookup.Target, lookup.Id, lookup.ResourceId));
    }

    [Theory]
    [InlineData("com.qlik.v1.app.exported")]
    [InlineData("com.qlik.v1.app.opened")]
    [InlineData("com.qlik.v1.automation.run.ended")]
    [InlineData("com.qlik.v1.api-key.validation.failed")]
    [InlineData("com.qlik.v1.rate-limit.exceeded")]
    [InlineData("com.qlik.license.assignment.created")]
    [InlineData("com.example.other")]
    public void Events_that_change_nothing_backed_up_are_ignored(string type)
        => Assert.Equal(WebhookTargetKind.Ignore, WebhookEventParser.Map(Event(type, dataId: "x", topLevel: "x")).Target);

    [Fact]
    public void Both_envelopes_parse()
    {
        byte[] v01 = Encoding.UTF8.GetBytes(new JsonObject
        {
            ["eventId"] = "e1", ["eventType"] = "com.qlik.v1.app.data.updated", ["eventTime"] = "2026-01-02T03:04:05.678Z",
            ["extensions"] = new JsonObject { ["topLevelResourceId"] = "app-1", ["spaceId"] = "s1" }, ["data"] = new JsonObject { ["id"] = "app-1" },
        }.ToJsonString());
        byte[] v10 = Encoding.UTF8.GetBytes(new JsonObject
        {
            ["specversion"] = "1.0", ["id"] = "e2", ["type"] = "com.qlik.app.data.updated", ["time"] = "2026-01-02T03:04:05Z",
            ["toplevelresourceid"] = "app-2", ["spaceid"] = "s2", ["data"] = new JsonObject(),
        }.ToJsonString());

        Assert.True(WebhookEventParser.TryParse(v01, out QlikWebhookEvent? a, out _));
        Assert.True(WebhookEventParser.TryParse(v10, out QlikWebhookEvent? b, out _));
        Assert.Equal(("e1", "app-1", "s1"), (a!.EventId, a.TopLevelResourceId, a.SpaceId));
        Assert.Equal(("e2", "app-2", "s2"), (b!.EventId, b.TopLevelResourceId, b.SpaceId));
        Assert.Equal(new DateTimeOffset(2026, 1, 2, 3, 4, 5, 678, TimeSpan.Zero), a.EventTime);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("{\"eventType\":\"com.qlik.v1.app.created\"}")]
    [InlineData("{\"eventId\":\"e\",\"eventType\":\"t\",\"eventTime\":\"yesterday\"}")]
    public void Bodies_that_are_not_events_say_why(string body)
    {
        Assert.False(WebhookEventParser.TryParse(Encoding.UTF8.GetBytes(body), out _, out string? error));
        Assert.False(string.IsNullOrWhiteSpace(error));
    }

    static QlikWebhookEvent Event(string type, string? dataId = null, string? appId = null, string? dataSpaceId = null, string? topLevel = null)
        => new("e-" + Guid.NewGuid().ToString("N"), type, DateTimeOffset.UtcNow, dataId, appId, dataSpaceId, topLevel, null);
}
