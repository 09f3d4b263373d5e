using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using QlikBackup.Core.Capture;
using QlikBackup.Core.Restore;
using QlikBackup.Core.Storage;
using QlikBackup.Qlik.Contracts;

namespace QlikBackup.Functions.Api;

/// <summary>Handles one route. Everything it needs comes through the <see cref="ApiCall"/>.</summary>
public delegate Task<IActionResult> ApiHandler(ApiCall call);

/// <summary>A query parameter of a route, for the OpenAPI document.</summary>
public sealed record ApiQueryParameter(string Name, string Description, Type? Type = null, bool Required = false);

/// <summary>
/// One route of the HTTP API. <see cref="Template"/> is relative to "/api/" (as the Functions <c>Route</c> is).
/// <see cref="Body"/>, <see cref="Returns"/> and <see cref="Query"/> describe it in the OpenAPI document.
/// </summary>
public sealed partial record ApiRoute(string Method, string Template, string OperationId, ApiHandler Handler)
{
    public string Summary { get; init; } = "";

    public Type? Body { get; init; }

    public Type? Returns { get; init; }

    /// <summary>The status of success: 200, or 202 for a route that starts a Durable operation.</summary>
    public int Success { get; init; } = StatusCodes.Status200OK;

    public IReadOnlyList<ApiQueryParameter> Query { get; init; } = [];

    /// <summary>Problem statuses the route answers besides 400 (and 404 for a route with an id or a POST), e.g. 409.</summary>
    public IReadOnlyList<int> Problems { get; init; } = [];

    /// <summary>The media type of success; a page (the console, a drill report) is text/html.</summary>
    public string MediaType { get; init; } = "application/json";

    /// <summary>True only for callers that cannot send a function key (Qlik's webhook delivery signs instead).</summary>
    public bool Anonymous { get; init; }

    public string Path => "/api/" + Template;

    public IReadOnlyList<string> RouteParameters => Parameter().Matches(Template).Select(m => m.Groups[1].Value).ToList();

    [GeneratedRegex(@"\{([^}:?]+)[^}]*\}")]
    private static partial Regex Parameter();
}

