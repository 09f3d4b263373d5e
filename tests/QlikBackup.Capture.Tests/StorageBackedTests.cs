using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using QlikBackup.Capture.Tests.Support;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Capture;
using QlikBackup.Core.Retention;
using QlikBackup.Core.Storage;
using QlikBackup.Core.Verify;

namespace QlikBackup.Capture.Tests;

[Collection(CaptureCollection.Name)]
public sealed class StorageBackedTests(CaptureEnvironment env)
{
    [Fact]
    public async Task Space_tiers_are_stored_per_tenant_with_the_default_for_the_rest()
    {
        await using CaptureEngine engine = env.CreateEngine(new Dictionary<string, string?> { ["Capture:DefaultTier"] = "T2" });
        await using CaptureEngine other = env.CreateEngine();
        ISpaceTierStore tiers = engine.Tiers;

        Assert.Equal(Tier.T2, tiers.DefaultTier);
        Assert.Equal(Tier.T2, await tiers.GetTierAsync("space-a"));
        await tiers.SetAsync("space-a", Tier.T1);
        await tiers.SetAsync("personal", Tier.T3);
        await tiers.SetAsync("space-a", Tier.T3);
        await tiers.SetAsync("space-a", Tier.T1);

        Assert.Equal(Tier.T1, await tiers.GetTierAsync("space-a"));
        Assert.Equal(new Dictionary<string, Tier> { ["personal"] = Tier.T3, ["space-a"] = Tier.T1 }, await tiers.GetAllAsync());
        Assert.Empty(await other.Tiers.GetAllAsync());
        Assert.True(await tiers.RemoveAsync("space-a"));
        Assert.False(await tiers.RemoveAsync("space-a"));
        Assert.Equal(Tier.T2, await tiers.GetTierAsync("space-a"));
        await Assert.ThrowsAsync<InvalidSpaceIdException>(() => tiers.SetAsync("bad/id", Tier.T1));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => tiers.SetAsync("space-b", (Tier)7));
    }

    [Fact]
    public async Task Tenant_configuration_and_space_resources_are_captured_with_what_must_be_reconfigured()
    {
        await using CaptureEngine engine = env.CreateEngine();
        var tenantConfig = new SpaceCaptureTarget(SpaceCaptureTarget.TenantConfigSpaceId, null, Tier.T3);
        IReadOnlyList<AssetRef> assets = await engine.Capture.ListAssetsAsync(tenantConfig);
        foreach (AssetKind kind in new[] { AssetKind.User, AssetKind.Group, AssetKind.Webhook, AssetKind.Theme, AssetKind.IdentityProvider, AssetKind.ApiKey })
            Assert.Contains(assets, a => a.Kind == kind);
        Assert.Equal(env.Tenant.Read(s => s.Users.Count), assets.Count(a => a.Kind == AssetKind.User));

        List<AssetCaptureResult> results = await engine.CaptureSpacesAsync([tenantConfig]);
        Assert.All(results, r => Assert.Equal(CaptureOutcome.Captured, r.Outcome));

        async Task<Manifest> Of(AssetKind kind) => await engine.ManifestAsync(results.First(r => r.Asset.Kind == kind).PointId!);
        Assert.NotNull((await Of(AssetKind.Webhook)).Find(CapturePartNames.Reconfiguration));
        Assert.NotNull((await Of(AssetKind.ApiKey)).Find(CapturePartNames.Reconfiguration));
        Assert.NotNull((await Of(AssetKind.IdentityProvider)).Find(CapturePartNames.Reconfiguration));
        Manifest theme = await Of(AssetKind.Theme);
        Assert.Equal(CapturePartNames.ZipMediaType, theme.Find(CapturePartNames.File)!.MediaType);
        Assert.Null((await Of(AssetKind.User)).Find(CapturePartNames.Reconfiguration));

        // A shared space: the space with its assignments, and its data connections with what to re-enter.
        string spaceId = env.Tenant.Read(s => s.Spaces.First(x => x.Type == "shared").Id);
        var space = new SpaceCaptureTarget(spaceId, null, Tier.T3);
        IReadOnlyList<AssetRef> inSpace = await engine.Capture.ListAssetsAsync(space);
        AssetRef spaceAsset = Assert.Single(inSpace, a => a.Kind == AssetKind.Space);
        AssetCaptureResult spacePoint = await engine.Capture.CaptureAssetAsync(spaceAsset, Tier.T3, CaptureTrigger.Schedule);
        Manifest spaceManifest = await engine.ManifestAsync(spacePoint.PointId!);
        Assert.NotNull(spaceManifest.Find(CapturePartNames.Assignments));
        AssetRef connection = inSpace.First(a => a.Kind == AssetKind.DataConnection && a.Name?.Contains("DataFiles", StringComparison.OrdinalIgnoreCase) != true);
        Manifest connectionManifest = await engine.ManifestAsync((await engine.Capture.CaptureAssetAsync(connection, Tier.T3, CaptureTrigger.Schedule)).PointId!);
        Assert.NotNull(connectionManifest.Find(CapturePartNames.Reconfiguration));
        Assert.Equal(CaptureOutcome.Unchanged, (await engine.Capture.CaptureAssetAsync(spaceAsset, Tier.T3, CaptureTrigger.Schedule)).Outcome);
    }

    [Fact]
    public async Task A_failure_is_recorded_as_a_failed_point_and_the_next_good_capture_follows_it()
    {
        await using CaptureEngine engine = env.CreateEngine();
        string appId = env.SharedApp(1);
        var asset = new AssetRef(AssetKind.App, appId, "app", env.Tenant.Read(s => s.FindApp(appId)!.SpaceId));
        AssetCaptureResult first = await engine.CaptureAppAsync(appId);

        AssetCaptureResult failed = await engine.Capture.RecordFailureAsync(asset, Tier.T2, "Engine socket dropped three times");
        Assert.Equal(CaptureOutcome.Failed, failed.Outcome);
        RecoveryPoint point = (await engine.Index.GetAsync(engine.TenantId, failed.PointId!))!;
        Assert.Equal((RecoveryPointStatus.Failed, "Engine socket dropped three times", Tier.T2), (point.Status, point.Error, point.Tier));

        // Content unchanged, but the newest point says Failed: a new Captured point restores the picture. No part is stored
        // again; only the point's own manifest (which names its point) is new.
        AssetCaptureResult next = await engine.CaptureAppAsync(appId);
        Assert.Equal(CaptureOutcome.Captured, next.Outcome);
        Assert.Equal((await engine.ManifestAsync(first.PointId!)).Parts, (await engine.ManifestAsync(next.PointId!)).Parts);
        Assert.True(next.NewBytes < 16 * 1024, $"new bytes {next.NewBytes}");
        Assert.Equal(3, (await engine.PointsAsync(AssetKind.App, appId)).Count);
    }

    [Fact]
    public async Task Pruning_one_point_keeps_every_blob_the_remaining_point_still_references()
    {
        await using CaptureEngine engine = env.CreateEngine(new Dictionary<string, string?>
        {
            ["Retention:T3:KeepAllDays"] = "0", ["Retention:T3:KeepHourlyDays"] = "0", ["Retention:T3:KeepDailyDays"] = "0",
            ["Retention:T3:KeepMonthlyDays"] = "0", ["Retention:SweepGracePeriod"] = "00:00:00", ["Storage:PackDedupWindow"] = "00:00:00",
        });
        string appId = env.SharedApp(9);
        string editor = env.Tenant.Read(s => s.FindApp(appId)!.OwnerId);
        AssetCaptureResult first = await engine.CaptureAppAsync(appId);
        Manifest oldManifest = await engine.ManifestAsync(first.PointId!);
        string sheetId = env.RenameSheet(appId, new Qlik.Simulator.Model.SimulatedActor(editor));
        AssetCaptureResult second = await engine.CaptureAppAsync(appId);
        Manifest newManifest = await engine.ManifestAsync(second.PointId!);
        string oldSheet = oldManifest.Find(CapturePartNames.Object(Qlik.Contracts.EngineObjectClass.GenericObject, sheetId))!.ContentRef;
        string oldManifestRef = (await engine.Index.GetAsync(engine.TenantId, first.PointId!))!.ManifestRef!;

        RetentionResult result = await engine.Retention.PruneAsync();

        Assert.Equal(1, result.PointsPruned);
        Assert.Null(await engine.Index.GetAsync(engine.TenantId, first.PointId!));
        Assert.Single(await engine.PointsAsync(AssetKind.App, appId));
        // Everything the kept point names is still there and readable (the shared QVF and objects included) ...
        foreach (ManifestPart part in newManifest.Parts)
        {
            await using Stream s = await engine.Store.OpenReadAsync(engine.TenantId, part.ContentRef);
            await s.CopyToAsync(Stream.Null);
        }

        Assert.Contains(newManifest.Find(CapturePartNames.Qvf)!.ContentRef, oldManifest.Parts.Select(p => p.ContentRef));
        // ... and only what the pruned point alone referenced is gone: its manifest (a pack of its own). The old version of
        // the sheet shares its pack with the parts the kept point took over unchanged, so that pack stays whole.
        Assert.False(await engine.Store.ExistsAsync(engine.TenantId, oldManifestRef));
        string oldSheetPack = Assert.Single(await engine.Store.GetChunkRefsAsync(engine.TenantId, oldSheet));
        Assert.Contains(newManifest.Parts, p => p.ContentRef.StartsWith(oldSheetPack[BlobLayout.PackRefPrefix.Length..], StringComparison.Ordinal));
        Assert.True(await engine.Store.ExistsAsync(engine.TenantId, oldSheet));
        Assert.True(result.BlobsDeleted >= 1);
        // The old sheet is garbage inside a live pack, and the prune says so (too small a pack to be repacked by default).
        long oldSheetSize = oldManifest.Find(CapturePartNames.Object(Qlik.Contracts.EngineObjectClass.GenericObject, sheetId))!.Size;
        Assert.True(result.PacksReferenced >= 2, $"{result.PacksReferenced} packs");
        Assert.InRange(result.PackBytes - result.PackBytesLive, 1, oldSheetSize + 28 + 190); // at most the sheet and its header line
        Assert.Equal(0, result.PacksRepacked);
        Assert.True(result.PackBytesLive >= newManifest.Parts.Where(p => p.ContentRef.Length == 129).Sum(p => p.Size + 28));
    }

    [Fact]
    public async Task A_pack_with_garbage_is_repacked_and_swept_while_every_kept_part_still_reads()
    {
        await using CaptureEngine engine = env.CreateEngine(new Dictionary<string, string?>
        {
            ["Retention:T3:KeepAllDays"] = "0", ["Retention:T3:KeepHourlyDays"] = "0", ["Retention:T3:KeepDailyDays"] = "0",
            ["Retention:T3:KeepMonthlyDays"] = "0", ["Retention:SweepGracePeriod"] = "00:00:00", ["Storage:PackDedupWindow"] = "00:00:00",
            ["Retention:RepackBelowLivePercent"] = "100", ["Retention:RepackMinPackBytes"] = "0",
        });
        string appId = env.SharedApp(10);
        string editor = env.Tenant.Read(s => s.FindApp(appId)!.OwnerId);
        AssetCaptureResult first = await engine.CaptureAppAsync(appId);
        Manifest oldManifest = await engine.ManifestAsync(first.PointId!);
        string sheetId = env.RenameSheet(appId, new Qlik.Simulator.Model.SimulatedActor(editor));
        AssetCaptureResult second = await engine.CaptureAppAsync(appId);
        Manifest kept = await engine.ManifestAsync(second.PointId!);
        string oldSheet = oldManifest.Find(CapturePartNames.Object(Qlik.Contracts.EngineObjectClass.GenericObject, sheetId))!.ContentRef;
        Assert.Contains(kept.Parts, p => p.ContentRef[..64] == oldSheet[..64]); // the kept point still uses the old pack

        // The old point goes; its sheet is garbage in the pack the kept point shares: the pack is repacked.
        RetentionResult pruned = await engine.Retention.PruneAsync();
        Assert.Equal((1, 1), (pruned.PointsPruned, pruned.PacksRepacked));
        Assert.True(await engine.Store.ExistsAsync(engine.TenantId, oldSheet));
        // The next prune finds the old pack unreferenced (the kept parts resolve through the forwarding record) and sweeps it.
        RetentionResult swept = await engine.Retention.PruneAsync();
        var container = engine.Services.GetRequiredService<Azure.Storage.Blobs.BlobServiceClient>().GetBlobContainerClient("recovery-points");
        Assert.False(await container.GetBlobClient(BlobLayout.PackBlob(engine.TenantId, oldSheet[..64])).ExistsAsync());
        Assert.Equal(0, swept.PacksRepacked);
        Assert.Equal(swept.PackBytes, swept.PackBytesLive); // no garbage left

        VerifyReport report = await engine.Verify.VerifyAsync(new VerifyRequest(PointId: second.PointId));
        Assert.True(report.Ok, string.Join("\n", report.Problems));
        var reader = new BlobContentStore(container, engine.Services.GetRequiredService<Core.Crypto.ITenantKeyring>());
        // The garbage sheet was not carried over; everything the kept point names reads through the forwarding record.
        Assert.Contains("not in pack", (await Assert.ThrowsAsync<ContentIntegrityException>(() => reader.OpenReadAsync(engine.TenantId, oldSheet))).Message);
        foreach (ManifestPart part in kept.Parts)
        {
            await using Stream stream = await reader.OpenReadAsync(engine.TenantId, part.ContentRef);
            Assert.Equal(part.Sha256, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(stream)));
        }

        // A third prune changes nothing: the repack is not repeated, nothing else is deleted.
        RetentionResult again = await engine.Retention.PruneAsync();
        Assert.Equal((0, 0), (again.PacksRepacked, again.BlobsDeleted));
    }

    [Fact]
    public async Task Unreferenced_blobs_wait_out_the_grace_period_before_they_are_swept()
    {
        await using CaptureEngine engine = env.CreateEngine(new Dictionary<string, string?> { ["Retention:SweepGracePeriod"] = "01:00:00" });
        string orphan = (await engine.Store.PutAsync(engine.TenantId, new MemoryStream("left behind by a crashed capture"u8.ToArray()))).ContentRef;
        string orphanPacked = (await engine.Store.PutManyAsync(engine.TenantId, ["packed by a crashed capture"u8.ToArray()]))[0].ContentRef;
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        RetentionService retention = ActivatorUtilities.CreateInstance<RetentionService>(engine.Services, clock);

        RetentionResult first = await retention.PruneAsync();
        Assert.True(first.BlobsAwaitingGrace >= 3); // the descriptor, its chunk and the pack
        Assert.True(await engine.Store.ExistsAsync(engine.TenantId, orphan));
        Assert.True(await engine.Store.ExistsAsync(engine.TenantId, orphanPacked));

        clock.Now += TimeSpan.FromMinutes(59);
        Assert.Equal(0, (await retention.PruneAsync()).BlobsDeleted);
        clock.Now += TimeSpan.FromMinutes(2);
        RetentionResult later = await retention.PruneAsync();

        Assert.True(later.BlobsDeleted >= 3);
        Assert.False(await engine.Store.ExistsAsync(engine.TenantId, orphan));
        Assert.False(await engine.Store.ExistsAsync(engine.TenantId, orphanPacked));
    }

    sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;
        public override DateTimeOffset GetUtcNow() => Now;
    }
}
