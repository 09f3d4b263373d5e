using Azure.Storage.Blobs;
using Microsoft.Extensions.DependencyInjection;
using QlikBackup.Capture.Tests.Support;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Capture;
using QlikBackup.Core.Storage;
using QlikBackup.Core.Verify;

namespace QlikBackup.Capture.Tests;

/// <summary>Verify against real captured points in Azurite, with blobs damaged through the Blob SDK as a fault or an attacker would.</summary>
[Collection(CaptureCollection.Name)]
public sealed class VerifyTests(CaptureEnvironment env)
{
    static VerifyService Verify(CaptureEngine engine) =>
        ActivatorUtilities.CreateInstance<VerifyService>(engine.Services, ActivatorUtilities.CreateInstance<PointVerifier>(engine.Services));

    static BlobClient Blob(CaptureEngine engine, string chunkRef) => engine.Services.GetRequiredService<BlobServiceClient>()
        .GetBlobContainerClient("recovery-points").GetBlobClient(BlobLayout.ChunkBlob(engine.TenantId, chunkRef[BlobLayout.ChunkRefPrefix.Length..]));

    string AnApp() => env.Tenant.Read(s => s.Apps.Where(a => a.SpaceId is not null).OrderBy(a => a.Id, StringComparer.Ordinal).Skip(3).First().Id);

    async Task<(AssetCaptureResult Result, string QvfChunk)> CaptureAsync(CaptureEngine engine, string appId)
    {
        AssetCaptureResult result = await engine.CaptureAppAsync(appId);
        Assert.Equal(CaptureOutcome.Captured, result.Outcome);
        ManifestPart qvf = (await engine.ManifestAsync(result.PointId!)).Find(CapturePartNames.Qvf)!;
        return (result, (await engine.Store.GetChunkRefsAsync(engine.TenantId, qvf.ContentRef))[0]);
    }

    [Fact]
    public async Task A_deleted_chunk_is_reported_for_every_point_sharing_it_and_the_next_capture_stores_it_again()
    {
        await using CaptureEngine engine = env.CreateEngine();
        string appId = AnApp();
        (AssetCaptureResult first, string chunk) = await CaptureAsync(engine, appId);
        VerifyReport clean = await Verify(engine).VerifyAsync(new VerifyRequest(PointId: first.PointId));
        Assert.True(clean.Ok);
        Assert.True(clean.Bytes >= (await engine.PointsAsync(AssetKind.App, appId))[0].Size, $"read {clean.Bytes} bytes");

        await engine.Store.DeleteAsync(engine.TenantId, chunk);
        VerifyReport broken = await Verify(engine).VerifyAsync(new VerifyRequest(Kind: AssetKind.App, AssetId: appId));
        VerifyProblem problem = Assert.Single(broken.Problems);
        Assert.Equal((first.PointId!, CapturePartNames.Qvf, VerifyProblemKind.Missing), (problem.PointId, problem.Part, problem.Problem));

        // Nothing changed in Qlik, yet the capture finds the lost chunk and stores it again instead of reporting "unchanged".
        AssetCaptureResult second = await engine.CaptureAppAsync(appId);
        Assert.True(second.NewBytes > 0, $"new bytes {second.NewBytes}");
        Assert.True(await Blob(engine, chunk).ExistsAsync());
        VerifyReport repaired = await Verify(engine).VerifyAsync(new VerifyRequest(Kind: AssetKind.App, AssetId: appId));
        Assert.True(repaired.Ok, string.Join("\n", repaired.Problems));
        Assert.Equal(2, repaired.Points);
    }

    [Theory]
    [InlineData("flip")]
    [InlineData("truncate")]
    public async Task An_altered_chunk_is_reported_corrupt(string damage)
    {
        await using CaptureEngine engine = env.CreateEngine();
        (AssetCaptureResult point, string chunk) = await CaptureAsync(engine, AnApp());
        BlobClient blob = Blob(engine, chunk);
        byte[] bytes = (await blob.DownloadContentAsync()).Value.Content.ToArray();
        if (damage == "flip") bytes[bytes.Length / 2] ^= 0x01;
        else bytes = bytes[..(bytes.Length / 2)];
        await blob.UploadAsync(BinaryData.FromBytes(bytes), overwrite: true);

        VerifyReport report = await Verify(engine).VerifyAsync(new VerifyRequest(All: true));

        VerifyProblem problem = Assert.Single(report.Problems);
        Assert.Equal((point.PointId!, CapturePartNames.Qvf, VerifyProblemKind.Corrupt), (problem.PointId, problem.Part, problem.Problem));
        Assert.False(report.Ok);
    }
}
