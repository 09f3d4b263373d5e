using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Capture;
using QlikBackup.Core.Restore;
using QlikBackup.Core.Storage;
using QlikBackup.Functions.Orchestrators;
using QlikBackup.Qlik.Contracts;

namespace QlikBackup.Bench;

/// <summary>The restores, each next to its floor: Qlik's export + import of the same app(s).</summary>
public sealed partial class BenchRunner
{
    string smallSpaceId = "";
    string largeAppId = "";
    IReadOnlyList<(string Id, string Name)> seededSpaces = [];

    /// <summary>
    /// Before the first capture: a space of <see cref="BenchOptions.SmallSpaceApps"/> apps taken from the largest space
    /// (members and private objects kept), and the app the app restore deletes grown to <see cref="BenchOptions.LargeAppMiB"/>.
    /// </summary>
    void PrepareSizes()
    {
        seededSpaces = TenantChanges.SharedSpaces(env.Tenant.Tenant);
        (string largest, _) = seededSpaces[^1];
        smallSpaceId = TenantChanges.SplitSpace(env.Tenant.Tenant, largest, options.SmallSpaceApps, "bench-small-space");
        IReadOnlyList<string> apps = TenantChanges.AppsOf(env.Tenant.Tenant, SharedSpaces()[Math.Min(1, SharedSpaces().Count - 1)].Id);
        largeAppId = apps[Math.Min(1, apps.Count - 1)];
        TenantChanges.SetData(env.Tenant.Tenant, largeAppId, RandomNumberGenerator.GetBytes(options.LargeAppMiB * 1024 * 1024));
    }

    /// <summary>The seeded shared spaces by name: not the space <see cref="PrepareSizes"/> made, nor those restores make.</summary>
    IReadOnlyList<(string Id, string Name)> SharedSpaces() => seededSpaces;

    async Task RestoresAsync(CancellationToken ct)
    {
        var spaces = SharedSpaces();
        (string spaceId, _) = spaces[Math.Min(1, spaces.Count - 1)];
        IReadOnlyList<string> apps = TenantChanges.AppsOf(env.Tenant.Tenant, spaceId);

        // An object: a sheet deleted by a user, put back from the app's newest point.
        string objectApp = apps[0];
        RecoveryPoint objectPoint = await NewestAppPointAsync(objectApp, ct);
        Manifest manifest = await services.GetRequiredService<IContentStore>().ReadManifestAsync(tenantId, objectPoint.ManifestRef!, ct);
        string qId = manifest.Parts.Select(p => p.Name.Split('/')).Where(n => n is ["object", "GenericObject", _])
            .Select(n => n[2]).First(id => TenantChanges.HasObject(env.Tenant.Tenant, objectApp, id));
        TenantChanges.DeleteObject(env.Tenant.Tenant, objectApp, qId);
        RestoreOutcome obj = await RestoreAsync(Phases.RestoreObject,
            new RestoreRequest { Scope = RestoreScope.Object, PointId = objectPoint.PointId, ObjectId = qId, Operator = "bench" }, ct);
        checks.Add(new BenchCheck("object restore brings the deleted sheet back", obj.Result?.Succeeded == true && TenantChanges.HasObject(env.Tenant.Tenant, objectApp, qId),
            obj.Result?.Error ?? $"sheet {qId} of app {objectApp}"));
        await ExportImportFloorAsync(Phases.RestoreObjectFloor, [objectApp], spaceId, 1, ct);

        // An app of LargeAppMiB: deleted in Qlik, restored from its point, byte-identical to the point's QVF; its floor is
        // the export + import of the restored app (the same bytes).
        string? restoredApp = await RestoreDeletedAppAsync(Phases.RestoreApp, largeAppId, "app restore is byte-identical to its point's QVF", ct);
        await ExportImportFloorAsync(Phases.RestoreAppFloor, [restoredApp ?? apps[Math.Min(2, apps.Count - 1)]], spaceId, 1, ct);

        // A space of SmallSpaceApps apps, then the largest space, each as after losing it: the space and every app, into a
        // new isolated space (what a drill does).
        await RestoreLostSpaceAsync(Phases.RestoreSpace, Phases.RestoreSpaceFloor, smallSpaceId, spaceId, ct);
        await RestoreLostSpaceAsync(Phases.RestoreLargestSpace, Phases.RestoreLargestSpaceFloor, spaces[^1].Id, spaceId, ct);
    }

    /// <summary>Deletes the app in Qlik for good and restores it (App scope); checks the restored app exports its point's QVF.</summary>
    async Task<string?> RestoreDeletedAppAsync(string phase, string appId, string check, CancellationToken ct)
    {
        var qlik = services.GetRequiredService<IQlikRestClient>();
        RecoveryPoint point = await NewestAppPointAsync(appId, ct);
        ManifestPart? qvf = (await services.GetRequiredService<IContentStore>().ReadManifestAsync(tenantId, point.ManifestRef!, ct)).Find(CapturePartNames.Qvf);
        await qlik.DeleteAppAsync(appId, ct);
        // Past Qlik's soft-delete window (Qlik deletes apps younger than 45 minutes for good): the restore imports the
        // point's QVF, it cannot bring the deleted app back.
        if (env.Tenant.Tenant.Read(t => t.FindDeletedApp(appId) is not null)) env.Tenant.Tenant.ExpireSoftDeleteWindow(appId);
        RestoreOutcome app = await RestoreAsync(phase, new RestoreRequest { Scope = RestoreScope.App, PointId = point.PointId, Operator = "bench" }, ct);
        string? restoredId = app.Result?.RestoredAssetId;
        string? restoredSha = restoredId is not null ? await Sha256Async(await qlik.ExportAppAsync(restoredId, ct: ct), ct) : null;
        checks.Add(new BenchCheck(check,
            app.Result?.Succeeded == true && qvf is not null && string.Equals(restoredSha, qvf.Sha256, StringComparison.OrdinalIgnoreCase),
            app.Result?.Error ?? $"app {appId} ({qvf?.Size:N0} bytes of QVF) → {restoredId}"));
        return restoredId;
    }

