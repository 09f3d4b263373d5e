using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace QlikBackup.Cli.Api;

/// <summary>A response body both typed (for tables) and as received (for --json).</summary>
/// <summary>A response body both typed (for tables) and as received (for --json); <see cref="Continuation"/> is a paged search's next-page token.</summary>
public sealed record ApiResponse<T>(T Value, string Json, string? Continuation = null);

/// <summary>Filters of GET /api/recovery-points; null = not filtered.</summary>
public sealed record PointQuery(
    string? Kind = null, string? AssetId = null, string? Name = null, string? OwnerId = null, string? SpaceId = null,
    DateTimeOffset? From = null, DateTimeOffset? To = null, int? Take = null, string? Continuation = null);

/// <summary>
/// Typed client of the QlikBackup HTTP API (Azure Functions or the local host: same routes under /api). Every failure
/// becomes one of the Api*Exception types so the commands can print a message and an exit code, never a stack trace.
/// </summary>
public sealed class QlikBackupApiClient(HttpClient http)
{
    public Uri BaseAddress => http.BaseAddress!;

    public Task<ApiResponse<OperationAccepted>> StartTierBackupAsync(string tier, CancellationToken ct) =>
        SendAsync<OperationAccepted>(HttpMethod.Post, "api/backups", new { tier }, ct);

    public Task<ApiResponse<OperationAccepted>> StartAssetBackupAsync(string kind, string assetId, string? spaceId, string? tier, CancellationToken ct) =>
        SendAsync<OperationAccepted>(HttpMethod.Post, "api/backups", new { kind, assetId, spaceId, tier }, ct);

    /// <summary>Exactly one of pointId, assetId (kind optional) or all.</summary>
    public Task<ApiResponse<OperationAccepted>> StartVerifyAsync(string? pointId, string? kind, string? assetId, bool all, CancellationToken ct) =>
        SendAsync<OperationAccepted>(HttpMethod.Post, "api/verify", new { pointId, kind, assetId, all }, ct);

    public Task<ApiResponse<OperationStatus>> GetOperationAsync(string id, CancellationToken ct) =>
        SendAsync<OperationStatus>(HttpMethod.Get, $"api/operations/{Uri.EscapeDataString(id)}", null, ct);

    /// <summary>A dry run answers the plan (200) and starts nothing.</summary>
    public Task<ApiResponse<RestorePlan>> PlanRestoreAsync(RestoreRequest request, CancellationToken ct) =>
        SendAsync<RestorePlan>(HttpMethod.Post, "api/restores", request with { DryRun = true }, ct);

    public Task<ApiResponse<OperationAccepted>> StartRestoreAsync(RestoreRequest request, CancellationToken ct) =>
        SendAsync<OperationAccepted>(HttpMethod.Post, "api/restores", request with { DryRun = false }, ct);