/// <summary>
/// THE route table of the HTTP API. The local host maps every entry (LocalBackupHost.MapApi), the OpenAPI document
/// (docs/openapi.json) is generated from it, and the Function app has one [Function] per entry in Triggers/HttpApi*.cs.
/// Every handler runs through <see cref="ServeAsync"/> with the same <see cref="ApiCaller"/> rule on both hosts.
/// <para>To add a route:</para>
/// <list type="number">
/// <item>Write the handler, <c>static Task&lt;IActionResult&gt; X(ApiCall call)</c>, in an Api/*Api.cs file of its area;
/// read the body with <see cref="ApiResults.ReadAsync{T}"/>, answer with <see cref="ApiResults"/> (problem details on error).</item>
/// <item>Add one line to <see cref="All"/>: method, template (no leading "/api/"), operation id, handler, and
/// Body/Returns/Query for the document.</item>
/// <item>Add the trigger to the HttpApi partial class (Triggers/HttpApi.cs, or your own Triggers/HttpApi.{Area}.cs):
/// <c>[Function("OpId")] public Task&lt;IActionResult&gt; OpId([HttpTrigger(AuthorizationLevel.Function, "get", Route = "template")] HttpRequest request, [DurableClient] DurableTaskClient client, FunctionContext context) => Serve(request, client, context);</c>
/// The method name is the operation id; route values reach the handler through <see cref="ApiCall.Route"/>.</item>
/// <item>Regenerate docs/openapi.json: <c>QLIKBACKUP_UPDATE_OPENAPI=1 dotnet test tests/QlikBackup.LocalHost.Tests --filter OpenApiDocumentTests</c>
/// (twice: the second run serves the new file). RouteTableTests (Functions.Tests) and OpenApiDocumentTests fail until
/// table, triggers and document agree; BadInputTests wants a generator of malformed requests for the new route.</item>
/// </list>
/// </summary>
public static class ApiRoutes
{
    public static readonly IReadOnlyList<ApiRoute> All =
    [
        new("POST", "backups", "StartBackup", BackupApi.StartAsync)
            { Summary = "Back up a tier now, or one asset.", Body = typeof(BackupRequest), Returns = typeof(OperationAccepted), Success = 202 },
        new("GET", "operations/{id}", "GetOperation", BackupApi.GetAsync)
            { Summary = "Status and, once finished, output of an operation this API started.", Returns = typeof(OperationStatus) },
        new("POST", "restores", "StartRestore", RestoreApi.StartAsync)
            { Summary = "Plan a restore and start it (or answer the plan for a dry run).", Body = typeof(RestoreRequest), Returns = typeof(OperationAccepted), Success = 202 },
        new("GET", "restores/{id}", "GetRestore", RestoreApi.GetAsync)
            { Summary = "The stored plan of a restore (the plan its operation executes).", Returns = typeof(RestorePlan) },
        new("POST", "restores/{id}/execute", "ExecuteRestorePlan", RestoreApi.ExecuteAsync)
            { Summary = "Execute a stored plan by its id; 409 with what changed when the tenant no longer matches it.", Returns = typeof(OperationAccepted), Success = 202 },
        new("GET", "recovery-points", "SearchRecoveryPoints", RecoveryPointApi.SearchAsync)
            { Summary = "Search recovery points.", Returns = typeof(IReadOnlyList<Core.Assets.RecoveryPoint>), Query = RecoveryPointApi.SearchParameters },
        new("GET", "recovery-points/{pointId}", "GetRecoveryPoint", RecoveryPointApi.GetAsync)
            { Summary = "One recovery point.", Returns = typeof(Core.Assets.RecoveryPoint) },
        new("GET", "assets/{kind}/{assetId}/history", "GetAssetHistory", RecoveryPointApi.HistoryAsync)
            { Summary = "An asset's recovery points, newest first, with who changed it before each.", Returns = typeof(IReadOnlyList<Core.Assets.RecoveryPoint>), Query = RecoveryPointApi.HistoryParameters },
        new("GET", "compare", "Compare", CompareApi.CompareAsync)
            { Summary = "Compare two points of an asset, or a point and the live asset.", Returns = typeof(RestoreComparison), Query = CompareApi.CompareParameters },
        new("POST", "promotions", "Promote", CompareApi.PromoteAsync)
            { Summary = "Promote a validated app (restored into a validation space) into production.", Body = typeof(PromoteBody), Returns = typeof(PromoteResult) },
        new("GET", "status", "GetStatus", StatusApi.GetAsync)
            { Summary = "Per tier: newest run, newest clean run, RPO breach.", Returns = typeof(StatusResponse) },
        new("GET", "status/spaces", "GetSpaceStatus", StatusApi.SpacesAsync)
            { Summary = "Per space: its tier, when it was last protected (newest good point or clean run) and RPO breach.", Returns = typeof(SpaceStatusResponse) },
        new("GET", "spaces/tiers", "ListSpaceTiers", SpaceTierApi.ListAsync)
            { Summary = "The space → tier map and the default tier.", Returns = typeof(SpaceTiersResponse) },
        new("PUT", "spaces/{spaceId}/tier", "SetSpaceTier", SpaceTierApi.SetAsync)
            { Summary = "Assign a space to a tier.", Body = typeof(SpaceTierRequest), Returns = typeof(SpaceTierResponse) },
        new("POST", "drills", "StartDrill", DrillApi.StartAsync)
            { Summary = "Start a recovery drill: a sample of a tier, a space, or a tier into isolated drill spaces; or the whole tenant (scope Tenant) into the empty standby tenant (Drill:Standby).", Body = typeof(Core.Drill.DrillRequest), Returns = typeof(OperationAccepted), Success = 202 },
        new("GET", "drills", "ListDrills", DrillApi.ListAsync)
            { Summary = "Drills, newest first, with their headline.", Returns = typeof(IReadOnlyList<Core.Drill.DrillReportSummary>), Query = [new("take", "how many (1-1000, default 50)", typeof(int))] },
        new("GET", "drills/{id}", "GetDrill", DrillApi.GetAsync)
            { Summary = "A drill's report (JSON; the HTML page with Accept: text/html).", Returns = typeof(Core.Drill.DrillReport) },
        new("GET", "drills/{id}/report.html", "GetDrillReportHtml", DrillApi.GetHtmlAsync)
            { Summary = "A drill's report as a readable HTML page.", MediaType = "text/html" },
        new("POST", "drills/{id}/clean-up", "StartDrillCleanUp", DrillApi.CleanUpAsync)
            { Summary = "Run a finished Tenant drill's clean-up again: empty a standby kept for inspection (keepStandby), or remove what an earlier clean-up left behind. Removes exactly what the drill added; the result is the operation's output and part of the drill's report. 409 while the drill is still running.", Returns = typeof(OperationAccepted), Success = 202, Problems = [StatusCodes.Status409Conflict] },
        new("POST", "webhooks/qlik", "QlikWebhook", WebhookApi.ReceiveAsync)
            { Summary = "Qlik's signed event delivery (Qlik-Signature).", Returns = typeof(OperationAccepted), Success = 202, Anonymous = true },
        new("GET", "openapi.json", "GetOpenApiDocument", ApiDocumentApi.GetAsync)
            { Summary = "This API's OpenAPI 3.1 document." },
        new("GET", "console", "GetConsole", ConsoleApi.GetAsync)
            { Summary = "The recovery console: one HTML page that calls this API (open it with the key as ?code=).", MediaType = "text/html" },
        new("POST", "verify", "StartVerify", VerifyApi.StartAsync)
            { Summary = "Re-read and authenticate every blob of a point, an asset, or the whole store.", Body = typeof(Core.Verify.VerifyRequest), Returns = typeof(OperationAccepted), Success = 202 },
    ];

