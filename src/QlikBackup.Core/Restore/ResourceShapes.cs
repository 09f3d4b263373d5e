using System.Text.Json;
using System.Text.Json.Nodes;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Capture;
using QlikBackup.Qlik.Contracts;

namespace QlikBackup.Core.Restore;

/// <summary>
/// What restore needs to know per kind of REST resource: its collection, the fields Qlik sets itself (never sent back,
/// never compared), how to find an equivalent live resource when ids changed, and which secrets an operator must re-enter.
/// </summary>
public static class ResourceShapes
{
    /// <summary>Fields Qlik assigns or updates by itself (ids, owners, timestamps, run-time state).</summary>
    public static readonly IReadOnlySet<string> ReadOnlyFields = new HashSet<string>(StringComparer.Ordinal)
    {
        "id", "qID", "tenantId", "tenant", "ownerId", "userId", "createdAt", "updatedAt", "created", "updated", "createdDate",
        "modifiedDate", "lastUpdatedAt", "lastUpdated", "createdBy", "createdByUser", "createdByUserId", "updatedBy",
        "updatedByUserId", "lastExecutionTime", "nextExecutionTime", "log", "disabledCode", "links", "meta", "privileges",
        "lastRun", "lastRunAt", "lastRunStatus", "lastRunId", "executionToken", "lastReloadTime", "publishTime",
        "spaceId", "lastModifiedDate", "usage", "resourceUpdatedAt", "providerType",
        // Themes and extensions: Qlik's own spelling of their modified time.
        "updateAt",
        // Data alerts and sharing tasks: stamped by Qlik on create (a recreated one carries its own), never sent back.
        "dateCreated", "ownerName",
        // Themes: Qlik's own spelling of the update time.
        "updateAt",
    };

    /// <summary>Kept when sending a resource back although <see cref="ReadOnlyFields"/> lists them for comparison.</summary>
    static readonly IReadOnlyDictionary<AssetKind, string[]> KeptOnCreate = new Dictionary<AssetKind, string[]>
    {
        // Automations and connections belong to spaces (2025+); the space id is remapped if the space was recreated.
        [AssetKind.Automation] = ["spaceId"],
        [AssetKind.AutomationConnection] = ["spaceId"],
    };

    static readonly IReadOnlySet<string> ArrayParts = new HashSet<string>(StringComparer.Ordinal)
    {
        CapturePartNames.ReloadTasks, CapturePartNames.DataAlerts, CapturePartNames.Subscriptions, CapturePartNames.Assignments,
    };

    /// <summary>The REST collection of a kind; null for apps and spaces, which have their own endpoints.</summary>
    public static QlikResourceKind? RestKind(AssetKind kind)
        => kind is AssetKind.App or AssetKind.Space ? null : CaptureService.ResourceKindOf(kind);

    /// <summary>Restore order: what others reference comes first (groups before users, connections before automations, apps before their tasks).</summary>
    public static int Order(AssetKind kind) => kind switch
    {
        AssetKind.Group => 0,
        AssetKind.User => 1,
        AssetKind.IdentityProvider => 2,
        AssetKind.Space => 3,
        AssetKind.DataConnection => 4,
        AssetKind.AutomationConnection => 5,
        AssetKind.Theme => 6,
        AssetKind.Webhook => 7,
        AssetKind.Automation => 8,
        AssetKind.App => 9,
        AssetKind.ReloadTask => 10,
        AssetKind.DataAlert => 11,
        AssetKind.Subscription => 12,
        _ => 13,
    };

    /// <summary>Comparable form of a JSON part: REST documents without their read-only fields; Engine properties unchanged.</summary>
    public static JsonElement Normalize(string part, JsonElement json)
    {
        if (part == CapturePartNames.Resource && json.ValueKind == JsonValueKind.Object) return JsonTools.ToElement(Strip(json));
        if (part == CapturePartNames.App && json.ValueKind == JsonValueKind.Object)
        {
            var app = Strip(json);
            if (app["attributes"] is JsonObject attrs)
                foreach (var f in ReadOnlyFields) attrs.Remove(f);
            return JsonTools.ToElement(app);
        }
        if (ArrayParts.Contains(part) && json.ValueKind == JsonValueKind.Array)
        {
            // Order-insensitive: live listings and captures may order items differently.
            var items = json.EnumerateArray()
                .Select(e => e.ValueKind == JsonValueKind.Object ? JsonTools.ToElement(Strip(e)) : e)
                .OrderBy(e => e.GetRawText(), StringComparer.Ordinal);
            return JsonTools.ToElement(new JsonArray(items.Select(e => JsonNode.Parse(e.GetRawText())).ToArray()));
        }
        return json;
    }

    static JsonObject Strip(JsonElement doc) => JsonTools.Without(doc, ReadOnlyFields);

    /// <summary>The body to create or replace a resource from its captured document: read-only fields out, ids remapped.</summary>
    public static JsonElement Body(AssetKind kind, JsonElement captured, IReadOnlyDictionary<string, string> idMap)
    {
        var kept = KeptOnCreate.GetValueOrDefault(kind) ?? [];
        var body = JsonTools.Without(captured, ReadOnlyFields.Except(kept));
        return JsonTools.ToElement(JsonTools.Remap(body, idMap));
    }

