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
    static BlobClient Blob(CaptureEngine engine, string chunkRef) => engine.Services.GetRequiredService<BlobServiceClient>()
        .GetBlobContainerClient("recovery-points").GetBlobClient(BlobLayout.TenantPrefix(engine.TenantId) + chunkRef);

    /// <summary>The simulated QVFs are small enough to be packed; these tests want them chunked, as a real app's is.</summary>
    static readonly Dictionary<string, string?> ChunkedQvf = new() { ["Storage:PackedPartMaxBytes"] = "4096" };

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
        await using CaptureEngine engine = env.CreateEngine(ChunkedQvf);
        string appId = AnApp();
        (AssetCaptureResult first, string chunk) = await CaptureAsync(engine, appId);
        VerifyReport clean = await engine.Verify.VerifyAsync(new VerifyRequest(PointId: first.PointId));
        Assert.True(clean.Ok);
        Assert.True(clean.Bytes >= (await engine.PointsAsync(AssetKind.App, appId))[0].Size, $"read {clean.Bytes} bytes");

        await engine.Store.DeleteAsync(engine.TenantId, chunk);
        VerifyReport broken = await engine.Verify.VerifyAsync(new VerifyRequest(Kind: AssetKind.App, AssetId: appId));
        VerifyProblem problem = Assert.Single(broken.Problems);
        Assert.Equal((first.PointId!, CapturePartNames.Qvf, VerifyProblemKind.Missing), (problem.PointId, problem.Part, problem.Problem));

        // Nothing changed in Qlik, yet the capture finds the lost chunk and stores it again instead of reporting "unchanged".
        AssetCaptureResult second = await engine.CaptureAppAsync(appId);
        Assert.True(second.NewBytes > 0, $"new bytes {second.NewBytes}");
        Assert.True(await Blob(engine, chunk).ExistsAsync());
        VerifyReport repaired = await engine.Verify.VerifyAsync(new VerifyRequest(Kind: AssetKind.App, AssetId: appId));
        Assert.True(repaired.Ok, string.Join("\n", repaired.Problems));
        Assert.Equal(2, repaired.Points);
    }

    [Theory]
    [InlineData("flip")]
    [InlineData("truncate")]
    public async Task An_altered_chunk_is_reported_corrupt(string damage)
    {
        await using CaptureEngine engine = env.CreateEngine(ChunkedQvf);
        (AssetCaptureResult point, string chunk) = await CaptureAsync(engine, AnApp());
        BlobClient blob = Blob(engine, chunk);
        byte[] bytes = (await blob.DownloadContentAsync()).Value.Content.ToArray();
        if (damage == "flip") bytes[bytes.Length / 2] ^= 0x01;
        else bytes = bytes[..(bytes.Length / 2)];
        await blob.UploadAsync(BinaryData.FromBytes(bytes), overwrite: true);

        VerifyReport report = await engine.Verify.VerifyAsync(new VerifyRequest(All: true));

        VerifyProblem problem = Assert.Single(report.Problems);
        Assert.Equal((point.PointId!, CapturePartNames.Qvf, VerifyProblemKind.Corrupt), (problem.PointId, problem.Part, problem.Problem));
        Assert.False(report.Ok);
    }

    /// <summary>The pack holding the point's small parts (script, objects, the simulator's small QVF), and those parts.</summary>
    static async Task<(string Pack, List<ManifestPart> Parts)> PartsPackAsync(CaptureEngine engine, string pointId)
    {
        Manifest manifest = await engine.ManifestAsync(pointId);
        string qvfPack = Assert.Single(await engine.Store.GetChunkRefsAsync(engine.TenantId, manifest.Find(CapturePartNames.Qvf)!.ContentRef));
        Assert.StartsWith(BlobLayout.PackRefPrefix, qvfPack);
        return (qvfPack, [.. manifest.Parts.Where(p => p.ContentRef.StartsWith(qvfPack[BlobLayout.PackRefPrefix.Length..], StringComparison.Ordinal))]);
    }

    [Fact]
    public async Task A_deleted_pack_is_reported_missing_for_every_part_it_held_and_the_next_capture_stores_them_again()
    {
        await using CaptureEngine engine = env.CreateEngine();
        string appId = AnApp();
        AssetCaptureResult first = await engine.CaptureAppAsync(appId);
        (string pack, List<ManifestPart> packed) = await PartsPackAsync(engine, first.PointId!);
        Assert.True(packed.Count >= 5, $"{packed.Count} parts in the pack");

        await engine.Store.DeleteAsync(engine.TenantId, pack);
        VerifyReport broken = await engine.Verify.VerifyAsync(new VerifyRequest(PointId: first.PointId));

        Assert.Equal(packed.Select(p => p.Name).Order(), broken.Problems.Select(p => p.Part!).Order());
        Assert.All(broken.Problems, p => Assert.Equal(VerifyProblemKind.Missing, p.Problem));
        AssetCaptureResult second = await engine.CaptureAppAsync(appId);
        Assert.Equal(CaptureOutcome.Captured, second.Outcome);
        VerifyReport repaired = await engine.Verify.VerifyAsync(new VerifyRequest(PointId: second.PointId));
        Assert.True(repaired.Ok, string.Join("\n", repaired.Problems));
    }

    [Fact]
    public async Task A_flipped_byte_in_a_pack_is_reported_corrupt_for_the_part_it_falls_in()
    {
        await using CaptureEngine engine = env.CreateEngine();
        AssetCaptureResult point = await engine.CaptureAppAsync(AnApp());
        (string pack, _) = await PartsPackAsync(engine, point.PointId!);
        BlobClient blob = Blob(engine, pack);
        byte[] bytes = (await blob.DownloadContentAsync()).Value.Content.ToArray();
        bytes[40] ^= 0x01; // inside the first entry
        await blob.UploadAsync(BinaryData.FromBytes(bytes), overwrite: true);

        VerifyReport report = await engine.Verify.VerifyAsync(new VerifyRequest(All: true));

        VerifyProblem problem = Assert.Single(report.Problems);
        Assert.Equal((point.PointId!, VerifyProblemKind.Corrupt), (problem.PointId, problem.Problem));
    }

    [Fact]
    public async Task A_pack_swapped_for_another_tenants_pack_is_reported_corrupt()
    {
        await using CaptureEngine a = env.CreateEngine();
        await using CaptureEngine b = env.CreateEngine();
        string appId = AnApp();
        AssetCaptureResult ofA = await a.CaptureAppAsync(appId);
        AssetCaptureResult ofB = await b.CaptureAppAsync(appId);
        (string packOfA, _) = await PartsPackAsync(a, ofA.PointId!);
        (string packOfB, List<ManifestPart> partsOfB) = await PartsPackAsync(b, ofB.PointId!);
        BinaryData bytesOfA = (await Blob(a, packOfA).DownloadContentAsync()).Value.Content;
        await Blob(b, packOfB).UploadAsync(bytesOfA, overwrite: true);

        VerifyReport report = await b.Verify.VerifyAsync(new VerifyRequest(PointId: ofB.PointId));

        Assert.Equal(partsOfB.Select(p => p.Name).Order(), report.Problems.Select(p => p.Part!).Order());
        Assert.All(report.Problems, p => Assert.Equal(VerifyProblemKind.Corrupt, p.Problem));
    }
}
