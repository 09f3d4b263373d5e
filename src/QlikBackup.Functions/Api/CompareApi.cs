using Microsoft.AspNetCore.Mvc;
using QlikBackup.Core.Restore;

namespace QlikBackup.Functions.Api;

/// <summary>What a promotion needs; the operator is the caller (see <see cref="ApiCaller"/>).</summary>
public sealed record PromoteBody(string? ValidationAppId, string? ProductionAppId, string? TargetSpaceId);

public static class CompareApi
{
    /// <summary>GET /api/compare?pointA=&amp;pointB=: two points of one asset, or (no pointB) a point and the live asset.</summary>
    public static async Task<IActionResult> CompareAsync(ApiCall call)
    {
        string pointA = ApiInput.PointId(call.Request.Query["pointA"].FirstOrDefault(), "pointA");
        string? b = call.Request.Query["pointB"].FirstOrDefault();
        string? pointB = string.IsNullOrEmpty(b) ? null : ApiInput.PointId(b, "pointB");
        return ApiResults.Ok(await call.Get<IRestoreService>().CompareAsync(pointA, pointB, call.Aborted));
    }

    public static readonly IReadOnlyList<ApiQueryParameter> CompareParameters =
    [
        new("pointA", "The (older) recovery point.", Required: true),
        new("pointB", "Another point of the same asset; leave out to compare with the live asset."),
    ];

    /// <summary>
    /// POST /api/promotions: put an app restored into a validation space (and checked) back into production. Safe to
    /// repeat: a second call finds nothing to change.
    /// </summary>
    public static async Task<IActionResult> PromoteAsync(ApiCall call)
    {
        var (body, error) = await ApiResults.ReadAsync<PromoteBody>(call.Request);
        if (error is not null)
        {
            return error;
        }

        var request = new PromoteRequest
        {
            ValidationAppId = ApiInput.QlikId(body!.ValidationAppId, "validationAppId"),
            ProductionAppId = ApiInput.OptionalQlikId(body.ProductionAppId, "productionAppId"),
            TargetSpaceId = ApiInput.OptionalQlikId(body.TargetSpaceId, "targetSpaceId"),
            Operator = call.Caller.Operator,
        };
        return ApiResults.Ok(await call.Get<IRestoreService>().PromoteAsync(request, call.Aborted));
    }
}
