using Microsoft.AspNetCore.Mvc;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Capture;
using QlikBackup.Qlik.Contracts;

namespace QlikBackup.Functions.Api;

public sealed record SpaceTierRequest(string? Tier);

public sealed record SpaceTierResponse(string SpaceId, Tier Tier);

public sealed record SpaceTiersResponse(Tier DefaultTier, IReadOnlyDictionary<string, Tier> Spaces);

public static class SpaceTierApi
{
    /// <summary>GET /api/spaces/tiers: the configured space → tier map and the default tier.</summary>
    public static async Task<IActionResult> ListAsync(ApiCall call)
    {
        var tiers = call.Get<ISpaceTierStore>();
        return ApiResults.Ok(new SpaceTiersResponse(tiers.DefaultTier, await tiers.GetAllAsync(call.Aborted)));
    }

    /// <summary>PUT /api/spaces/{spaceId}/tier {"tier":"T1"}.</summary>
    public static async Task<IActionResult> SetAsync(ApiCall call)
    {
        string spaceId = ApiInput.QlikId(call.Route("spaceId"), "spaceId");
        var (body, error) = await ApiResults.ReadAsync<SpaceTierRequest>(call.Request);
        if (error is not null)
        {
            return error;
        }

        if (!ApiResults.TryParse(body!.Tier, out Tier tier))
        {
            return ApiResults.Problem(400, "Unknown tier", $"tier: {ApiInput.Show(body.Tier)} is not a tier. Use T1, T2 or T3.", "tier");
        }

        // A tier for a space that does not exist would silently capture nothing: only real spaces are assigned.
        if (await call.Get<IQlikRestClient>().GetSpaceAsync(spaceId, call.Aborted) is null)
        {
            return ApiResults.Problem(404, "Unknown space", $"Qlik has no space '{spaceId}'. Use a space id from Qlik (GET /api/v1/spaces).", "spaceId");
        }

        await call.Get<ISpaceTierStore>().SetAsync(spaceId, tier, call.Aborted);
        return ApiResults.Ok(new SpaceTierResponse(spaceId, tier));
    }
}
