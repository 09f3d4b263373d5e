using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.DurableTask.Client;
using QlikBackup.Core.Restore;
using QlikBackup.Functions.Orchestrators;

namespace QlikBackup.Functions.Api;

public static class RestoreApi
{
    /// <summary>
    /// POST /api/restores. The request is planned here first, so a bad request (unknown point, mismatched scope,
    /// missing target space) is answered 4xx at once and nothing is started; a dry run answers the plan.
    /// </summary>
    public static async Task<IActionResult> StartAsync(HttpRequest request, DurableTaskClient client, IRestoreService restore, string? caller)
    {
        var (body, error) = await ApiResults.ReadAsync<RestoreRequest>(request);
        if (error is not null)
        {
            return error;
        }

        RestoreRequest restoreRequest = body! with { Operator = string.IsNullOrWhiteSpace(body!.Operator) ? caller ?? "unknown" : body.Operator };
        RestorePlan plan;
        try
        {
            plan = await restore.PlanAsync(restoreRequest, request.HttpContext.RequestAborted);
        }
        catch (RestoreRequestException ex)
        {
            return ApiResults.Problem(ex.Status, ex.Title, ex.Message);
        }

        if (restoreRequest.DryRun)
        {
            return ApiResults.Ok(plan);
        }

        string id = await client.ScheduleNewOrchestrationInstanceAsync(nameof(RestoreOrchestrator), restoreRequest);
        return BackupApi.Accepted(request, id, nameof(RestoreOrchestrator));
    }
}
