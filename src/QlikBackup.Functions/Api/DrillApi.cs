using System.Text;
using System.Text.Json;
using Microsoft.DurableTask.Client;
using Microsoft.AspNetCore.Mvc;
using QlikBackup.Core.Drill;
using QlikBackup.Functions.Orchestrators;

namespace QlikBackup.Functions.Api;

public static class DrillApi
{
    /// <summary>POST /api/drills: checks the request, then starts <see cref="DrillOrchestrator"/>; 202 with the operation id (= drill id).</summary>
    public static async Task<IActionResult> StartAsync(ApiCall call)
    {
        var (body, error) = await RestoreApi.ReadWithCallerAsync<DrillRequest>(call);
        if (error is not null)
        {
            return error;
        }

        var request = Validate(body!);
        try
        {
            // Chosen here first, as a restore is planned first: a space without points, or a Tenant drill without an empty standby
            // tenant configured, is a 4xx and nothing starts.
            await call.Get<IDrillService>().SelectAsync("validate", request, call.Aborted);
        }
        catch (DrillRequestException ex)
        {
            throw new ApiProblemException(ex.Status, ex.Title, ex.Message, request.Scope switch { DrillScope.Space => "spaceId", DrillScope.Tenant => "scope", _ => "tier" });
        }

        return await Operations.StartAsync(call, nameof(DrillOrchestrator), request);
    }

    static DrillRequest Validate(DrillRequest r)
    {
        if (r.Scope == DrillScope.Space)
        {
            ApiInput.QlikId(r.SpaceId, "spaceId");
        }
        else if (r.Scope != DrillScope.Tenant && r.Tier is null)
        {
            throw ApiInput.Bad("tier", null, $"T1, T2 or T3 for a {r.Scope} drill");
        }

        if (r.KeepStandby && r.Scope != DrillScope.Tenant)
        {
            throw ApiInput.Bad("keepStandby", "true", "false unless scope is Tenant (only a Tenant drill rebuilds into the standby)");
        }

        if (r.SampleSize is < 1 or > 500)
        {
            throw ApiInput.Bad("sampleSize", r.SampleSize.ToString(), "between 1 and 500");
        }

        return r;
    }

    /// <summary>
    /// POST /api/drills/{id}/clean-up: runs a finished Tenant drill's clean-up again (<see cref="DrillCleanUpOrchestrator"/>);
    /// 202 with the operation id. 404 no such drill, 400 not a Tenant drill, 409 the drill (or its report) is still being made.
    /// </summary>
    public static async Task<IActionResult> CleanUpAsync(ApiCall call)
    {
        string id = ApiInput.OperationId(call.Route("id"), "id");
        var instance = await call.Durable.GetInstanceAsync(id, call.Aborted);
        if (instance is { RuntimeStatus: OrchestrationRuntimeStatus.Running or OrchestrationRuntimeStatus.Pending or OrchestrationRuntimeStatus.Suspended })
        {
            throw new ApiProblemException(409, "Drill still running",
                $"Drill '{id}' is {instance.RuntimeStatus}; its own clean-up runs when it finishes. Run the clean-up again once it has (see GET /api/operations/{id}).", "id");
        }

        try
        {
            await call.Get<IDrillService>().CleanUpSelectionAsync(id, call.Aborted);
        }
        catch (DrillRequestException ex)
        {
            throw new ApiProblemException(ex.Status, ex.Title, ex.Message, "id");
        }

        return await Operations.StartAsync(call, nameof(DrillCleanUpOrchestrator), new DrillCleanUpRequest(id, call.Caller.Operator));
    }

    /// <summary>GET /api/drills?take=: the newest drills first, with their headline.</summary>
    public static async Task<IActionResult> ListAsync(ApiCall call)
    {
        string? text = call.Request.Query["take"];
        int take = 50;
        if (text is not null && (!int.TryParse(text, out take) || take is < 1 or > 1000))
        {
            throw ApiInput.Bad("take", text, "a number between 1 and 1000");
        }

        return ApiResults.Ok(await call.Get<DrillReportStore>().ListAsync(take, call.Aborted));
    }

    /// <summary>GET /api/drills/{id}: the stored report as JSON, or as the HTML page when the caller accepts text/html.</summary>
    public static Task<IActionResult> GetAsync(ApiCall call)
        => ReportAsync(call, html: call.Request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase));

    /// <summary>GET /api/drills/{id}/report.html.</summary>
    public static Task<IActionResult> GetHtmlAsync(ApiCall call) => ReportAsync(call, html: true);

    static async Task<IActionResult> ReportAsync(ApiCall call, bool html)
    {
        string id = ApiInput.OperationId(call.Route("id"), "id");
        var store = call.Get<DrillReportStore>();
        if ((await store.ListCleanUpsAsync(id, call.Aborted)).Count > 0 && await store.ReadAsync(id, call.Aborted) is { } withCleanUps)
        {
            // The report as stored, with the clean-up runs since (stored beside it: the report itself is never rewritten).
            return new ContentResult
            {
                Content = html ? DrillReportHtml.Render(withCleanUps) : JsonSerializer.Serialize(withCleanUps, DrillReportStore.Json),
                ContentType = html ? "text/html; charset=utf-8" : "application/json",
                StatusCode = 200,
            };
        }

        byte[]? content = html ? await store.ReadHtmlAsync(id, call.Aborted) : await store.ReadJsonAsync(id, call.Aborted);
        if (content is null)
        {
            return ApiResults.Problem(404, "Drill report not found",
                $"There is no report of drill '{id}'. A drill still running has none yet: see GET /api/operations/{id}.", "id");
        }

        return new ContentResult
        {
            Content = Encoding.UTF8.GetString(content),
            ContentType = html ? "text/html; charset=utf-8" : "application/json",
            StatusCode = 200,
        };
    }
}