    public static ApiRoute ByOperationId(string operationId) =>
        All.SingleOrDefault(r => r.OperationId == operationId) ?? throw new InvalidOperationException($"No route has operation id '{operationId}'.");

    /// <summary>
    /// Runs a route's handler. An exception a handler did not turn into a result still answers a problem document:
    /// a bad request (<see cref="ApiProblemException"/>, <see cref="RestoreRequestException"/>) its 4xx, anything else 500.
    /// </summary>
    public static async Task<IActionResult> ServeAsync(ApiRoute route, ApiCall call)
    {
        try
        {
            return await route.Handler(call);
        }
        catch (ApiProblemException ex)
        {
            return ApiResults.Problem(ex.Status, ex.Title, ex.Message, ex.Field);
        }
        catch (RestoreRequestException ex)
        {
            return ApiResults.Problem(ex.Status, ex.Title, ex.Message);
        }
        catch (ContentIntegrityException ex)
        {
            // A point whose blobs are missing or altered: the request was fine, the backup is not.
            return ApiResults.Problem(ContentIntegrityException.Status, ContentIntegrityException.Title, ex.Message, "pointId");
        }
        catch (OperationCanceledException) when (call.Aborted.IsCancellationRequested)
        {
            return ApiResults.Problem(499, "Request aborted", "The caller closed the request.");
        }
        catch (InvalidSpaceIdException ex)
        {
            return ApiResults.Problem(400, "Invalid spaceId", ex.Message, "spaceId");
        }
        catch (QlikApiException ex) when (ex.Status == 404)
        {
            return ApiResults.Problem(404, "Not found in Qlik", $"Qlik has no such asset: {ex.Message}");
        }
        catch (QlikApiException ex)
        {
            return ApiResults.Problem(502, "Qlik refused the call", $"{ex.Message} Retry later; if it persists, check the tenant and the backup principal's roles.");
        }
        catch (Exception ex)
        {
            // A bug or an outage, not the caller's input: logged in full, answered as a problem without internals.
            call.Services.GetService<ILoggerFactory>()?.CreateLogger(typeof(ApiRoutes)).LogError(ex, "{OperationId} failed.", route.OperationId);
            return ApiResults.Problem(500, "Unexpected error", "The server failed to handle the request; it is logged. Retry, and report it if it persists.");
        }
    }
}

/// <summary>A bad request found while handling it: answered as a problem document naming <see cref="Field"/>.</summary>
public sealed class ApiProblemException(int status, string title, string detail, string? field = null) : Exception(detail)
{
    public int Status { get; } = status;

    public string Title { get; } = title;

    public string? Field { get; } = field;
}
