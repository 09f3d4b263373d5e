using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using QlikBackup.Qlik.Contracts;

namespace QlikBackup.Qlik.Rest;

/// <summary>
/// Qlik Cloud REST client (paths, methods and bodies as in Qlik's OpenAPI; served under /api/v1).
/// Retries, Retry-After, concurrency and auth live in the HttpClient's handler pipeline (see AddQlikClient),
/// so this class only builds requests and reads answers.
/// </summary>
public sealed partial class QlikRestClient : IQlikRestClient
{
    private const string Api = "api/v1/";
    private static readonly MediaTypeHeaderValue JsonMediaType = new("application/json");

    private readonly HttpClient _http;
    private readonly QlikOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<QlikRestClient> _logger;

    public QlikRestClient(HttpClient http, IOptions<QlikOptions> options, TimeProvider time, ILogger<QlikRestClient> logger)
    {
        _http = http;
        _options = options.Value;
        _time = time;
        _logger = logger;
        if (_http.BaseAddress is null && _options.TenantUrl is not null) _http.BaseAddress = QlikClientBase(_options.TenantUrl);
    }

    /// <summary>The address every request path is resolved against: the tenant's scheme and authority.</summary>
    public static Uri QlikClientBase(Uri tenantUrl) => new(tenantUrl.GetLeftPart(UriPartial.Authority) + "/");

    private int PageSize => Math.Clamp(_options.PageSize, 1, 100);

    // ---------------------------------------------------------------- spaces

    public IAsyncEnumerable<QlikSpace> ListSpacesAsync(CancellationToken ct = default) =>
        Map(PageAsync($"{Api}spaces?limit={PageSize}", "data", ct), ToSpace, ct);

    public async Task<QlikSpace?> GetSpaceAsync(string spaceId, CancellationToken ct = default) =>
        await GetOrNullAsync($"{Api}spaces/{Esc(spaceId)}", ct).ConfigureAwait(false) is { } e ? ToSpace(e) : null;

    public async Task<QlikSpace> CreateSpaceAsync(string name, string type, string? description, CancellationToken ct = default) =>
        ToSpace(await SendJsonAsync(HttpMethod.Post, $"{Api}spaces", Obj(("name", name), ("type", type), ("description", description)), ct).ConfigureAwait(false));

    public async Task<QlikSpace> UpdateSpaceAsync(string spaceId, string name, string? description, string? ownerId, CancellationToken ct = default) =>
        ToSpace(await SendJsonAsync(HttpMethod.Put, $"{Api}spaces/{Esc(spaceId)}",
            Obj(("name", name), ("ownerId", ownerId), ("description", description)), ct).ConfigureAwait(false));

    public Task DeleteSpaceAsync(string spaceId, CancellationToken ct = default) =>
        SendJsonAsync(HttpMethod.Delete, $"{Api}spaces/{Esc(spaceId)}", null, ct);

    public IAsyncEnumerable<QlikSpaceAssignment> ListSpaceAssignmentsAsync(string spaceId, CancellationToken ct = default) =>
        Map(PageAsync($"{Api}spaces/{Esc(spaceId)}/assignments?limit={PageSize}", "data", ct), ToAssignment, ct);

    public async Task<QlikSpaceAssignment> CreateSpaceAssignmentAsync(
        string spaceId, string type, string assigneeId, IReadOnlyList<string> roles, CancellationToken ct = default) =>
        ToAssignment(await SendJsonAsync(HttpMethod.Post, $"{Api}spaces/{Esc(spaceId)}/assignments",
            Obj(("type", type), ("assigneeId", assigneeId), ("roles", new JsonArray(roles.Select(r => (JsonNode?)r).ToArray()))), ct).ConfigureAwait(false));

    public Task DeleteSpaceAssignmentAsync(string spaceId, string assignmentId, CancellationToken ct = default) =>
        SendJsonAsync(HttpMethod.Delete, $"{Api}spaces/{Esc(spaceId)}/assignments/{Esc(assignmentId)}", null, ct);

    // ---------------------------------------------------------------- items

