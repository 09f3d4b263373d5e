using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Capture;

namespace QlikBackup.Functions.Api;

public sealed record SpaceTierRequest(string? Tier);

public static class SpaceTierApi
{
    /// <summary>GET /api/spaces/tiers: the configured space → tier map and the default tier.</summary>
    public static async Task<IActionResult> ListAsync(ISpaceTierStore tiers, CancellationToken ct) =>
        ApiResults.Ok(new { defaultTier = tiers.DefaultTier, spaces = await tiers.GetAllAsync(ct) });

    /// <summary>PUT /api/spaces/{spaceId}/tier {"tier":"T1"}.</summary>
    public static async Task<IActionResult> SetAsync(HttpRequest request, string spaceId, ISpaceTierStore tiers)
    {
        var (body, error) = await ApiResults.ReadAsync<SpaceTierRequest>(request);
        if (error is not null)
        {
            return error;
        }

        if (!ApiResults.TryParse(body!.Tier, out Tier tier))
        {
            return ApiResults.Problem(400, "Unknown tier", $"'{body.Tier}' is not a tier. Use T1, T2 or T3.");
        }

        await tiers.SetAsync(spaceId, tier, request.HttpContext.RequestAborted);
        return ApiResults.Ok(new { spaceId, tier });
    }
}
