using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Capture;
using QlikBackup.Core.Fidelity;
using QlikBackup.Core.Restore;
using QlikBackup.Core.Storage;
using QlikBackup.Qlik.Contracts;

namespace QlikBackup.Core.Drill;

/// <summary>The steps of a drill, each one activity of the drill orchestration.</summary>
public interface IDrillService
{
    /// <summary>Chooses the recovery points to restore (newest captured point of each app in scope). A bad request throws <see cref="DrillRequestException"/>.</summary>
    Task<DrillSelection> SelectAsync(string drillId, DrillRequest request, CancellationToken ct = default);
    /// <summary>
    /// Restores one point into the drill's isolated space, then checks it against its point (fidelity and Engine smoke test).
    /// An app point gives one outcome; a space point the space's and one per app restored with it.
    /// </summary>
    Task<IReadOnlyList<DrillAssetOutcome>> RunAssetAsync(DrillAssetInput input, CancellationToken ct = default);
    /// <summary>
    /// Deletes every space the drill created (and what is in them); a Tenant drill removes from the standby everything it
    /// added (unless <see cref="DrillRequest.KeepStandby"/>). What cannot be deleted is named, with why.
    /// </summary>
    Task<DrillCleanup> CleanupAsync(DrillSelection selection, CancellationToken ct = default);
    /// <summary>Stores the report (immutable blobs + index row) and raises the drill's alerts.</summary>
    Task RecordAsync(DrillReport report, CancellationToken ct = default);
    /// <summary>
    /// The selection a finished Tenant drill's clean-up is run again with: what the standby held before the drill, from its
    /// stored report, never to keep the standby. Throws <see cref="DrillRequestException"/> (404 no such drill, 400 not a Tenant
    /// drill, 409 the drill recorded nothing to clean up against).
    /// </summary>
    Task<DrillSelection> CleanUpSelectionAsync(string drillId, CancellationToken ct = default);
    /// <summary>Stores a clean-up run beside the drill's report and alerts when it left anything behind.</summary>
    Task RecordCleanUpAsync(DrillCleanUpRun run, CancellationToken ct = default);
}

