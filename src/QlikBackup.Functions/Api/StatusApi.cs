using Microsoft.AspNetCore.Mvc;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Capture;
using QlikBackup.Core.Status;

namespace QlikBackup.Functions.Api;

/// <summary>
/// One tier's state. <see cref="HasSpaces"/> is false for a tier no space is assigned to (and that is not the default
/// tier): it has nothing to capture, so it cannot be behind its objective.
/// </summary>
public sealed record TierState(
    Tier Tier, TimeSpan Objective, CaptureRun? LastRun, CaptureRun? LastCleanRun, bool RpoBreached, TimeSpan? Age, bool HasSpaces);

/// <summary><see cref="Restored"/>: deleted apps and spaces whose history continues under the id a restore gave them.</summary>
public sealed record StatusResponse(IReadOnlyList<TierState> Tiers, bool RpoBreached, IReadOnlyList<RestoredAsset> Restored);

public static class StatusApi
{
    /// <summary>GET /api/status: per tier, the newest run, the newest clean run and whether the RPO is breached; and which deleted
    /// apps and spaces were restored as a new id.</summary>
    public static async Task<IActionResult> GetAsync(ApiCall call)
    {
        var runs = call.Get<CaptureRunLog>();
        var spaceTiers = call.Get<ISpaceTierStore>();
        IReadOnlyDictionary<string, Tier> assigned = await spaceTiers.GetAllAsync(call.Aborted);
        var tiers = new List<TierState>();
        foreach (Tier tier in Enum.GetValues<Tier>())
        {
            TierStatus s = await runs.StatusAsync(tier, call.Aborted);
            bool hasSpaces = tier == spaceTiers.DefaultTier || assigned.Values.Contains(tier);
            tiers.Add(new TierState(s.Tier, s.Objective, s.LastRun, s.LastCleanRun, s.RpoBreached && hasSpaces, s.Age, hasSpaces));
        }

        var restored = await call.Get<RestoredAssets>().ListAsync(call.Aborted);
        return ApiResults.Ok(new StatusResponse(tiers, tiers.Any(t => t.RpoBreached), restored));
    }
}
