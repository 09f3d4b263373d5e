using Microsoft.Extensions.DependencyInjection;

namespace QlikBackup.Restore.Tests;

/// <summary>
/// A stored plan executed in batches, as the restore orchestration does (prepare, one call per batch end, complete): the same
/// tenant as executing it whole, the full result stored beside the plan, and every batch safe to run again.
/// </summary>
[Collection(RestoreCollection.Name)]
public sealed class BatchExecutionTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task An_isolated_space_restore_executed_in_small_batches_restores_every_app_once_and_stores_its_result()
    {
        await using var h = await RestoreHarness.StartAsync(azurite);
        var space = h.Tenant.Read(s => s.Spaces.Where(x => x.Type == SpaceTypes.Shared).OrderBy(x => x.Name).First());
        var apps = h.Tenant.Read(s => s.Apps.Where(a => a.SpaceId == space.Id).Select(a => a.Id).ToList());
        var names = apps.Select(a => h.App(a).Name).ToList();
        foreach (var asset in await h.Capture.ListAssetsAsync(new SpaceCaptureTarget(space.Id, space.Name, Tier.T3))) await h.CaptureAsync(asset.Kind, asset.Id);
        var spacePoint = (await h.Index.GetNewestAsync(h.TenantId, AssetKind.Space, space.Id, 1)).Single();
        var plan = await h.Restore.PlanAsync(new RestoreRequest
        {
            Scope = RestoreScope.Space, PointId = spacePoint.PointId, Target = RestoreTargetKind.Isolated, TargetSpaceName = "batched-space", CreateTargetSpace = true,
            DryRun = true, Operator = RestoreHarness.Operator,
        });

        var batches = await h.Restore.PrepareAsync(plan.RestoreId, maxActionsPerBatch: 5);
        Assert.Null(batches.Refused);
        Assert.True(batches.Ends.Count >= 3, $"{batches.Ends.Count} batch(es) of {plan.Actions.Count} actions");
        Assert.Null(await h.Restore.GetResultAsync(plan.RestoreId));
        RestoreBatchResult last = null!;
        foreach (int end in batches.Ends) last = await h.Restore.ExecuteBatchAsync(plan.RestoreId, end);
        // Every batch again (a replayed orchestration, retried activities): nothing is done twice.
        foreach (int end in batches.Ends) await h.Restore.ExecuteBatchAsync(plan.RestoreId, end);
        var summary = await h.Restore.CompleteAsync(plan.RestoreId, null, TimeSpan.FromSeconds(3));

        var result = (await h.Restore.GetResultAsync(plan.RestoreId))!;
        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(plan.Actions.Count(a => a.Kind != RestoreActionKind.Skip), result.Done.Count);
        Assert.Equal((result.Done.Count, plan.Actions.Count), (last.Done, last.Actions));
        Assert.Equal((true, result.Done.Count, plan.Actions.Count), (summary.Succeeded, summary.Done, summary.Actions));
        string copyId = Assert.Single(result.CreatedSpaceIds!);
        Assert.Equal(summary.CreatedSpaceIds, result.CreatedSpaceIds);
        var copies = h.Tenant.Read(s => s.Apps.Where(a => a.SpaceId == copyId).Select(a => a.Id).ToList());
        Assert.Equal(names.Order(), copies.Select(a => h.App(a).Name).Order());
        foreach (var a in copies)
        {
            // Every object the app's point holds (capture reaches private objects only of owners who can open the app).
            string source = apps.Single(s => h.App(s).Name == h.App(a).Name);
            var point = (await h.Index.GetNewestAsync(h.TenantId, AssetKind.App, source, 1)).Single();
            var captured = (await h.Store.ReadManifestAsync(h.TenantId, point.ManifestRef!)).Parts.Select(p => ObjectPartName.Parse(p.Name)?.QId).OfType<string>().ToHashSet();
            Assert.Equal(captured.Order(), h.Contents(a).Keys.Order());
        }
        var audit = await h.Services.GetRequiredService<RestoreAuditLog>().RecentAsync(h.TenantId, 10);
        Assert.Equal((plan.RestoreId, RestoreOutcomeKind.Succeeded), (Assert.Single(audit).RestoreId, audit[0].Outcome));
    }

    [Fact]
    public async Task A_failed_restore_is_completed_with_its_reason_stored_and_audited()
    {
        await using var h = await RestoreHarness.StartAsync(azurite);
        string appId = h.SharedApp();
        await h.CaptureAsync(AssetKind.App, appId);
        var point = (await h.Index.GetNewestAsync(h.TenantId, AssetKind.App, appId, 1)).Single();
        var plan = await h.Restore.PlanAsync(new RestoreRequest { Scope = RestoreScope.App, PointId = point.PointId, DryRun = true, Operator = RestoreHarness.Operator });

        var summary = await h.Restore.CompleteAsync(plan.RestoreId, "Qlik answered 503 three times.", TimeSpan.FromSeconds(1));

        Assert.Equal((false, "Qlik answered 503 three times."), (summary.Succeeded, summary.Error));
        Assert.Equal("Qlik answered 503 three times.", (await h.Restore.GetResultAsync(plan.RestoreId))!.Error);
        var audit = await h.Services.GetRequiredService<RestoreAuditLog>().RecentAsync(h.TenantId, 10);
        Assert.Equal((RestoreOutcomeKind.Failed, "Qlik answered 503 three times."), (Assert.Single(audit).Outcome, audit[0].Error));
    }
}
