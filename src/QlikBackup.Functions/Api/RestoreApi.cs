using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;
using QlikBackup.Core.Restore;
using QlikBackup.Functions.Orchestrators;

namespace QlikBackup.Functions.Api;

public static class RestoreApi
{
    /// <summary>
    /// POST /api/restores. The request is planned here first, so a bad request (unknown point, mismatched scope,
    /// missing target space) is answered 4xx at once and nothing is started; a dry run answers the plan.
    /// </summary>
    public static async Task<IActionResult> StartAsync(ApiCall call)
    {
        var (body, error) = await ReadWithCallerAsync<RestoreRequest>(call);
        if (error is not null)
        {
            return error;
        }

        RestoreRequest request = Validate(body!);
        RestorePlan plan = await call.Get<IRestoreService>().PlanAsync(request, call.Aborted);
        if (request.DryRun)
        {
            return ApiResults.Ok(plan);
        }

        return await Operations.StartAsync(call, nameof(RestoreOrchestrator), request);
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