public sealed partial class DrillService(
    ICaptureService capture,
    ISpaceTierStore tiers,
    IRecoveryPointIndex index,
    IContentStore store,
    IRestoreService restore,
    FidelityCheck fidelity,
    IQlikRestClient rest,
    ITenantContext tenant,
    DrillReportStore reports,
    DrillAlerts alerts,
    IOptions<DrillOptions> options,
    IOptions<RtoOptions> rto,
    ILogger<DrillService> logger,
    StandbyTenant? standby = null) : IDrillService
{
    /// <summary>What a drill's isolated copy deliberately differs in from production (see <see cref="FidelityRequest.Isolated"/>). Listed in every report.</summary>
    public static readonly IReadOnlyList<string> NotChecked =
    [
        "data alerts and subscriptions (an isolated copy does not attach them: they would notify their recipients)",
        "a published copy's link to its production source app (checked to be absent instead: production must not republish over a drill copy)",
        "reload task state (recreated Disabled, so a drill copy never reloads; schedules are compared)",
        "name and description of a drill copy of a space (they name it as the drill's copy)",
        "extra members of a drill copy of a space (content owners are made members, since Qlik lets only members own content; every original assignment is compared)",
    ];

    DrillOptions O => options.Value;

    public async Task<DrillSelection> SelectAsync(string drillId, DrillRequest request, CancellationToken ct = default)
    {
        Tier tier;
        List<SpaceCaptureTarget> spaces;
        switch (request.Scope)
        {
            case DrillScope.Tenant:
                return await SelectTenantAsync(drillId, request, ct);
            case not DrillScope.Tenant when request.KeepStandby:
                throw Bad($"keepStandby applies to a Tenant drill only; a {request.Scope} drill always deletes its drill spaces.");
            case DrillScope.Space:
                // The space point itself: the space, its members and every app come back together, as after losing the space.
                if (string.IsNullOrWhiteSpace(request.SpaceId)) throw Bad("spaceId is required for a Space drill.");
                tier = request.Tier ?? await tiers.GetTierAsync(request.SpaceId, ct);
                var spacePoint = (await index.GetNewestAsync(tenant.TenantId, AssetKind.Space, request.SpaceId, 20, ct)).FirstOrDefault(p => p.Status == RecoveryPointStatus.Captured)
                    ?? throw new DrillRequestException(404, "Nothing to drill", $"Space '{request.SpaceId}' has no captured recovery point.");
                return new DrillSelection(drillId, tenant.TenantId, request, tier, rto.Value.For(tier), null,
                    [new DrillAsset(AssetKind.Space, spacePoint.AssetId, spacePoint.Name, spacePoint.PointId, spacePoint.CapturedAt, spacePoint.AssetId, spacePoint.Name)]);
            default:
                tier = request.Tier ?? throw Bad($"tier is required for a {request.Scope} drill.");
                spaces = (await capture.ListSpacesAsync(tier, ct))
                    .Where(s => s.SpaceId != SpaceCaptureTarget.TenantConfigSpaceId && !(s.SpaceName ?? "").StartsWith(O.SpacePrefix, StringComparison.Ordinal))
                    .ToList();
                break;
        }
        if (request.SampleSize is < 1) throw Bad("sampleSize must be at least 1.");

        var assets = new List<DrillAsset>();
        foreach (var space in spaces.OrderBy(s => s.SpaceId, StringComparer.Ordinal))
        {
            var points = await index.QueryAllAsync(tenant.TenantId, new RecoveryPointQuery { SpaceId = space.SpaceId, Kind = AssetKind.App, Take = TableRecoveryPointIndex.MaxTake }, ct);
            // The newest point of each app; an app whose newest point says it was deleted is not drilled.
            foreach (var newest in points.GroupBy(p => p.AssetId).Select(g => g.OrderByDescending(p => p.CapturedAt).First()))
            {
                if (newest.Status != RecoveryPointStatus.Captured) continue;
                assets.Add(new DrillAsset(newest.Kind, newest.AssetId, newest.Name, newest.PointId, newest.CapturedAt, newest.SpaceId, newest.SpaceName ?? space.SpaceName));
            }
        }
        assets = assets.OrderBy(a => a.AssetId, StringComparer.Ordinal).ToList();

        int? seed = null;
        if (request.Scope == DrillScope.Sample)
        {
            seed = request.Seed ?? Random.Shared.Next();
            var shuffled = assets.ToArray();
            new Random(seed.Value).Shuffle(shuffled);
            assets = shuffled.Take(request.SampleSize ?? O.SampleSize).ToList();
        }
        return new DrillSelection(drillId, tenant.TenantId, request, tier, rto.Value.For(tier), seed, assets);
    }

    static DrillRequestException Bad(string detail) => new(400, "Invalid drill request", detail);

    /// <summary>The drill's own space for one asset (an isolated restore refuses an existing space): never a production name.</summary>
    public string SpaceName(string drillId, DrillAsset asset) => $"{Prefix(drillId)}{Key(asset.AssetId)}";

    static string Key(string id) => new string(id.Where(char.IsLetterOrDigit).Take(8).ToArray()).ToLowerInvariant();

    string Prefix(string drillId) => $"{O.SpacePrefix}{Key(drillId)}-";

    public async Task<IReadOnlyList<DrillAssetOutcome>> RunAssetAsync(DrillAssetInput input, CancellationToken ct = default)
    {
        if (input.Scope == DrillScope.Tenant) return await RunStandbyAssetAsync(input, ct);
        var asset = input.Asset;
        var clock = Stopwatch.StartNew();
        string spaceName = SpaceName(input.DrillId, asset);
        RestorePlan? plan = null;
        try
        {
            plan = await restore.PlanAsync(new RestoreRequest
            {
                Scope = asset.Kind == AssetKind.Space ? RestoreScope.Space : RestoreScope.App, PointId = asset.PointId, Target = RestoreTargetKind.Isolated, TargetSpaceName = spaceName, CreateTargetSpace = true,
                Operator = $"drill {input.DrillId}",
            }, ct);
            EnsureIsolated(plan);
            var result = await restore.ExecuteAsync(plan, ct);
            if (!result.Succeeded || result.RestoredAssetId is null)
                return [new DrillAssetOutcome(asset, DrillAssetResult.Failed, spaceName, result.RestoredAssetId, clock.Elapsed, null, plan.ReconfigurationChecklist, result.Error ?? "The restore returned no asset.")];
            // Manual steps found while executing (an owner Qlik refused to impersonate) are on the checklist too.
            IReadOnlyList<string> checklist = [.. plan.ReconfigurationChecklist, .. result.Checklist ?? []];
            // The asset itself, then (for a space) every app the restore brought back with it, each against its own point.
            var checks = new List<(DrillAsset Asset, string LiveId)> { (asset, result.RestoredAssetId) };
            if (asset.Kind == AssetKind.Space)
                checks.AddRange(plan.Points.Where(p => p.Kind == AssetKind.App && result.IdMap.ContainsKey(p.AssetId))
                    .Select(p => (new DrillAsset(p.Kind, p.AssetId, p.Name, p.PointId, p.CapturedAt, p.SpaceId, p.SpaceName), result.IdMap[p.AssetId])));
            var outcomes = new List<DrillAssetOutcome>();
            foreach (var (checkedAsset, liveId) in checks)
            {
                string? space = checkedAsset.Kind == AssetKind.App ? (await rest.GetAppAsync(liveId, ct))?.SpaceId : null;
                var check = await fidelity.CheckAsync(new FidelityRequest
                {
                    PointId = checkedAsset.PointId, LiveAssetId = liveId, IdMap = result.IdMap, ExpectedSpaceId = space,
                    Checklist = checklist, Isolated = true,
                }, ct);
                outcomes.Add(new DrillAssetOutcome(checkedAsset, check.Equal ? DrillAssetResult.Equal : DrillAssetResult.Different, spaceName, liveId,
                    clock.Elapsed, check, checklist, null));
            }
            return outcomes;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Drill {DrillId}: {Kind} {AssetId} failed", input.DrillId, asset.Kind, asset.AssetId);
            return [new DrillAssetOutcome(asset, DrillAssetResult.Failed, spaceName, null, clock.Elapsed, null, plan?.ReconfigurationChecklist ?? [], ex.Message)];
        }
    }

    /// <summary>A drill never writes into production: every target of the plan must be a new, isolated copy, and nothing is deleted.</summary>
    public static void EnsureIsolated(RestorePlan plan)
    {
        var live = (plan.Targets ?? []).Where(t => !t.Isolated || t.TargetAssetId is not null).Select(t => $"{t.Kind} {t.AssetId}").ToList();
        if (plan.Targets is not { Count: > 0 } || live.Count > 0 || plan.Actions.Any(a => a.Kind == RestoreActionKind.Delete))
            throw new InvalidOperationException($"Restore plan {plan.RestoreId} is not an isolated copy (it would write to {(live.Count > 0 ? string.Join(", ", live) : "production")}); the drill did not execute it.");
    }

    public async Task<DrillCleanup> CleanupAsync(DrillSelection selection, CancellationToken ct = default)
    {
        if (selection.Request.Scope == DrillScope.Tenant) return await CleanupStandbyAsync(selection, ct);
        string prefix = Prefix(selection.DrillId);
        var removed = new List<string>();
        var left = new List<string>();
        var spaces = new List<QlikSpace>();
        await foreach (var s in rest.ListSpacesAsync(ct))
            if ((s.Name ?? "").StartsWith(prefix, StringComparison.Ordinal)) spaces.Add(s);
        var tasks = new List<QlikResource>();
        if (spaces.Count > 0)
            await foreach (var t in rest.ListAsync(QlikResourceKind.ReloadTask, ct)) tasks.Add(t);
        foreach (var space in spaces)
        {
            try
            {
                await foreach (var item in rest.ListItemsAsync("app", space.Id, ct))
                {
                    // The copy's reload tasks first: they are tenant resources that would outlive the app.
                    foreach (var task in tasks.Where(t => JsonTools.GetString(t.Raw, "appId") == item.ResourceId))
                    {
                        await rest.DeleteAsync(QlikResourceKind.ReloadTask, task.Id, ct);
                        removed.Add($"reload task {task.Id} of app {item.ResourceId}");
                    }
                    await rest.DeleteAppAsync(item.ResourceId, ct);
                    removed.Add($"app '{item.Name}' ({item.ResourceId})");
                }
                await rest.DeleteSpaceAsync(space.Id, ct);
                removed.Add($"space '{space.Name}' ({space.Id})");
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                left.Add($"space '{space.Name}' ({space.Id}): {ex.Message}");
            }
        }
        return new DrillCleanup(removed, left);
    }

    public async Task RecordAsync(DrillReport report, CancellationToken ct = default)
    {
        await reports.SaveAsync(report, ct);
        await alerts.RaiseAsync(report, ct);
    }

    public async Task<DrillSelection> CleanUpSelectionAsync(string drillId, CancellationToken ct = default)
    {
        var report = await reports.ReadAsync(drillId, ct)
            ?? throw new DrillRequestException(404, "Drill not found", $"There is no report of drill '{drillId}' (a drill still running has none yet).");
        if (report.Request.Scope != DrillScope.Tenant)
            throw new DrillRequestException(400, "Not a Tenant drill",
                $"Drill '{drillId}' is a {report.Request.Scope} drill; only a Tenant drill (scope Tenant) rebuilds into the standby tenant, and its own clean-up deleted its drill spaces.");
        if (report.StandbyBefore is null)
            throw new DrillRequestException(409, "Nothing recorded to clean up against",
                $"Drill '{drillId}' did not record what the standby tenant held before it (it chose no points, or ran before this was recorded): empty the standby by hand.");
        return new DrillSelection(drillId, report.TenantId, report.Request with { KeepStandby = false }, report.Tier, report.RtoObjective, report.Seed, [], report.StandbyBefore);
    }

    public async Task RecordCleanUpAsync(DrillCleanUpRun run, CancellationToken ct = default)
    {
        await reports.SaveCleanUpAsync(run, ct);
        await alerts.RaiseAsync(run, ct);
    }
}
