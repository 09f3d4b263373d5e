using Microsoft.AspNetCore.Mvc;
using QlikBackup.Core.Verify;
using QlikBackup.Functions.Orchestrators;

namespace QlikBackup.Functions.Api;

public static class VerifyApi
{
    /// <summary>POST /api/verify {pointId} | {assetId, kind?} | {all: true}: re-read and authenticate; 202 with the operation.</summary>
    public static async Task<IActionResult> StartAsync(ApiCall call)
    {
        var (body, error) = await ApiResults.ReadAsync<VerifyRequest>(call.Request);
        if (error is not null)
        {
            return error;
        }

        if (body!.Problem is { } problem)
        {
            return ApiResults.Problem(400, "Invalid verify request", problem, body.Kind is not null && body.AssetId is null ? "kind" : "body");
        }

        if (body.PointId is not null)
        {
            ApiInput.PointId(body.PointId, "pointId");
        }

        ApiInput.OptionalQlikId(body.AssetId, "assetId");
        return await Operations.StartAsync(call, nameof(VerifyOrchestrator), body);
    }
}
