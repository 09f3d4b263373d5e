using System.Globalization;
using System.Text.Json;
using static QlikBackup.Core.Capture.JsonMembers;
using QlikBackup.Core.Assets;
using QlikBackup.Qlik.Contracts;

namespace QlikBackup.Core.Capture.Webhooks;

/// <summary>The members of a Qlik event the intake decides on. Both envelopes are read: the CloudEvents 0.1 style
/// (eventId, eventType, eventTime, extensions{...}) and CloudEvents 1.0 (id, type, time, extension attributes at the top).</summary>
public sealed record QlikWebhookEvent(
    string EventId, string EventType, DateTimeOffset EventTime, string? DataId, string? DataAppId, string? DataSpaceId,
    string? TopLevelResourceId, string? SpaceId);

public enum WebhookTargetKind
{
    /// <summary>Capture the asset named by <see cref="WebhookTarget.Kind"/> and <see cref="WebhookTarget.Id"/>.</summary>
    Asset,
    /// <summary>A reload task, data alert or subscription changed: capture its app (they are parts of the app's point).
    /// <see cref="WebhookTarget.Id"/> is the app id when the event names it, else null and <see cref="WebhookTarget.ResourceId"/>
    /// is looked up.</summary>
    AttachedToApp,
    Ignore,
}

public sealed record WebhookTarget(
    WebhookTargetKind Target, AssetKind Kind = AssetKind.App, string? Id = null, string? SpaceId = null, bool ExpectDeleted = false,
    QlikResourceKind? AttachedKind = null, string? ResourceId = null, string? IgnoreReason = null)
{
    public static WebhookTarget Ignore(string reason) => new(WebhookTargetKind.Ignore, IgnoreReason: reason);
}

/// <summary>
/// Reads Qlik webhook bodies and maps event types to what to capture. Every spelling of reference §10 is accepted:
/// <c>com.qlik.v1.app.*</c>, <c>com.qlik.app.*</c> (2026 renames), <c>com.qlik.core.*</c>, <c>com.qlik.v1.reload.finished</c>,
/// <c>com.qlik.space.*</c> (incl. assignment, share, settings), users, groups, automations, connections, webhooks, themes,
/// identity providers, API keys, and reload tasks / data alerts / sharing tasks (captured with their app).
/// </summary>
public static class WebhookEventParser
{
    /// <summary>Longest event id accepted; it stays a readable Durable instance id and Table key.</summary>
    public const int MaxEventIdLength = 200;

    static readonly Dictionary<string, AssetKind> ResourceKinds = new(StringComparer.Ordinal)
    {
        ["user"] = AssetKind.User,
        ["group"] = AssetKind.Group,
        ["automation"] = AssetKind.Automation,
        ["automation-connection"] = AssetKind.AutomationConnection,
        ["data-connection"] = AssetKind.DataConnection,
        ["webhook"] = AssetKind.Webhook,
        ["theme"] = AssetKind.Theme,
        ["identity-provider"] = AssetKind.IdentityProvider,
        ["api-key"] = AssetKind.ApiKey,
    };

    static readonly Dictionary<string, QlikResourceKind> AttachedKinds = new(StringComparer.Ordinal)
    {
        ["reload-task"] = QlikResourceKind.ReloadTask,
        ["data-alert"] = QlikResourceKind.DataAlert,
        ["sharing-task"] = QlikResourceKind.SharingTask,
    };

    /// <summary>App events that change nothing (several are caused by the backup itself).</summary>
    static readonly HashSet<string> ReadOnlyAppActions = new(StringComparer.Ordinal) { "exported", "opened" };

    public static bool TryParse(ReadOnlySpan<byte> body, out QlikWebhookEvent? parsed, out string? error)
    {
        parsed = null;
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(body.ToArray());
        }
        catch (JsonException ex)
        {
            error = $"The body is not JSON: {ex.Message}";
            return false;
        }

        using (doc)
        {
            JsonElement root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                error = "The body is not a JSON object.";
                return false;
            }

            JsonElement ext = Obj(root, "extensions");
            JsonElement data = Obj(root, "data");
            string? id = Str(root, "eventId") ?? Str(root, "id");
            string? type = Str(root, "eventType") ?? Str(root, "type");
            string? time = Str(root, "eventTime") ?? Str(root, "time");
            if (string.IsNullOrWhiteSpace(id) || string.IsNullOrWhiteSpace(type) || time is null)
            {
                error = "A Qlik event needs eventId (or id), eventType (or type) and eventTime (or time).";
                return false;
            }

