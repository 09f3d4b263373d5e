using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Capture;
using QlikBackup.Core.Drill;
using QlikBackup.Core.Status;
using QlikBackup.Core.Storage;
using QlikBackup.Qlik.Contracts;

namespace QlikBackup.Functions.Api;

/// <summary>
/// One tier's state. <see cref="HasSpaces"/> is false for a tier no space is assigned to (and that is not the default
/// tier): it has nothing to capture, so it cannot be behind its objective.
/// </summary>
public sealed record TierState(
    Tier Tier, TimeSpan Objective, CaptureRun? LastRun, CaptureRun? LastCleanRun, bool RpoBreached, TimeSpan? Age, bool HasSpaces);

/// <summary><see cref="Restored"/>: deleted apps and spaces whose history continues under the id a restore gave them.</summary>
public sealed record StatusResponse(IReadOnlyList<TierState> Tiers, bool RpoBreached, IReadOnlyList<RestoredAsset> Restored);

/// <summary>
/// One space against its tier's objective. <see cref="ProtectedAt"/> is the newer of its newest captured point and its
/// tier's newest clean run (a clean run that found an asset unchanged protects it as of that run); null = never protected.
/// </summary>
public sealed record SpaceState(
    string SpaceId, string Name, string Type, Tier Tier, TimeSpan Objective, DateTimeOffset? ProtectedAt, string? NewestPointId, TimeSpan? Age, bool RpoBreached);

/// <summary><see cref="Now"/> is the server's clock the ages were measured with.</summary>
public sealed record SpaceStatusResponse(DateTimeOffset Now, IReadOnlyList<SpaceState> Spaces);

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

    /// <summary>GET /api/status/spaces: every space of the tenant (drill spaces aside) with its tier and RPO state, by name.</summary>
    public static async Task<IActionResult> SpacesAsync(ApiCall call)
    {
        var runs = call.Get<CaptureRunLog>();
        var spaceTiers = call.Get<ISpaceTierStore>();
        var index = call.Get<IRecoveryPointIndex>();
        string tenant = call.Get<ITenantContext>().TenantId;
        string drillPrefix = call.Get<IOptions<DrillOptions>>().Value.SpacePrefix;
        DateTimeOffset now = call.Get<TimeProvider>().GetUtcNow();

        IReadOnlyDictionary<string, Tier> assigned = await spaceTiers.GetAllAsync(call.Aborted);
        var tierStatus = new Dictionary<Tier, TierStatus>();
        foreach (Tier tier in Enum.GetValues<Tier>())
        {
            tierStatus[tier] = await runs.StatusAsync(tier, call.Aborted);
        }

        var listed = new List<QlikSpace>();
        await foreach (QlikSpace space in call.Get<IQlikRestClient>().ListSpacesAsync(call.Aborted))
        {
            if (!(space.Name ?? space.Id).StartsWith(drillPrefix, StringComparison.Ordinal))
            {
                listed.Add(space);
            }
        }

        // One index query per space (its own partition): a few at a time, so a tenant of hundreds of spaces answers quickly.
        var spaces = new System.Collections.Concurrent.ConcurrentBag<SpaceState>();
        await Parallel.ForEachAsync(listed, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = call.Aborted }, async (space, ct) =>
        {
            Tier tier = assigned.TryGetValue(space.Id, out Tier t) ? t : spaceTiers.DefaultTier;
            // The partition is newest first; a failed or deleted point protects nothing, so look past a few.
            IReadOnlyList<RecoveryPoint> newest = await index.QueryAsync(tenant, new RecoveryPointQuery { SpaceId = space.Id, Take = 20 }, ct);
            RecoveryPoint? good = newest.FirstOrDefault(p => p.Status == RecoveryPointStatus.Captured);
            DateTimeOffset? cleanRun = tierStatus[tier].LastCleanRun?.FinishedAt;
            DateTimeOffset? protectedAt = (good?.CapturedAt, cleanRun) switch
            {
                ({ } p, { } r) => p > r ? p : r,
                (var p, var r) => p ?? r,
            };
            TimeSpan objective = tierStatus[tier].Objective;
            TimeSpan? age = protectedAt is { } at ? now - at : null;
            spaces.Add(new SpaceState(space.Id, space.Name ?? space.Id, space.Type, tier, objective, protectedAt, good?.PointId, age, age is null || age > objective));
        });

        return ApiResults.Ok(new SpaceStatusResponse(now, spaces.OrderBy(s => s.Tier).ThenBy(s => s.Name, StringComparer.OrdinalIgnoreCase).ToList()));
    }
}