    /// <summary>
    /// How a live resource is recognised when its id changed: users by IdP subject, connections and automations by name within
    /// their space (names are unique per space), the others by name; null = by id only.
    /// </summary>
    public static string? NaturalKey(AssetKind kind, JsonElement doc) => kind switch
    {
        AssetKind.User => JsonTools.GetString(doc, "subject") ?? JsonTools.GetString(doc, "email"),
        AssetKind.ReloadTask or AssetKind.DataAlert or AssetKind.ApiKey => null,
        AssetKind.DataConnection => JsonTools.GetString(doc, "qName") is { } n ? $"{n}@{JsonTools.GetString(doc, "space")}" : null,
        AssetKind.AutomationConnection or AssetKind.Automation => JsonTools.GetString(doc, "name") is { } n ? $"{n}@{JsonTools.GetString(doc, "spaceId")}" : null,
        _ => JsonTools.GetString(doc, "name"),
    };

    /// <summary>How Qlik lets a restore give a recreated resource back to its owner.</summary>
    public enum OwnerMeans { None, ChangeOwner, CreateAsOwner }

    /// <summary>
    /// Automations and automation connections have a change-owner action; data connections, data alerts, subscriptions (sharing
    /// tasks: Qlik makes the creator their owner) and reload tasks have none (a reload task runs as its creator), so they are created
    /// as their owner through impersonation (reference §5, §12, §13).
    /// </summary>
    public static OwnerMeans HowOwned(AssetKind kind) => kind switch
    {
        AssetKind.Automation or AssetKind.AutomationConnection => OwnerMeans.ChangeOwner,
        AssetKind.DataConnection or AssetKind.DataAlert or AssetKind.ReloadTask or AssetKind.Subscription => OwnerMeans.CreateAsOwner,
        _ => OwnerMeans.None,
    };

    /// <summary>The captured owner's user id: data connections name it "user", reload tasks "userId", subscriptions "owner", the others "ownerId".</summary>
    public static string? OwnerOf(AssetKind kind, JsonElement doc) => kind switch
    {
        AssetKind.DataConnection => JsonTools.GetString(doc, "user"),
        AssetKind.ReloadTask => JsonTools.GetString(doc, "userId"),
        AssetKind.Subscription => JsonTools.GetString(doc, "owner"),
        _ => JsonTools.GetString(doc, "ownerId"),
    } is { Length: > 0 } id ? id : null;

    /// <summary>Qlik's POST /groups creates custom groups only; groups of an identity provider come from the IdP.</summary>
    public static bool CanCreateGroup(JsonElement doc) => JsonTools.GetString(doc, "providerType") is null or "custom";

    /// <summary>The groups a captured user document names (assignedGroups: ids, or objects with id and name).</summary>
    public static IEnumerable<(string Id, string? Name)> AssignedGroups(JsonElement user)
    {
        if (!user.TryGetProperty("assignedGroups", out var groups) || groups.ValueKind != JsonValueKind.Array) yield break;
        foreach (var g in groups.EnumerateArray())
        {
            if (g.ValueKind == JsonValueKind.String) yield return (g.GetString()!, null);
            else if (JsonTools.GetString(g, "id") is { } id) yield return (id, JsonTools.GetString(g, "name"));
        }
    }

    /// <summary>A user body without the groups that do not exist (Qlik answers 400 "group does not exist" otherwise).</summary>
    public static JsonElement WithoutMissingGroups(JsonElement body, IReadOnlySet<string> liveGroups)
    {
        if (!body.TryGetProperty("assignedGroups", out var groups) || groups.ValueKind != JsonValueKind.Array) return body;
        var kept = new JsonArray(groups.EnumerateArray()
            .Where(g => (g.ValueKind == JsonValueKind.String ? g.GetString() : JsonTools.GetString(g, "id")) is { } id && liveGroups.Contains(id))
            .Select(g => JsonNode.Parse(g.GetRawText())).ToArray());
        return JsonTools.With(body, "assignedGroups", kept);
    }

    /// <summary>A display name for messages.</summary>
    public static string DisplayName(AssetKind kind, JsonElement doc, string fallback)
        => JsonTools.GetString(doc, "name") ?? JsonTools.GetString(doc, "qName") ?? JsonTools.GetString(doc, "description") ?? fallback;

    /// <summary>Secrets Qlik never returns, so the operator must supply them after the resource is recreated.</summary>
    public static IEnumerable<string> Checklist(AssetKind kind, string name, JsonElement doc)
    {
        switch (kind)
        {
            case AssetKind.Webhook:
                yield return $"Webhook '{name}': re-enter the signing secret and any encrypted headers (Qlik never returns them).";
                break;
            case AssetKind.DataConnection:
                // qLogOn is a flag ("0"/"1"), not a user: only qUsername names the account whose password is needed.
                yield return JsonTools.GetString(doc, "qUsername") is { Length: > 0 } user
                    ? $"Data connection '{name}': re-enter the password of user '{user}' (passwords and tokens are write-only)."
                    : $"Data connection '{name}': re-enter its credentials (passwords and tokens are write-only).";
                break;
            case AssetKind.AutomationConnection:
                yield return $"Automation connection '{name}': re-authenticate it (OAuth tokens and secret parameters are not returned).";
                break;
            case AssetKind.IdentityProvider:
                // Qlik creates an identity provider inactive; activating it before its secret is back would break sign-in.
                yield return JsonTools.GetBool(doc, "active")
                    ? $"Identity provider '{name}': re-enter its client secret and certificates, then activate it (Qlik creates it inactive)."
                    : $"Identity provider '{name}': re-enter its client secret and certificates.";
                break;
            case AssetKind.ApiKey:
                yield return $"API key '{name}' of user {JsonTools.GetString(doc, "sub") ?? "?"}: its token cannot be recreated; issue a new key and update its consumers.";
                break;
            case AssetKind.Automation when JsonTools.GetString(doc, "runMode") == "webhook":
                yield return $"Automation '{name}': its webhook URL and execution token are new; update the callers.";
                break;
        }
    }
}