            // Qlik's event ids are GUIDs; anything far from one is refused rather than made into keys and instance ids.
            if (id.Length > MaxEventIdLength || id.Any(char.IsControl))
            {
                error = $"eventId must be 1-{MaxEventIdLength} characters without control characters.";
                return false;
            }

            if (!DateTimeOffset.TryParse(time, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset at))
            {
                error = $"eventTime '{time}' is not a date.";
                return false;
            }

            parsed = new QlikWebhookEvent(
                id, type, at,
                Str(data, "id"), Str(data, "appId") ?? Str(data, "appid"), Str(data, "spaceId"),
                Str(ext, "topLevelResourceId") ?? Str(root, "topLevelResourceId") ?? Str(root, "toplevelresourceid"),
                Str(ext, "spaceId") ?? Str(root, "spaceId") ?? Str(root, "spaceid"));
            error = null;
            return true;
        }
    }

    public static WebhookTarget Map(QlikWebhookEvent e)
    {
        string? name = Normalize(e.EventType);
        if (name is null) return WebhookTarget.Ignore($"'{e.EventType}' is not a Qlik event type.");
        int dot = name.IndexOf('.');
        string resource = dot < 0 ? name : name[..dot];
        string action = dot < 0 ? "" : name[(dot + 1)..];
        bool deleted = action == "deleted";

        switch (resource)
        {
            case "app":
                if (ReadOnlyAppActions.Contains(action)) return WebhookTarget.Ignore($"'{e.EventType}' does not change the app.");
                return Asset(AssetKind.App, e.TopLevelResourceId ?? e.DataId ?? e.DataAppId, e.DataSpaceId ?? e.SpaceId, deleted, e);
            case "reload":
                return action == "finished"
                    ? Asset(AssetKind.App, e.DataAppId ?? e.TopLevelResourceId, e.DataSpaceId ?? e.SpaceId, false, e)
                    : WebhookTarget.Ignore($"'{e.EventType}' does not change the app.");
            case "space":
                // space.created|updated|deleted name the space; assignment.*, share.*, settings.* change the space's assignments/settings.
                bool aboutSpace = action is "created" or "updated" or "deleted";
                string? spaceId = aboutSpace ? e.DataId ?? e.TopLevelResourceId : e.DataSpaceId ?? e.SpaceId ?? e.TopLevelResourceId;
                return Asset(AssetKind.Space, spaceId, spaceId, deleted, e);
        }

        if (AttachedKinds.TryGetValue(resource, out QlikResourceKind attached))
        {
            return new WebhookTarget(WebhookTargetKind.AttachedToApp, AssetKind.App, e.DataAppId, e.DataSpaceId ?? e.SpaceId,
                AttachedKind: attached, ResourceId: e.DataId ?? e.TopLevelResourceId);
        }

        if (ResourceKinds.TryGetValue(resource, out AssetKind kind))
        {
            if (action.StartsWith("run.", StringComparison.Ordinal) || action.EndsWith("failed", StringComparison.Ordinal))
                return WebhookTarget.Ignore($"'{e.EventType}' does not change the {resource}.");
            return Asset(kind, e.DataId ?? e.TopLevelResourceId, e.DataSpaceId ?? e.SpaceId, deleted, e);
        }

        return WebhookTarget.Ignore($"'{e.EventType}' does not change a backed-up asset.");
    }

    static WebhookTarget Asset(AssetKind kind, string? id, string? spaceId, bool deleted, QlikWebhookEvent e)
        => string.IsNullOrEmpty(id)
            ? WebhookTarget.Ignore($"'{e.EventType}' event {e.EventId} does not name the {kind}.")
            : new WebhookTarget(WebhookTargetKind.Asset, kind, id, spaceId, deleted);

    /// <summary>"com.qlik.v1.app.data.updated", "com.qlik.app.data.updated", "com.qlik.core.space.updated" → "app.data.updated" ...</summary>
    static string? Normalize(string eventType)
    {
        string t = eventType.Trim().ToLowerInvariant();
        const string prefix = "com.qlik.";
        if (!t.StartsWith(prefix, StringComparison.Ordinal)) return null;
        t = t[prefix.Length..];
        foreach (string version in new[] { "v1.", "v2.", "core." })
        {
            if (t.StartsWith(version, StringComparison.Ordinal))
            {
                t = t[version.Length..];
                break;
            }
        }

        return t.Length == 0 ? null : t;
    }

    static JsonElement Obj(JsonElement e, string name)
        => e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.Object ? v.Clone() : default;
}
