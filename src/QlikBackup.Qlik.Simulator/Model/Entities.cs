using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace QlikBackup.Qlik.Simulator.Model;

// Plain, mutable entities of the simulated tenant. They are only touched under SimulatedTenant's lock
// (SimulatedTenant.Read/Write) and serialise as-is for persistence (byte payloads are stored beside the JSON).

/// <summary>A tenant user. Roles are kept by name (TenantAdmin, Developer, ...); groups by group id.</summary>
public sealed class SimUser
{
    public required string Id { get; set; }
    public required string Name { get; set; }
    public string? Email { get; set; }
    public required string Subject { get; set; }
    public string Status { get; set; } = "active";
    public List<string> AssignedRoles { get; set; } = [];
    public List<string> AssignedGroups { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset LastUpdatedAt { get; set; }

    [JsonIgnore] public bool IsTenantAdmin => AssignedRoles.Contains("TenantAdmin", StringComparer.OrdinalIgnoreCase);
}

public sealed class SimGroup
{
    public required string Id { get; set; }
    public required string Name { get; set; }
    public string Status { get; set; } = "active";
    public string ProviderType { get; set; } = "idp";
    public List<string> AssignedRoles { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset LastUpdatedAt { get; set; }
}

/// <summary>An API key. <see cref="Token"/> is the bearer secret; the REST API shows it only in the create response.</summary>
public sealed class SimApiKey
{
    public required string Id { get; set; }
    public required string Token { get; set; }
    public required string Sub { get; set; }
    public string SubType { get; set; } = "user";
    public string Status { get; set; } = "active";
    public string Description { get; set; } = "";
    public DateTimeOffset Expiry { get; set; }
    public DateTimeOffset Created { get; set; }
    public DateTimeOffset LastUpdated { get; set; }
    public required string CreatedByUser { get; set; }
}

/// <summary>An OAuth client (machine-to-machine). client_credentials acts as <see cref="UserId"/>; the
/// impersonation grant is only honoured when <see cref="AllowedGrantTypes"/> contains it.</summary>
public sealed class SimOAuthClient
{
    public required string ClientId { get; set; }
    public required string ClientSecret { get; set; }
    public string ClientName { get; set; } = "";
    public required string UserId { get; set; }
    public List<string> AllowedGrantTypes { get; set; } = ["client_credentials"];
    public List<string> AllowedScopes { get; set; } = ["user_default", "admin_classic"];
    public DateTimeOffset CreatedAt { get; set; }

