using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Capture;
using QlikBackup.Core.Capture.Webhooks;
using QlikBackup.Core.Restore;
using QlikBackup.Core.Status;
using QlikBackup.Core.Storage;
using QlikBackup.Functions.Api;

namespace QlikBackup.Functions.Triggers;

/// <summary>
/// The HTTP API Qlik Application Automation and the CLI call (function key auth). Each function only adapts
/// the trigger to the handler in Api/, which the local host serves unchanged.
/// </summary>
public sealed class HttpApi(
    IRestoreService restore, IRecoveryPointIndex index, ITenantContext tenant, CaptureRunLog runs, ISpaceTierStore tiers,
    IWebhookIntake webhooks, IOptions<CaptureOptions> capture)
{
    [Function("StartBackup")]
    public Task<IActionResult> StartBackup(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "backups")] HttpRequest request, [DurableClient] DurableTaskClient client)
        => BackupApi.StartAsync(request, client, capture.Value.MaxParallelAssetsPerSpace);

    [Function("GetOperation")]
    public Task<IActionResult> GetOperation(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "operations/{id}")] HttpRequest request, string id, [DurableClient] DurableTaskClient client)
        => BackupApi.GetAsync(id, client);

    [Function("StartRestore")]
    public Task<IActionResult> StartRestore(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "restores")] HttpRequest request, [DurableClient] DurableTaskClient client)
        => RestoreApi.StartAsync(request, client, restore, Caller(request));

    [Function("SearchRecoveryPoints")]
    public Task<IActionResult> SearchRecoveryPoints(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "recovery-points")] HttpRequest request)
        => RecoveryPointApi.SearchAsync(request, index, tenant);

    [Function("GetStatus")]
    public Task<IActionResult> GetStatus(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "status")] HttpRequest request)
        => StatusApi.GetAsync(runs, request.HttpContext.RequestAborted);

    [Function("ListSpaceTiers")]
    public Task<IActionResult> ListSpaceTiers(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "spaces/tiers")] HttpRequest request)
        => SpaceTierApi.ListAsync(tiers, request.HttpContext.RequestAborted);

    [Function("SetSpaceTier")]
    public Task<IActionResult> SetSpaceTier(
        [HttpTrigger(AuthorizationLevel.Function, "put", Route = "spaces/{spaceId}/tier")] HttpRequest request, string spaceId)
        => SpaceTierApi.SetAsync(request, spaceId, tiers);

    /// <summary>Qlik signs deliveries with the webhook secret; the function key is not something Qlik can send.</summary>
    [Function("QlikWebhook")]
    public Task<IActionResult> QlikWebhook(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "webhooks/qlik")] HttpRequest request, [DurableClient] DurableTaskClient client)
        => WebhookApi.ReceiveAsync(request, client, webhooks);

    /// <summary>The operator named by App Service authentication when it is on, else the caller's own header.</summary>
    static string? Caller(HttpRequest request) =>
        request.Headers.TryGetValue("X-MS-CLIENT-PRINCIPAL-NAME", out var name) ? name.ToString()
        : request.Headers.TryGetValue("X-Operator", out var op) ? op.ToString()
        : null;
}
