using System.Text.Json;

namespace QlikBackup.Qlik.Contracts;

/// <summary>
/// Typed access to Qlik Cloud's REST API (/api/v1/...). Lists follow <c>links.next</c> until it is absent.
/// 404 on a single-resource read returns null; every other error status throws <see cref="QlikApiException"/>.
/// </summary>
public interface IQlikRestClient
{
    // Spaces
    IAsyncEnumerable<QlikSpace> ListSpacesAsync(CancellationToken ct = default);
    Task<QlikSpace?> GetSpaceAsync(string spaceId, CancellationToken ct = default);
    Task<QlikSpace> CreateSpaceAsync(string name, string type, string? description, CancellationToken ct = default);
    Task<QlikSpace> UpdateSpaceAsync(string spaceId, string name, string? description, string? ownerId, CancellationToken ct = default);
    Task DeleteSpaceAsync(string spaceId, CancellationToken ct = default);
    IAsyncEnumerable<QlikSpaceAssignment> ListSpaceAssignmentsAsync(string spaceId, CancellationToken ct = default);
    Task<QlikSpaceAssignment> CreateSpaceAssignmentAsync(string spaceId, string type, string assigneeId, IReadOnlyList<string> roles, CancellationToken ct = default);
    Task DeleteSpaceAssignmentAsync(string spaceId, string assignmentId, CancellationToken ct = default);

    // Items catalog. spaceId may be "personal".
    IAsyncEnumerable<QlikItem> ListItemsAsync(string? resourceType = null, string? spaceId = null, CancellationToken ct = default);

    // Apps
    Task<QlikApp?> GetAppAsync(string appId, CancellationToken ct = default);
    Task<QlikApp> CreateAppAsync(string name, string? description, string? spaceId, CancellationToken ct = default);
    Task<QlikApp> UpdateAppAsync(string appId, string name, string? description, CancellationToken ct = default);
    Task DeleteAppAsync(string appId, CancellationToken ct = default);
    /// <summary>POST /apps/{id}/export then streams the temp content; a reset mid-download resumes with Range.</summary>
    Task<Stream> ExportAppAsync(string appId, bool noData = false, CancellationToken ct = default);
    /// <summary>POST /apps/import with the QVF streamed as the request body; Qlik assigns a new app id.</summary>
    Task<QlikApp> ImportAppAsync(Stream qvf, string? spaceId, string? name, CancellationToken ct = default);
    Task<QlikApp> CopyAppAsync(string appId, string name, string? spaceId, CancellationToken ct = default);
    /// <summary>POST /apps/{id}/publish. <paramref name="originAppId"/> names the copy's source app when it is not <paramref name="appId"/>;
    /// <paramref name="moveApp"/> removes <paramref name="appId"/> once published.</summary>
    Task<QlikApp> PublishAppAsync(string appId, string managedSpaceId, string? name = null, string? originAppId = null, bool moveApp = false, CancellationToken ct = default);
    /// <summary>PUT /apps/{id}/publish over <paramref name="targetAppId"/>; <paramref name="checkOriginAppId"/> false republishes over a copy
    /// whose source link names another app, which then names <paramref name="appId"/> (relinking a copy to a restored source).</summary>
    Task<QlikApp> RepublishAppAsync(string appId, string targetAppId, bool checkOriginAppId = true, CancellationToken ct = default);
    Task MoveAppToSpaceAsync(string appId, string spaceId, CancellationToken ct = default);
    /// <summary>POST /api/analytics/apps/{appId}/actions/restore: Qlik brings a soft-deleted app back with the same id (reference §15).
    /// Null when Qlik answers 404 (unknown, hard-deleted, past purgeAt, or not deleted); 403 throws.</summary>
    Task<QlikApp?> RestoreDeletedAppAsync(string appId, CancellationToken ct = default);
    Task ChangeAppOwnerAsync(string appId, string ownerId, CancellationToken ct = default);
    Task ChangeAppObjectOwnerAsync(string appId, string objectId, string ownerId, CancellationToken ct = default);

    // Resource collections kept as JSON documents (reload tasks, automations, connections, webhooks, ...).
    IAsyncEnumerable<QlikResource> ListAsync(QlikResourceKind kind, CancellationToken ct = default);
    Task<QlikResource?> GetAsync(QlikResourceKind kind, string id, CancellationToken ct = default);
    /// <summary>Creates the resource from a body in the shape the create endpoint takes; returns it with its new id.</summary>
    Task<QlikResource> CreateAsync(QlikResourceKind kind, JsonElement body, CancellationToken ct = default);
    /// <summary>Creates the resource as <paramref name="asUserId"/> (OAuth impersonation), so Qlik makes that user its owner.</summary>
    Task<QlikResource> CreateAsAsync(QlikResourceKind kind, JsonElement body, string asUserId, CancellationToken ct = default);
    /// <summary>Qlik's change-owner action (automations, automation connections); <see cref="NotSupportedException"/> for kinds without one.</summary>
    Task ChangeOwnerAsync(QlikResourceKind kind, string id, string ownerId, CancellationToken ct = default);
    Task<QlikResource> ReplaceAsync(QlikResourceKind kind, string id, JsonElement body, CancellationToken ct = default);
    Task DeleteAsync(QlikResourceKind kind, string id, CancellationToken ct = default);
    /// <summary>Themes (and extensions) are zip archives: GET /themes/{id}/file.</summary>
    Task<Stream> DownloadThemeAsync(string themeId, CancellationToken ct = default);
    Task<QlikResource> UploadThemeAsync(Stream zip, string fileName, CancellationToken ct = default);

    // Audits: change attribution.
    IAsyncEnumerable<QlikAuditEvent> ListAuditsAsync(DateTimeOffset? since = null, DateTimeOffset? until = null, string? eventType = null, CancellationToken ct = default);
}