    public const string ImpersonationGrant = "urn:qlik:oauth:user-impersonation";
    [JsonIgnore] public bool AllowsImpersonation => AllowedGrantTypes.Contains(ImpersonationGrant);
}

/// <summary>An access token issued by POST /oauth/token.</summary>
public sealed class SimAccessToken
{
    public required string Token { get; set; }
    public required string ClientId { get; set; }
    public required string UserId { get; set; }
    public string Scope { get; set; } = "";
    public bool Impersonated { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
}

public static class SpaceTypes
{
    public const string Shared = "shared", Managed = "managed", Data = "data";
    public static readonly string[] All = [Shared, Managed, Data];
}

public sealed class SimSpace
{
    public required string Id { get; set; }
    public required string Name { get; set; }
    public required string Type { get; set; }
    public string Description { get; set; } = "";
    public required string OwnerId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public required string CreatedBy { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public sealed class SimSpaceAssignment
{
    public required string Id { get; set; }
    public required string SpaceId { get; set; }
    public string Type { get; set; } = "user"; // user | group
    public required string AssigneeId { get; set; }
    public List<string> Roles { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }
    public string? CreatedBy { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public string? UpdatedBy { get; set; }
}

/// <summary>An app: the REST attributes plus the engine document. <see cref="SpaceId"/> null = personal space of the owner.</summary>
public sealed class SimApp
{
    public required string Id { get; set; }
    public required string Name { get; set; }
    public string Description { get; set; } = "";
    public required string OwnerId { get; set; }
    public string? SpaceId { get; set; }
    public bool Published { get; set; }
    public DateTimeOffset? PublishTime { get; set; }
    public string? OriginAppId { get; set; }
    public DateTimeOffset CreatedDate { get; set; }
    public DateTimeOffset ModifiedDate { get; set; }
    public DateTimeOffset? LastReloadTime { get; set; }
    public string Usage { get; set; } = "ANALYTICS";
    public bool HasSectionAccess { get; set; }
    public bool Encrypted { get; set; }
    public string Thumbnail { get; set; } = "";
    public SimulatedAppDocument Document { get; set; } = new();
    /// <summary>Script versions served by /apps/{appId}/scripts (newest last). The document's Script is the current one.</summary>
    public List<SimScriptVersion> ScriptVersions { get; set; } = [];
}

/// <summary>Qlik's deletion lifecycle (reference §15).</summary>
public static class SoftDelete
{
    /// <summary>An app deleted within its first 45 minutes is hard-deleted at once.</summary>
    public static readonly TimeSpan HardDeleteBefore = TimeSpan.FromMinutes(45);

    /// <summary>How long a soft-deleted app is kept.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromDays(14);
}

/// <summary>An app in Qlik's soft-delete window: restorable with its own id until <see cref="PurgeAt"/>.</summary>
public sealed class SimDeletedApp
{
    public required SimApp App { get; set; }
    public DateTimeOffset DeletedAt { get; set; }
    public DateTimeOffset PurgeAt { get; set; }
}

public sealed class SimScriptVersion
{
    public required string ScriptId { get; set; }
    public required string Script { get; set; }
    public string VersionMessage { get; set; } = "";
    public DateTimeOffset ModifiedTime { get; set; }
    public string? ModifierId { get; set; }
}

public sealed class SimTheme
{
    public required string Id { get; set; }
    public required string Name { get; set; }
    public string Description { get; set; } = "";
    public string Version { get; set; } = "1.0.0";
    public string Author { get; set; } = "";
    public string Type { get; set; } = "theme";
    public string QextName { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    /// <summary>The uploaded zip archive (persisted as a separate file).</summary>
    [JsonIgnore] public byte[] Zip { get; set; } = [];
}

/// <summary>A stored audit event (also the body of webhook deliveries).</summary>
public sealed class SimAuditEvent
{
    public required string Id { get; set; }
    public required string EventId { get; set; }
    public required string EventType { get; set; }
    public string EventTypeVersion { get; set; } = "1.0.0";
    public DateTimeOffset EventTime { get; set; }
    public required string Source { get; set; }
    public string? UserId { get; set; }
    public required string TenantId { get; set; }
    public string ContentType { get; set; } = "application/json";
    public JsonObject Data { get; set; } = [];
    public JsonObject Extensions { get; set; } = [];
}

/// <summary>A temporary content (export result or upload). Not persisted: it expires anyway.</summary>
public sealed class SimTempContent
{
    public required string Id { get; set; }
    public required string Name { get; set; }
    public required byte[] Content { get; set; }
    public string? OwnerId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset Expires { get; set; }
}

/// <summary>One attempt to deliver an event to a webhook (kept for tests on <see cref="SimulatedTenant.WebhookDeliveries"/>).</summary>
public sealed record WebhookDelivery(
    string DeliveryId,
    string WebhookId,
    string EventId,
    string EventType,
    string Url,
    string Body,
    string? Signature,
    int? StatusCode,
    string? Error,
    DateTimeOffset At);

/// <summary>Who performs a request: the user, and the API key or OAuth client used (for audits).</summary>
public sealed record SimulatedActor(string UserId, string? ApiKeyId = null, string? ClientId = null, bool Impersonated = false)
{
    /// <summary>Changes made by the simulator itself (seeding, scheduled reloads).</summary>
    public static readonly SimulatedActor System = new("system");
}

/// <summary>Resource collection names for JSON-shaped resources kept generically (see <see cref="TenantState.Resources"/>).</summary>
public static class ResourceKinds
{
    public const string ReloadTasks = "reload-tasks";
    public const string Reloads = "reloads";
    public const string Automations = "automations";
    public const string AutomationConnections = "automation-connections";
    public const string DataConnections = "data-connections";
    public const string Webhooks = "webhooks";
    public const string IdentityProviders = "identity-providers";
    public const string DataAlerts = "data-alerts";
    public const string SharingTasks = "sharing-tasks";

    /// <summary>The id property of each kind's JSON documents (Qlik uses "qID" for data connections).</summary>
    public static string IdField(string kind) => kind == DataConnections ? "qID" : "id";

    public static readonly string[] All =
        [ReloadTasks, Reloads, Automations, AutomationConnections, DataConnections, Webhooks, IdentityProviders, DataAlerts, SharingTasks];
}