    public Task<ApiResponse<IReadOnlyList<RecoveryPoint>>> SearchPointsAsync(PointQuery query, CancellationToken ct)
    {
        var q = new List<string>();
        void Add(string key, string? value)
        {
            if (!string.IsNullOrWhiteSpace(value))
            {
                q.Add($"{key}={Uri.EscapeDataString(value)}");
            }
        }

        Add("kind", query.Kind);
        Add("assetId", query.AssetId);
        Add("name", query.Name);
        Add("ownerId", query.OwnerId);
        Add("spaceId", query.SpaceId);
        Add("from", query.From?.ToString("O"));
        Add("to", query.To?.ToString("O"));
        Add("take", query.Take?.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Add("continuation", query.Continuation);
        string path = q.Count == 0 ? "api/recovery-points" : "api/recovery-points?" + string.Join('&', q);
        return SendAsync<IReadOnlyList<RecoveryPoint>>(HttpMethod.Get, path, null, ct);
    }

    /// <summary>GET /api/restores/{id}: a restore's stored plan.</summary>
    public Task<ApiResponse<RestorePlan>> GetRestorePlanAsync(string restoreId, CancellationToken ct) =>
        SendAsync<RestorePlan>(HttpMethod.Get, $"api/restores/{Uri.EscapeDataString(restoreId)}", null, ct);

    /// <summary>POST /api/restores/{id}/execute: execute a stored plan.</summary>
    public Task<ApiResponse<OperationAccepted>> ExecuteRestorePlanAsync(string restoreId, CancellationToken ct) =>
        SendAsync<OperationAccepted>(HttpMethod.Post, $"api/restores/{Uri.EscapeDataString(restoreId)}/execute", new { }, ct);

    public Task<ApiResponse<RecoveryPoint>> GetPointAsync(string pointId, CancellationToken ct) =>
        SendAsync<RecoveryPoint>(HttpMethod.Get, $"api/recovery-points/{Uri.EscapeDataString(pointId)}", null, ct);

    public Task<ApiResponse<IReadOnlyList<RecoveryPoint>>> GetHistoryAsync(string kind, string assetId, int? take, CancellationToken ct) =>
        SendAsync<IReadOnlyList<RecoveryPoint>>(
            HttpMethod.Get, $"api/assets/{Uri.EscapeDataString(kind)}/{Uri.EscapeDataString(assetId)}/history" + (take is { } t ? $"?take={t}" : ""), null, ct);

    public Task<ApiResponse<PromoteResult>> PromoteAsync(string validationAppId, string? productionAppId, string? targetSpaceId, CancellationToken ct) =>
        SendAsync<PromoteResult>(HttpMethod.Post, "api/promotions", new { validationAppId, productionAppId, targetSpaceId }, ct);

    public Task<ApiResponse<SpaceTiers>> ListSpaceTiersAsync(CancellationToken ct) =>
        SendAsync<SpaceTiers>(HttpMethod.Get, "api/spaces/tiers", null, ct);

    /// <summary>The API's OpenAPI document, as served.</summary>
    public Task<ApiResponse<JsonElement?>> GetOpenApiDocumentAsync(CancellationToken ct) =>
        SendAsync<JsonElement?>(HttpMethod.Get, "api/openapi.json", null, ct);

    public Task<ApiResponse<StatusReport>> GetStatusAsync(CancellationToken ct) =>
        SendAsync<StatusReport>(HttpMethod.Get, "api/status", null, ct);

    public Task<ApiResponse<SpaceStatusReport>> GetSpaceStatusAsync(CancellationToken ct) =>
        SendAsync<SpaceStatusReport>(HttpMethod.Get, "api/status/spaces", null, ct);

    public Task<ApiResponse<OperationAccepted>> StartDrillAsync(object request, CancellationToken ct) =>
        SendAsync<OperationAccepted>(HttpMethod.Post, "api/drills", request, ct);

    public Task<ApiResponse<IReadOnlyList<DrillSummary>>> ListDrillsAsync(int? take, CancellationToken ct) =>
        SendAsync<IReadOnlyList<DrillSummary>>(HttpMethod.Get, take is null ? "api/drills" : $"api/drills?take={take}", null, ct);

    /// <summary>POST /api/drills/{id}/clean-up: run a finished Tenant drill's clean-up again (empty a kept standby, finish what was left behind).</summary>
    public Task<ApiResponse<OperationAccepted>> StartDrillCleanUpAsync(string id, CancellationToken ct) =>
        SendAsync<OperationAccepted>(HttpMethod.Post, $"api/drills/{Uri.EscapeDataString(id)}/clean-up", new { }, ct);

    /// <summary>GET /api/drills/{id}: the stored report, kept as JSON (the CLI renders its headline, assets and differences).</summary>
    public Task<ApiResponse<JsonElement>> GetDrillAsync(string id, CancellationToken ct) =>
        SendAsync<JsonElement>(HttpMethod.Get, $"api/drills/{Uri.EscapeDataString(id)}", null, ct);

    /// <summary>PUT /api/spaces/{id}/tier. The answer's shape is not fixed yet, so it is kept as JSON (null when empty).</summary>
    public Task<ApiResponse<JsonElement?>> SetSpaceTierAsync(string spaceId, string tier, CancellationToken ct) =>
        SendAsync<JsonElement?>(HttpMethod.Put, $"api/spaces/{Uri.EscapeDataString(spaceId)}/tier", new { tier }, ct);

    /// <summary>GET /api/compare: two points, or (pointB null) a point against the live asset.</summary>
    public Task<ApiResponse<RestoreComparison>> CompareAsync(string pointA, string? pointB, CancellationToken ct)
    {
        string path = $"api/compare?pointA={Uri.EscapeDataString(pointA)}";
        if (pointB is not null)
        {
            path += $"&pointB={Uri.EscapeDataString(pointB)}";
        }

        return SendAsync<RestoreComparison>(HttpMethod.Get, path, null, ct);
    }

    async Task<ApiResponse<T>> SendAsync<T>(HttpMethod method, string path, object? body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path);
        if (method == HttpMethod.Post)
        {
            // One key per call, kept across the client's retries: a POST whose answer was lost starts nothing twice.
            request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
        }
        if (body is not null)
        {
            // Buffered, so the request has a Content-Length (the API treats a body-less request differently).
            request.Content = new StringContent(JsonSerializer.Serialize(body, body.GetType(), ApiJson.Options), Encoding.UTF8, "application/json");
        }

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, ct);
        }
        catch (Exception ex) when (Unreachable(ex, ct) is string reason)
        {
            throw new ApiUnreachableException(BaseAddress, reason, ex);
        }

        using (response)
        {
            string text = await response.Content.ReadAsStringAsync(ct);
            if (!response.IsSuccessStatusCode)
            {
                throw Problem(method, path, response, text);
            }

            string? continuation = response.Headers.TryGetValues("X-Continuation", out var values) ? values.FirstOrDefault() : null;
            return new ApiResponse<T>(Deserialize<T>(method, path, text), text, continuation);
        }
    }

    static T Deserialize<T>(HttpMethod method, string path, string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            // Only the answers whose shape is open (JsonElement?) may be empty, e.g. a 204 from PUT.
            return typeof(T) == typeof(JsonElement?)
                ? default!
                : throw new ApiResponseException($"{method} /{Trim(path)} answered an empty body.");
        }

        try
        {
            return JsonSerializer.Deserialize<T>(text, ApiJson.Options)
                ?? throw new ApiResponseException($"{method} /{Trim(path)} answered null.");
        }
        catch (JsonException ex)
        {
            throw new ApiResponseException($"{method} /{Trim(path)} answered JSON this CLI cannot read ({ex.Message}). Is the URL a QlikBackup API of a matching version?", ex);
        }
    }

    /// <summary>Why nothing was answered, or null when the exception is something else (e.g. the user's Ctrl+C).</summary>
    static string? Unreachable(Exception ex, CancellationToken ct) => ex switch
    {
        HttpRequestException { InnerException: SocketException s } => s.SocketErrorCode switch
        {
            SocketError.ConnectionRefused => "connection refused (is the host running, and is the URL right?)",
            SocketError.HostNotFound or SocketError.NoData => "host not found",
            SocketError.TimedOut => "connection timed out",
            _ => s.Message,
        },
        HttpRequestException h => h.Message,
        Polly.Timeout.TimeoutRejectedException => "no answer in time",
        Polly.CircuitBreaker.BrokenCircuitException => "too many failed requests",
        OperationCanceledException when !ct.IsCancellationRequested => "no answer in time",
        _ => null,
    };

    ApiProblemException Problem(HttpMethod method, string path, HttpResponseMessage response, string text)
    {
        ProblemDetails? problem = null;
        if (!string.IsNullOrWhiteSpace(text))
        {
            try
            {
                problem = JsonSerializer.Deserialize<ProblemDetails>(text, ApiJson.Options);
            }
            catch (JsonException)
            {
                // Not problem details (e.g. an HTML error page from a proxy): fall back to the status below.
            }
        }

        HttpStatusCode status = response.StatusCode;
        string title = problem?.Title ?? response.ReasonPhrase ?? $"HTTP {(int)status}";
        string? detail = problem?.Detail ?? (problem is null ? FallbackDetail(method, path, status, text) : null);
        return new ApiProblemException(status, title, detail);
    }

    string FallbackDetail(HttpMethod method, string path, HttpStatusCode status, string text) => status switch
    {
        HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden =>
            "The function key was rejected or is missing: pass --key or set QLIKBACKUP_KEY.",
        HttpStatusCode.NotFound =>
            $"{method} /{Trim(path)} is not served at {BaseAddress} (wrong URL, or an endpoint this deployment does not have yet).",
        _ => string.IsNullOrWhiteSpace(text) ? $"{method} /{Trim(path)} answered {(int)status} with no details." : Shorten(text),
    };

    static string Trim(string path) => path.Split('?')[0];

    static string Shorten(string text)
    {
        string flat = new StringBuilder(text).Replace('\r', ' ').Replace('\n', ' ').ToString().Trim();
        return flat.Length <= 300 ? flat : flat[..300] + "…";
    }
}
