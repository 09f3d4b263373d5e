using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Microsoft.Extensions.DependencyInjection;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Capture;
using QlikBackup.Core.Restore;
using QlikBackup.Core.Storage;
using QlikBackup.Core.Verify;
using QlikBackup.Restore.Tests.Support;

namespace QlikBackup.Restore.Tests;

/// <summary>
/// Recovery points damaged through the storage SDKs, as a fault or an attacker with storage access would: each damage is
/// found by verify and refused by restore with a clear error, and nothing is written to the tenant.
/// </summary>
[Collection(RestoreCollection.Name)]
public sealed class TamperTests(AzuriteFixture azurite)
{
    public enum Damage { FlippedByte, TruncatedBlob, MissingChunk, SwappedIndexRow }

    [Theory]
    [InlineData(Damage.FlippedByte)]
    [InlineData(Damage.TruncatedBlob)]
    [InlineData(Damage.MissingChunk)]
    [InlineData(Damage.SwappedIndexRow)]
    public async Task Damage_is_found_by_verify_and_refused_by_restore_with_nothing_written(Damage damage)
    {
        await using var h = await RestoreHarness.StartAsync(azurite);
        string appId = h.SharedApp();
        RecoveryPoint point = await h.CaptureAsync(AssetKind.App, appId);
        // The app is deleted: a restore would create it again, so any write would show in the tenant.
        await h.DeleteAppPastWindowAsync(appId);
        bool packed = await DamageAsync(h, point, damage);
        string before = h.TenantJson();

        VerifyReport report = await Verifier(h).VerifyAsync(new VerifyRequest(PointId: point.PointId));
        Assert.False(report.Ok);
        // The QVF's blob is damaged; when it is a pack, the other parts it holds may be reported with it.
        Assert.Contains(report.Problems, p => p.Part == CapturePartNames.Qvf || damage == Damage.SwappedIndexRow || (packed && damage == Damage.FlippedByte));
        if (!packed || damage == Damage.SwappedIndexRow) Assert.Single(report.Problems);
        Assert.All(report.Problems, p => Assert.Equal(damage == Damage.MissingChunk ? VerifyProblemKind.Missing : VerifyProblemKind.Corrupt, p.Problem));

        var request = new RestoreRequest { Scope = RestoreScope.App, PointId = point.PointId, Operator = RestoreHarness.Operator };
        // A truncated pack has lost its header, which planning reads: found as early as a missing blob.
        if (damage is Damage.MissingChunk or Damage.SwappedIndexRow || (packed && damage == Damage.TruncatedBlob))
        {
            // Found while planning: the API answers this as a 422 problem.
            var refused = await Assert.ThrowsAsync<ContentIntegrityException>(() => h.Restore.PlanAsync(request));
            Assert.Contains(point.PointId, refused.Message);
        }
        else
        {
            // Every blob is there, so the plan stands; execution authenticates every byte before its first write.
            RestorePlan plan = await h.Restore.PlanAsync(request);
            RestoreResult result = await h.Restore.ExecuteAsync(plan);
            Assert.False(result.Succeeded);
            Assert.Empty(result.Done);
            Assert.Contains("nothing was changed", result.Error);
            Assert.Contains("failed verification", result.Error);
        }

        Assert.Equal(before, h.TenantJson());
    }

    static VerifyService Verifier(RestoreHarness h) => ActivatorUtilities.CreateInstance<VerifyService>(
        h.Services, h.Services.GetRequiredService<PointVerifier>(), ActivatorUtilities.CreateInstance<CapturedAssetCatalog>(h.Services));

    /// <summary>Damages the blob holding the point's QVF (a chunk, or the pack of a small QVF); true when it is a pack.</summary>
    static async Task<bool> DamageAsync(RestoreHarness h, RecoveryPoint point, Damage damage)
    {
        Manifest manifest = await h.Store.ReadManifestAsync(h.TenantId, point.ManifestRef!);
        string qvfBlob = (await h.Store.GetChunkRefsAsync(h.TenantId, manifest.Find(CapturePartNames.Qvf)!.ContentRef))[0];
        BlobClient blob = h.Services.GetRequiredService<BlobServiceClient>().GetBlobContainerClient("recovery-points")
            .GetBlobClient(BlobLayout.TenantPrefix(h.TenantId) + qvfBlob);
        byte[] bytes = (await blob.DownloadContentAsync()).Value.Content.ToArray();
        switch (damage)
        {
            case Damage.FlippedByte:
                bytes[bytes.Length / 2] ^= 0x40;
                await blob.UploadAsync(BinaryData.FromBytes(bytes), overwrite: true);
                break;
            case Damage.TruncatedBlob:
                await blob.UploadAsync(BinaryData.FromBytes(bytes[..(bytes.Length - 20)]), overwrite: true);
                break;
            case Damage.MissingChunk:
                await blob.DeleteAsync();
                break;
            case Damage.SwappedIndexRow:
                // The row of this point now names another point's manifest (a second capture of another app).
                string other = h.SharedApp(1);
                RecoveryPoint donor = await h.CaptureAsync(AssetKind.App, other);
                TableClient table = h.Services.GetRequiredService<TableServiceClient>().GetTableClient(TableRecoveryPointIndex.PointsTable);
                await foreach (TableEntity row in table.QueryAsync<TableEntity>(
                    TableClient.CreateQueryFilter($"TenantId eq {h.TenantId} and AssetId eq {point.AssetId}")))
                {
                    row["ManifestRef"] = donor.ManifestRef;
                    await table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Merge);
                }
                break;
        }

        return qvfBlob.StartsWith(BlobLayout.PackRefPrefix, StringComparison.Ordinal);
    }
}
