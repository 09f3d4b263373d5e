using System.Runtime.CompilerServices;
using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using QlikBackup.Functions.Api;

namespace QlikBackup.Functions.Triggers;

/// <summary>
/// The HTTP API on Azure Functions: one [Function] per entry of <see cref="ApiRoutes.All"/> (Azure Functions needs a
/// method per route), named by its operation id, each only handing the request to <see cref="Serve"/>. Partial: an
/// area may keep its triggers in its own HttpApi.{Area}.cs. RouteTableTests proves these cover exactly the table.
/// </summary>
public sealed partial class HttpApi
{
    [Function("StartBackup")]
    public Task<IActionResult> StartBackup(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "backups")] HttpRequest request, [DurableClient] DurableTaskClient client, FunctionContext context)
        => Serve(request, client, context);

    [Function("GetOperation")]
    public Task<IActionResult> GetOperation(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "operations/{id}")] HttpRequest request, [DurableClient] DurableTaskClient client, FunctionContext context)
        => Serve(request, client, context);

    [Function("StartRestore")]
    public Task<IActionResult> StartRestore(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "restores")] HttpRequest request, [DurableClient] DurableTaskClient client, FunctionContext context)
        => Serve(request, client, context);

    [Function("GetRestore")]
    public Task<IActionResult> GetRestore(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "restores/{id}")] HttpRequest request, [DurableClient] DurableTaskClient client, FunctionContext context)
        => Serve(request, client, context);

    /// <summary>Not "ExecuteRestore": it names what the API does, apart from the activities (ExecuteRestoreBatch); function names are unique in the app.</summary>
    [Function("ExecuteRestorePlan")]
    public Task<IActionResult> ExecuteRestorePlan(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "restores/{id}/execute")] HttpRequest request, [DurableClient] DurableTaskClient client, FunctionContext context)
        => Serve(request, client, context);

    [Function("SearchRecoveryPoints")]
    public Task<IActionResult> SearchRecoveryPoints(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "recovery-points")] HttpRequest request, [DurableClient] DurableTaskClient client, FunctionContext context)
        => Serve(request, client, context);

    [Function("GetRecoveryPoint")]
    public Task<IActionResult> GetRecoveryPoint(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "recovery-points/{pointId}")] HttpRequest request, [DurableClient] DurableTaskClient client, FunctionContext context)
        => Serve(request, client, context);

    [Function("GetAssetHistory")]
    public Task<IActionResult> GetAssetHistory(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "assets/{kind}/{assetId}/history")] HttpRequest request, [DurableClient] DurableTaskClient client, FunctionContext context)
        => Serve(request, client, context);

    [Function("Compare")]
    public Task<IActionResult> Compare(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "compare")] HttpRequest request, [DurableClient] DurableTaskClient client, FunctionContext context)
        => Serve(request, client, context);

    [Function("Promote")]
    public Task<IActionResult> Promote(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "promotions")] HttpRequest request, [DurableClient] DurableTaskClient client, FunctionContext context)
        => Serve(request, client, context);

    [Function("GetStatus")]
    public Task<IActionResult> GetStatus(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "status")] HttpRequest request, [DurableClient] DurableTaskClient client, FunctionContext context)
        => Serve(request, client, context);

    [Function("ListSpaceTiers")]
    public Task<IActionResult> ListSpaceTiers(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "spaces/tiers")] HttpRequest request, [DurableClient] DurableTaskClient client, FunctionContext context)
        => Serve(request, client, context);

    [Function("SetSpaceTier")]
    public Task<IActionResult> SetSpaceTier(
        [HttpTrigger(AuthorizationLevel.Function, "put", Route = "spaces/{spaceId}/tier")] HttpRequest request, [DurableClient] DurableTaskClient client, FunctionContext context)
        => Serve(request, client, context);

    [Function("StartDrill")]
    public Task<IActionResult> StartDrill(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "drills")] HttpRequest request, [DurableClient] DurableTaskClient client, FunctionContext context)
        => Serve(request, client, context);

    [Function("ListDrills")]
    public Task<IActionResult> ListDrills(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "drills")] HttpRequest request, [DurableClient] DurableTaskClient client, FunctionContext context)
        => Serve(request, client, context);

    [Function("GetDrill")]
    public Task<IActionResult> GetDrill(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "drills/{id}")] HttpRequest request, [DurableClient] DurableTaskClient client, FunctionContext context)
        => Serve(request, client, context);

    [Function("StartDrillCleanUp")]
    public Task<IActionResult> StartDrillCleanUp(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "drills/{id}/clean-up")] HttpRequest request, [DurableClient] DurableTaskClient client, FunctionContext context)
        => Serve(request, client, context);

    [Function("GetDrillReportHtml")]
    public Task<IActionResult> GetDrillReportHtml(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "drills/{id}/report.html")] HttpRequest request, [DurableClient] DurableTaskClient client, FunctionContext context)
        => Serve(request, client, context);

    /// <summary>Qlik signs deliveries with the webhook secret; the function key is not something Qlik can send.</summary>
    [Function("QlikWebhook")]
    public Task<IActionResult> QlikWebhook(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "webhooks/qlik")] HttpRequest request, [DurableClient] DurableTaskClient client, FunctionContext context)
        => Serve(request, client, context);

    [Function("GetOpenApiDocument")]
    public Task<IActionResult> GetOpenApiDocument(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "openapi.json")] HttpRequest request, [DurableClient] DurableTaskClient client, FunctionContext context)
        => Serve(request, client, context);

    /// <summary>Runs the route whose operation id is the calling trigger's name.</summary>
    static Task<IActionResult> Serve(HttpRequest request, DurableTaskClient client, FunctionContext context, [CallerMemberName] string operationId = "")
    {
        ApiRoute route = ApiRoutes.ByOperationId(operationId);
        // The Functions host puts route values in the binding data, by the template's names.
        var routeValues = route.RouteParameters.ToDictionary(
            name => name,
            name => context.BindingContext.BindingData.TryGetValue(name, out object? v) ? v?.ToString() ?? "" : "");
        // On Functions the key's identity (its name in the keyid claim) and App Service / Entra ID identities reach HttpContext.User.
        IEnumerable<ClaimsIdentity> identities = request.HttpContext.User?.Identities ?? [];
        var call = new ApiCall(request, routeValues, client, context.InstanceServices, ApiCaller.From(request, identities, fallbackKeyName: "unknown-key", ApiCaller.AppServiceAuthenticationEnabled));
        return ApiRoutes.ServeAsync(route, call);
    }
}
