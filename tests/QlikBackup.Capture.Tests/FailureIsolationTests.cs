using QlikBackup.Capture.Tests.Support;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Capture;
using QlikBackup.Core.Storage;

namespace QlikBackup.Capture.Tests;

/// <summary>One bad asset never fails its space's deleted check, so one bad backup request cannot break every later tier run.</summary>
[Collection(CaptureCollection.Name)]
public sealed class FailureIsolationTests(CaptureEnvironment env)
{
    [Fact]
    public async Task Deleted_check_marks_an_id_Qlik_rejects_deleted_and_fails_only_the_asset_Qlik_keeps_failing_on()
    {
        await using CaptureEngine engine = env.CreateEngine();
        string spaceId = env.Tenant.Read(s => s.Spaces.OrderBy(x => x.Id, StringComparer.Ordinal).First().Id);
        var space = new SpaceCaptureTarget(spaceId, "space", Tier.T3);
        // What a backup request for a control-character id left behind before the API refused such ids: a Failed point.
        var bad = new AssetRef(AssetKind.App, "a\u0000b", "bad", spaceId);
        var flaky = new AssetRef(AssetKind.App, "flaky-app-" + Guid.NewGuid().ToString("N")[..8], "flaky", spaceId);
        await engine.Capture.RecordFailureAsync(bad, Tier.T3, "invalid id");
        await engine.Capture.RecordFailureAsync(flaky, Tier.T3, "earlier failure");
        IReadOnlyList<AssetRef> present = await engine.Capture.ListAssetsAsync(space);

        env.Simulator.Faults.FailNext(1000, 503, $"/api/v1/apps/{flaky.Id}");
        IReadOnlyList<AssetCaptureResult> results;
        try
        {
            results = await engine.Capture.MarkDeletedAsync(space, present);
        }
        finally
        {
            env.Simulator.Faults.Reset();
        }

        Assert.Equal(CaptureOutcome.Deleted, Assert.Single(results, r => r.Asset.Id == bad.Id).Outcome);
        AssetCaptureResult failed = Assert.Single(results, r => r.Asset.Id == flaky.Id);
        Assert.Equal(CaptureOutcome.Failed, failed.Outcome);
        Assert.Contains("503", failed.Error);
        Assert.Equal(RecoveryPointStatus.Deleted, (await engine.PointsAsync(AssetKind.App, bad.Id))[0].Status);

        // The next run (Qlik healthy again) finds the flaky asset gone and marks it deleted too.
        IReadOnlyList<AssetCaptureResult> next = await engine.Capture.MarkDeletedAsync(space, present);
        Assert.Equal(CaptureOutcome.Deleted, Assert.Single(next, r => r.Asset.Id == flaky.Id).Outcome);
        Assert.DoesNotContain(next, r => r.Asset.Id == bad.Id);
    }
}
