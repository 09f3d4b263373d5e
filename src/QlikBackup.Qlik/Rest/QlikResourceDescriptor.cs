using QlikBackup.Qlik.Contracts;

namespace QlikBackup.Qlik.Rest;

/// <summary>How a resource collection is updated, per Qlik's OpenAPI.</summary>
internal enum ReplaceMode
{
    /// <summary>PUT /{id} answers 200 with the resource.</summary>
    Put,
    /// <summary>PUT /{id} answers 204; the resource is read back with GET.</summary>
    PutNoContent,
    /// <summary>No PUT: JSON Patch <c>replace</c> ops for the patchable members present in the body, then GET.</summary>
    JsonPatch,
    /// <summary>PATCH multipart (<c>data</c> part), then GET (themes).</summary>
    MultipartPatch,
}

/// <summary>
/// Where a <see cref="QlikResourceKind"/> lives and how its members are named. Member names differ per service
/// (data connections use qID/qName/space, themes userId/updateAt, ...), so each kind lists its candidates.
/// </summary>
internal sealed record QlikResourceDescriptor(
    string Path,
    string ListMember,
    string[] IdMembers,
    string[] NameMembers,
    string[] SpaceMembers,
    string[] OwnerMembers,
    ReplaceMode Replace,
    string[] PatchPaths,
    string? ListQuery = null,
    bool Paged = true,
    bool CreateIsMultipart = false)
{
    public static readonly string[] UpdatedMembers = ["updatedAt", "updated", "lastUpdated", "lastUpdatedAt", "updateAt", "modifiedDate"];

    private static readonly string[] Id = ["id"];
    private static readonly string[] Name = ["name"];
    private static readonly string[] SpaceId = ["spaceId"];
    private static readonly string[] None = [];

    private static readonly Dictionary<QlikResourceKind, QlikResourceDescriptor> All =
        Enum.GetValues<QlikResourceKind>().ToDictionary(k => k, Create);

    public static QlikResourceDescriptor For(QlikResourceKind kind) =>
        All.TryGetValue(kind, out var d) ? d : throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown Qlik resource kind.");

    private static QlikResourceDescriptor Create(QlikResourceKind kind) => kind switch
    {
        QlikResourceKind.ReloadTask => new("reload-tasks", "data", Id, None, SpaceId, ["userId"], ReplaceMode.Put, None),
        QlikResourceKind.DataAlert => new("data-alerts", "tasks", Id, Name, SpaceId, ["ownerId"], ReplaceMode.JsonPatch,
            ["/ownerId", "/conditionId", "/bookmarkId", "/name", "/description", "/throttling", "/triggerType", "/scheduleOptions"]),
        QlikResourceKind.SharingTask => new("sharing-tasks", "sharingTasks", Id, Name, SpaceId, ["ownerId", "owner"], ReplaceMode.JsonPatch,
            ["/name", "/tags", "/ownerId", "/enabled", "/description", "/scheduleOptions", "/templates", "/recipients", "/sharePointFolder", "/dataConnectionID", "/transportChannels"]),
        QlikResourceKind.Automation => new("automations", "data", Id, Name, SpaceId, ["ownerId"], ReplaceMode.Put, None),
        // listAll: an admin sees every user's connections, not only its own.
        QlikResourceKind.AutomationConnection => new("automation-connections", "data", Id, Name, SpaceId, ["ownerId"], ReplaceMode.Put, None, ListQuery: "listAll=true"),
        QlikResourceKind.DataConnection => new("data-connections", "data", ["qID", "id"], ["qName", "name"], ["space", "spaceId"], ["user", "owner", "ownerId"], ReplaceMode.PutNoContent, None),
        QlikResourceKind.Webhook => new("webhooks", "data", Id, Name, None, ["ownerId", "createdByUserId"], ReplaceMode.Put, None),
        // GET /themes returns the whole list (no limit/next).
        QlikResourceKind.Theme => new("themes", "data", Id, Name, None, ["userId"], ReplaceMode.MultipartPatch, None, Paged: false, CreateIsMultipart: true),
        QlikResourceKind.IdentityProvider => new("identity-providers", "data", Id, ["description"], None, None, ReplaceMode.JsonPatch,
            ["/active", "/description", "/meta", "/options", "/pendingOptions", "/postLogoutRedirectUri", "/clockToleranceSec"]),
        QlikResourceKind.User => new("users", "data", Id, Name, None, None, ReplaceMode.JsonPatch,
            ["/name", "/assignedRoles", "/assignedGroups", "/status", "/preferredZoneinfo", "/preferredLocale"]),
        // The groups PATCH schema names the member without a leading slash.
        QlikResourceKind.Group => new("groups", "data", Id, Name, None, None, ReplaceMode.JsonPatch, ["assignedRoles"]),
        QlikResourceKind.ApiKey => new("api-keys", "data", Id, ["description"], None, ["sub", "createdByUser"], ReplaceMode.JsonPatch, ["/description"]),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown Qlik resource kind."),
    };
}