    async Task RestoreLostSpaceAsync(string phase, string floorPhase, string lostSpace, string floorSpace, CancellationToken ct)
    {
        RecoveryPoint spacePoint = (await services.GetRequiredService<IRecoveryPointIndex>().GetNewestAsync(tenantId, AssetKind.Space, lostSpace, 1, ct)).Single();
        IReadOnlyList<string> lostApps = TenantChanges.AppsOf(env.Tenant.Tenant, lostSpace);
        RestoreOutcome space = await RestoreAsync(phase, new RestoreRequest
        {
            Scope = RestoreScope.Space, PointId = spacePoint.PointId, Target = RestoreTargetKind.Isolated, TargetSpaceName = $"bench-restored-{phase.Replace(' ', '-')}",
            CreateTargetSpace = true, Operator = "bench",
        }, ct);
        int restoredApps = space.Result?.RestoredAssetId is { } newSpace ? TenantChanges.AppsOf(env.Tenant.Tenant, newSpace).Count : 0;
        checks.Add(new BenchCheck($"{phase} brings every app back", space.Result?.Succeeded == true && restoredApps == lostApps.Count,
            space.Result?.Error ?? $"{restoredApps} of {lostApps.Count} apps in the restored space"));
        await ExportImportFloorAsync(floorPhase, lostApps, floorSpace, options.DefaultParallelism, ct);
    }

    async Task<RecoveryPoint> NewestAppPointAsync(string appId, CancellationToken ct) =>
        (await services.GetRequiredService<IRecoveryPointIndex>().GetNewestAsync(tenantId, AssetKind.App, appId, 1, ct))
            .Single(p => p.Status == RecoveryPointStatus.Captured);

    /// <summary>
    /// Planned (as POST /api/restores does), then executed by the restore orchestration; the two together are timed. An
    /// orchestration that fails is a result too (a failed check), not the end of the run.
    /// </summary>
    async Task<RestoreOutcome> RestoreAsync(string name, RestoreRequest request, CancellationToken ct)
    {
        RestorePlan? plan = null;
        (RestoreOutcome outcome, double seconds, RequestCounts requests, ResourceUse use) = await MeasureAsync(name, async () =>
        {
            plan = await services.GetRequiredService<IRestoreService>().PlanAsync(request, ct);
            try
            {
                RestoreSummary summary = await RunOrchestrationAsync<RestoreSummary>(nameof(RestoreOrchestrator), plan.RestoreId, name, ct);
                return await RestoreOutcome.ReadAsync(services.GetRequiredService<IRestoreService>(), summary, ct)
                    ?? throw new InvalidOperationException($"Restore {plan.RestoreId} has no stored plan.");
            }
            catch (InvalidOperationException ex)
            {
                return new RestoreOutcome(plan, new RestoreResult(plan.RestoreId, false, [], new Dictionary<string, string>(), null, ex.Message), TimeSpan.Zero);
            }
        });
        Add(new PhaseResult(name, seconds, outcome.Plan.Actions.Count, 0, 0, outcome.Result?.Succeeded == true ? 0 : 1, 0, 0, requests.ByKey,
            outcome.Result?.Succeeded == true ? $"{outcome.Plan.Actions.Count} planned actions" : $"{outcome.Plan.Actions.Count} planned actions; FAILED: {outcome.Result?.Error}", use));
        return outcome;
    }

    /// <summary>What an administrator without backups does instead: export each app from Qlik and import it again.</summary>
    async Task ExportImportFloorAsync(string name, IReadOnlyList<string> apps, string spaceId, int parallelism, CancellationToken ct)
    {
        var qlik = services.GetRequiredService<IQlikRestClient>();
        var copies = new System.Collections.Concurrent.ConcurrentBag<string>();
        (_, double seconds, RequestCounts requests, ResourceUse use) = await MeasureAsync(name, async () =>
        {
            await Parallel.ForEachAsync(apps, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = ct }, async (app, c) =>
            {
                await using Stream qvf = await qlik.ExportAppAsync(app, ct: c);
                copies.Add((await qlik.ImportAppAsync(qvf, spaceId, $"bench-copy-{app}", c)).Id);
            });
            return 0;
        });
        Add(new PhaseResult(name, seconds, apps.Count, 0, 0, 0, 0, 0, requests.ByKey, $"{apps.Count} app(s)", use));
        // The copies would be captured by nothing (no phase follows), but the tenant is left as the restores made it.
        foreach (string copy in copies) await qlik.DeleteAppAsync(copy, ct);
    }

    static async Task<string> Sha256Async(Stream stream, CancellationToken ct)
    {
        await using (stream)
        {
            return Convert.ToHexString(await SHA256.HashDataAsync(stream, ct)).ToLowerInvariant();
        }
    }
}