    public IAsyncEnumerable<QlikItem> ListItemsAsync(string? resourceType = null, string? spaceId = null, CancellationToken ct = default)
    {
        // noActions=true: Qlik documents it as faster, and a backup never needs the per-item action list.
        var query = $"limit={PageSize}&noActions=true";
        if (resourceType is not null) query += $"&resourceType={Uri.EscapeDataString(resourceType)}";
        if (spaceId is not null) query += $"&spaceId={Uri.EscapeDataString(spaceId)}";
        return Map(PageAsync($"{Api}items?{query}", "data", ct), ToItem, ct);
    }

    // ---------------------------------------------------------------- audits

    public IAsyncEnumerable<QlikAuditEvent> ListAuditsAsync(
        DateTimeOffset? since = null, DateTimeOffset? until = null, string? eventType = null, CancellationToken ct = default)
    {
        var query = $"limit={PageSize}";
        if (since is not null || until is not null)
        {
            // eventTime takes an ISO 8601 interval START/END.
            var start = since ?? DateTimeOffset.UnixEpoch;
            var end = until ?? _time.GetUtcNow();
            query += $"&eventTime={Uri.EscapeDataString($"{Iso(start)}/{Iso(end)}")}";
        }
        if (eventType is not null) query += $"&eventType={Uri.EscapeDataString(eventType)}";
        return Map(PageAsync($"{Api}audits?{query}", "data", ct), ToAudit, ct);
    }

    private static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    // ---------------------------------------------------------------- plumbing

    internal static string Esc(string segment) => Uri.EscapeDataString(segment);

    /// <summary>A JSON object without the members whose value is null (Qlik treats explicit nulls differently from absent).</summary>
    internal static JsonObject Obj(params (string Key, JsonNode? Value)[] members)
    {
        var o = new JsonObject();
        foreach (var (key, value) in members)
            if (value is not null) o[key] = value;
        return o;
    }

