using System.Text.Json;

namespace QlikBackup.Qlik.Contracts;

/// <summary>
/// A Qlik REST resource as the API returned it. Backups keep <see cref="Raw"/> verbatim, so nothing the
/// typed fields leave out is lost; the typed fields are what capture and restore decide on.
/// </summary>
public record QlikResource(
    string Id,
    string? Name,
    string? SpaceId,
    string? OwnerId,
    DateTimeOffset? UpdatedAt,
    JsonElement Raw);

public sealed record QlikSpace(
    string Id, string Name, string Type, string? Description, string? OwnerId, DateTimeOffset? UpdatedAt, JsonElement Raw)
    : QlikResource(Id, Name, Id, OwnerId, UpdatedAt, Raw);

public sealed record QlikSpaceAssignment(string Id, string Type, string AssigneeId, IReadOnlyList<string> Roles, JsonElement Raw);

/// <summary>A row of the items catalog (GET /api/v1/items): the enumeration backbone.</summary>
public sealed record QlikItem(
    string Id, string Name, string ResourceType, string? ResourceSubType, string ResourceId, string? SpaceId,
    string? OwnerId, DateTimeOffset? ResourceUpdatedAt, long? ResourceSize, JsonElement Raw);

/// <summary>App attributes (GET /api/v1/apps/{appId}).</summary>
public sealed record QlikApp(
    string Id, string Name, string? Description, string? SpaceId, string? OwnerId, bool Published,
    DateTimeOffset? PublishTime, string? OriginAppId, DateTimeOffset? ModifiedDate, DateTimeOffset? LastReloadTime,
    JsonElement Raw);

/// <summary>An audit event (GET /api/v1/audits): who changed what, when, from which client.</summary>
public sealed record QlikAuditEvent(
    string Id, string EventType, DateTimeOffset EventTime, string? UserId, string? Source,
    string? TopLevelResourceId, string? SpaceId, string? ClientId, JsonElement Raw);

/// <summary>The resource collections a backup enumerates and recreates as JSON documents.</summary>
public enum QlikResourceKind
{
    ReloadTask,
    DataAlert,
    SharingTask,
    Automation,
    AutomationConnection,
    DataConnection,
    Webhook,
    Theme,
    IdentityProvider,
    User,
    Group,
    ApiKey,
}

/// <summary>Qlik's error body (<c>errors[]</c>) as a typed exception.</summary>
public sealed class QlikApiException : Exception
{
    public QlikApiException(int status, IReadOnlyList<QlikError> errors, string? traceId = null)
        : base(errors.Count > 0 ? $"Qlik API {status}: {errors[0].Code} {errors[0].Title} {errors[0].Detail}".TrimEnd() : $"Qlik API {status}")
    {
        Status = status;
        Errors = errors;
        TraceId = traceId;
    }

    public int Status { get; }
    public IReadOnlyList<QlikError> Errors { get; }
    public string? TraceId { get; }
    public string? Code => Errors.Count > 0 ? Errors[0].Code : null;
}

public sealed record QlikError(string? Code, string? Title, string? Detail, int? Status);
