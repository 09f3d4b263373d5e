using Microsoft.Extensions.DependencyInjection;
using QlikBackup.Core.Status;

namespace QlikBackup.Restore.Tests;

/// <summary>Status names a deleted app that lives on under a new id as "restored as" that id, not as lost.</summary>
[Collection(RestoreCollection.Name)]
public sealed class LineageStatusTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task An_app_restored_under_a_new_id_is_listed_as_restored_as_that_id_and_its_capture_no_longer_marks_it_deleted()
    {
        await using var h = await RestoreHarness.StartAsync(azurite);
        var restored = ActivatorUtilities.CreateInstance<RestoredAssets>(h.Services);
        string appId = h.SharedApp(1);
        string name = h.App(appId).Name, spaceId = h.App(appId).SpaceId!;
        string other = h.Tenant.Read(s => s.Apps.First(a => a.SpaceId == spaceId && a.Id != appId).Id);
        var point = await h.CaptureAsync(AssetKind.App, appId);
        await h.CaptureAsync(AssetKind.App, other);
        await h.DeleteAppPastWindowAsync(appId);
        await h.DeleteAppPastWindowAsync(other);
        Assert.Empty(await restored.ListAsync());

        var (_, result) = await h.RestoreAsync(new RestoreRequest { Scope = RestoreScope.App, PointId = point.PointId, Operator = RestoreHarness.Operator });

        string newId = result.RestoredAssetId!;
        Assert.NotEqual(appId, newId);
        var listed = Assert.Single(await restored.ListAsync());
        Assert.Equal((AssetKind.App, appId, name, newId), (listed.Kind, listed.AssetId, listed.Name, listed.RestoredAsId));
        // The other deleted app (not restored) is only deleted; the next capture of the space marks it, and leaves the restored one be.
        var space = new SpaceCaptureTarget(spaceId, null, Tier.T3);
        var marked = await h.Capture.MarkDeletedAsync(space, await h.Capture.ListAssetsAsync(space));
        Assert.Equal([other], marked.Where(m => m.Outcome == CaptureOutcome.Deleted).Select(m => m.Asset.Id));
        Assert.Equal(newId, Assert.Single(await restored.ListAsync()).RestoredAsId);
    }
}