    internal static HttpContent JsonBody(JsonNode body)
    {
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body));
        content.Headers.ContentType = JsonMediaType;
        return content;
    }

    /// <summary>Sends a request and returns its JSON answer (default for an empty body); errors throw <see cref="QlikApiException"/>.</summary>
    private async Task<JsonElement> SendJsonAsync(HttpMethod method, string path, JsonNode? body, CancellationToken ct, Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null) request.Content = JsonBody(body);
        configure?.Invoke(request);
        return await SendForJsonAsync(request, ct).ConfigureAwait(false);
    }

    private async Task<JsonElement> SendForJsonAsync(HttpRequestMessage request, CancellationToken ct)
    {
        using var response = await _http.SendAsync(request, ct).ConfigureAwait(false);
        return await ReadJsonAsync(response, ct).ConfigureAwait(false);
    }

    private static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (!response.IsSuccessStatusCode) throw await QlikErrors.ToExceptionAsync(response, ct).ConfigureAwait(false);
        var bytes = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
        if (bytes.Length == 0) return default;
        using var doc = JsonDocument.Parse(bytes);
        return doc.RootElement.Clone();
    }

    /// <summary>GET of a single resource: 404 → null (and 410, which themes answer for a deleted one).</summary>
    private async Task<JsonElement?> GetOrNullAsync(string path, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        using var response = await _http.SendAsync(request, ct).ConfigureAwait(false);
        if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Gone) return null;
        return await ReadJsonAsync(response, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Yields the elements of <paramref name="member"/> page by page, following <c>links.next.href</c> until it is absent.
    /// Whatever the service's cursor style (next, page, startingAfter, offset), the href carries it.
    /// The href's path and query are sent to the configured tenant, so a token never goes to another host.
    /// </summary>
    private async IAsyncEnumerable<JsonElement> PageAsync(string firstPath, string member, [EnumeratorCancellation] CancellationToken ct)
    {
        string? path = firstPath;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (path is not null)
        {
            if (!seen.Add(path))
                throw new InvalidOperationException($"Qlik returned links.next pointing to a page already read ({path}); stopping instead of looping.");
            var page = await SendJsonAsync(HttpMethod.Get, path, null, ct).ConfigureAwait(false);
            if (page.ValueKind == JsonValueKind.Object && page.TryGetProperty(member, out var items) && items.ValueKind == JsonValueKind.Array)
                foreach (var item in items.EnumerateArray()) yield return item;
            path = NextPath(page);
        }
    }

    private string? NextPath(JsonElement page)
    {
        var next = QlikJson.Obj(QlikJson.Obj(page, "links"), "next");
        var href = QlikJson.Str(next, "href");
        return href is null ? null : ToTenantPath(href, null);
    }

    /// <summary>Turns an href/Location (absolute or relative) into a path+query on the configured tenant.</summary>
    private string ToTenantPath(string href, Uri? relativeTo)
    {
        var baseUri = _http.BaseAddress ?? throw new InvalidOperationException("Qlik:TenantUrl is not configured.");
        var uri = new Uri(href, UriKind.RelativeOrAbsolute);
        if (!uri.IsAbsoluteUri) uri = new Uri(relativeTo ?? baseUri, uri);
        return uri.PathAndQuery.TrimStart('/');
    }

    private static async IAsyncEnumerable<T> Map<T>(IAsyncEnumerable<JsonElement> source, Func<JsonElement, T> map, [EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var e in source.WithCancellation(ct).ConfigureAwait(false)) yield return map(e);
    }

    // ---------------------------------------------------------------- mapping

    private static string Required(JsonElement e, string what, params ReadOnlySpan<string> names) =>
        QlikJson.Str(e, names) ?? throw new QlikApiException(200, [new QlikError("INVALID-RESPONSE", $"Qlik returned a {what} without {names[0]}", Truncate(e), 200)]);

    private static string Truncate(JsonElement e)
    {
        var raw = e.ValueKind == JsonValueKind.Undefined ? "" : e.GetRawText();
        return raw.Length <= 300 ? raw : raw[..300] + "…";
    }

    private static QlikSpace ToSpace(JsonElement e) => new(
        Required(e, "space", "id"), QlikJson.Str(e, "name") ?? "", QlikJson.Str(e, "type") ?? "", QlikJson.Str(e, "description"),
        QlikJson.Str(e, "ownerId"), QlikJson.Date(e, "updatedAt"), e);

    private static QlikSpaceAssignment ToAssignment(JsonElement e) => new(
        Required(e, "space assignment", "id"), QlikJson.Str(e, "type") ?? "", QlikJson.Str(e, "assigneeId") ?? "", QlikJson.Strings(e, "roles"), e);

    private static QlikItem ToItem(JsonElement e)
    {
        var size = e.TryGetProperty("resourceSize", out var rs)
            ? rs.ValueKind == JsonValueKind.Number && rs.TryGetInt64(out var n) ? n : QlikJson.Long(rs, "appFile")
            : null;
        return new QlikItem(
            Required(e, "item", "id"), QlikJson.Str(e, "name") ?? "", QlikJson.Str(e, "resourceType") ?? "", QlikJson.Str(e, "resourceSubType"),
            QlikJson.Str(e, "resourceId") ?? "", QlikJson.Str(e, "spaceId"), QlikJson.Str(e, "ownerId"),
            QlikJson.Date(e, "resourceUpdatedAt", "updatedAt"), size, e);
    }

    private static QlikAuditEvent ToAudit(JsonElement e)
    {
        var ext = QlikJson.Obj(e, "extensions");
        var actor = QlikJson.Obj(ext, "actor");
        // Which client acted: an explicit clientId on the actor when the service adds one, else an actor that is not a
        // user (spec: actor{sub, subType}); a user acting for itself names no client.
        var actorType = QlikJson.Str(actor, "subType");
        var clientId = QlikJson.Str(actor, "clientId")
            ?? (actorType is null or "user" or "system" ? null : QlikJson.Str(actor, "sub"));
        return new QlikAuditEvent(
            Required(e, "audit event", "id", "eventId"), QlikJson.Str(e, "eventType") ?? "",
            QlikJson.Date(e, "eventTime") ?? DateTimeOffset.MinValue, QlikJson.Str(e, "userId"), QlikJson.Str(e, "source"),
            QlikJson.Str(ext, "topLevelResourceId"), QlikJson.Str(ext, "spaceId"), clientId, e);
    }
}
