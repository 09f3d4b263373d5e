using Microsoft.AspNetCore.Mvc;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Status;

namespace QlikBackup.Functions.Api;

public static class StatusApi
{
    /// <summary>GET /api/status: per tier, the newest run, the newest clean run and whether the RPO is breached.</summary>
    public static async Task<IActionResult> GetAsync(CaptureRunLog runs, CancellationToken ct)
    {
        var tiers = new List<TierStatus>();
        foreach (Tier tier in Enum.GetValues<Tier>())
        {
            tiers.Add(await runs.StatusAsync(tier, ct));
        }

        return ApiResults.Ok(new { tiers, rpoBreached = tiers.Any(t => t.RpoBreached) });
    }
}
