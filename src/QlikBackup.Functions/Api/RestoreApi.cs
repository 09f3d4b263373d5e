using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;
using QlikBackup.Core.Restore;
using QlikBackup.Functions.Orchestrators;

namespace QlikBackup.Functions.Api;

public static class RestoreApi
{
    /// <summary>
    /// POST /api/restores. The request is planned here, once: a bad request (unknown point, mismatched scope, missing target
    /// space) is answered 4xx at once and nothing starts; the plan is stored under its restore id; a dry run answers it, otherwise
    /// the orchestration is started with that same id to execute exactly that plan. Request, plan, operation and audit share the id.
    /// </summary>
    public static async Task<IActionResult> StartAsync(ApiCall call)
    {
        var (body, error) = await ReadWithCallerAsync<RestoreRequest>(call);
        if (error is not null)
        {
            return error;
        }

        RestoreRequest request = Validate(body!);
        string? id = Operations.IdempotentId(call, nameof(RestoreOrchestrator));
        if (id is not null && await call.Durable.GetInstanceAsync(id, call.Aborted) is not null)
        {
            return BackupApi.Accepted(call.Request, id, nameof(RestoreOrchestrator));
        }

        RestorePlan plan = await call.Get<IRestoreService>().PlanAsync(request, id, call.Aborted);
        if (request.DryRun)
        {
            return ApiResults.Ok(plan);
        }

        return await Operations.StartAsync(call, nameof(RestoreOrchestrator), plan.RestoreId, plan.RestoreId);
    }

    /// <summary>GET /api/restores/{id}: the stored plan of a restore (also of a dry run).</summary>
    public static async Task<IActionResult> GetAsync(ApiCall call)
    {
        string id = ApiInput.OperationId(call.Route("id"), "id");
        return await call.Get<IRestoreService>().GetPlanAsync(id, call.Aborted) is { } plan
            ? ApiResults.Ok(plan)
            : ApiResults.Problem(404, "Unknown restore", $"No restore plan with id '{id}'. Use the restoreId a POST /api/restores answered.", "id");
    }

    /// <summary>
    /// POST /api/restores/{id}/execute: runs a stored plan (typically one shown by a dry run). The request is planned again and
    /// compared first; if the tenant changed in a way that matters the answer is 409 saying what changed. Starting it twice
    /// answers the operation the first call started.
    /// </summary>
    public static async Task<IActionResult> ExecuteAsync(ApiCall call)
    {
        string id = ApiInput.OperationId(call.Route("id"), "id");
        var restore = call.Get<IRestoreService>();
        if (await restore.GetPlanAsync(id, call.Aborted) is not { } plan)
        {
            return ApiResults.Problem(404, "Unknown restore", $"No restore plan with id '{id}'. Plan it first with POST /api/restores (dryRun).", "id");
        }

        if (await call.Durable.GetInstanceAsync(id, call.Aborted) is null)
        {
            await restore.CheckCurrentAsync(plan, call.Aborted);
        }

        return await Operations.StartAsync(call, nameof(RestoreOrchestrator), plan.RestoreId, plan.RestoreId);
    }

    static RestoreRequest Validate(RestoreRequest r)
    {
        if (r.PointId is not null)
        {
            ApiInput.PointId(r.PointId, "pointId");
        }

        ApiInput.OptionalQlikId(r.AssetId, "assetId");
        ApiInput.OptionalQlikId(r.ObjectId, "objectId");
        ApiInput.OptionalQlikId(r.TargetSpaceId, "targetSpaceId");
        ApiInput.Text(r.TargetSpaceName, "targetSpaceName");
        return r;
    }

    /// <summary>
    /// Reads a body whose record has an "operator": the operator becomes the caller by the <see cref="ApiCaller"/> rule,
    /// and whatever the body named is only kept as the note beside it.
    /// </summary>
    public static async Task<(T? Value, IActionResult? Error)> ReadWithCallerAsync<T>(ApiCall call)
        where T : class
    {
        var (node, error) = await ApiResults.ReadAsync<JsonNode>(call.Request);
        if (error is not null)
        {
            return (null, error);
        }

        if (node is not JsonObject body)
        {
            return (null, ApiResults.Problem(400, "Malformed JSON", "The body must be a JSON object.", "body"));
        }

        string? claimed = null;
        foreach (string key in body.Select(p => p.Key).Where(k => k.Equals("operator", StringComparison.OrdinalIgnoreCase) || k.Equals("operatorNote", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            claimed ??= body[key] is JsonValue v && v.TryGetValue(out string? s) ? s : null;
            body.Remove(key);
        }

        ApiCaller caller = call.Caller.WithClaim(ApiInput.Text(claimed, "operator"));
        body["operator"] = caller.Operator;
        body["operatorNote"] = caller.Note;
        try
        {
            return (body.Deserialize<T>(ApiResults.Json), null);
        }
        catch (JsonException ex)
        {
            return (null, ApiResults.MalformedJson(ex));
        }
    }
}
