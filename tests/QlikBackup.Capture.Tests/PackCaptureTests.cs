using System.Collections.Concurrent;
using Azure.Core;
using Azure.Core.Pipeline;
using Microsoft.Extensions.Azure;
using QlikBackup.Capture.Tests.Support;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Capture;
using QlikBackup.Core.Storage;

namespace QlikBackup.Capture.Tests;

/// <summary>What an app capture costs in blob requests now that small parts are packed, counted on the wire (Azurite).</summary>
[Collection(CaptureCollection.Name)]
public sealed class PackCaptureTests(CaptureEnvironment env)
{
    [Fact]
    public async Task An_app_capture_stores_its_small_parts_with_one_pack_PUT_and_its_manifest_with_one_more()
    {
        var blobs = new BlobRequests();
        await using CaptureEngine engine = env.CreateEngine(configure: s => s.AddAzureClients(c => c.ConfigureDefaults(o => o.AddPolicy(blobs, HttpPipelinePosition.PerRetry))));
        string appId = env.Tenant.Read(s => s.Apps.Where(a => a.SpaceId is not null).OrderBy(a => a.Id, StringComparer.Ordinal).Skip(5).First().Id);
        await engine.Store.PutManyAsync(engine.TenantId, []); // the tenant's key and the container, outside the count
        blobs.Clear();

        AssetCaptureResult result = await engine.CaptureAppAsync(appId);

        Assert.Equal(CaptureOutcome.Captured, result.Outcome);
        Manifest manifest = await engine.ManifestAsync(result.PointId!);
        Assert.True(manifest.Parts.Count >= 10, $"{manifest.Parts.Count} parts");
        Assert.All(manifest.Parts, p => Assert.Equal(129, p.ContentRef.Length)); // every part packed (the simulator's QVF is small)
        Assert.Single(manifest.Parts.Select(p => p.ContentRef[..64]).Distinct());
        Assert.Equal(["PUT /packs/", "PUT /packs/"], blobs.Writes);
        Assert.Equal(0, blobs.Count("HEAD"));
    }

    [Fact]
    public async Task A_large_QVF_is_still_chunked_next_to_the_pack_of_the_small_parts()
    {
        await using CaptureEngine engine = env.CreateEngine(new Dictionary<string, string?> { ["Storage:PackedPartMaxBytes"] = "4096" });
        string appId = env.Tenant.Read(s => s.Apps.Where(a => a.SpaceId is not null).OrderBy(a => a.Id, StringComparer.Ordinal).Skip(6).First().Id);

        AssetCaptureResult result = await engine.CaptureAppAsync(appId);

        Manifest manifest = await engine.ManifestAsync(result.PointId!);
        ManifestPart qvf = manifest.Find(CapturePartNames.Qvf)!;
        Assert.True(qvf.Size > 4096);
        Assert.Equal(64, qvf.ContentRef.Length);
        Assert.StartsWith(BlobLayout.ChunkRefPrefix, (await engine.Store.GetChunkRefsAsync(engine.TenantId, qvf.ContentRef))[0]);
        Assert.Contains(manifest.Parts, p => p.ContentRef.Length == 129);
        await using Stream read = await engine.Store.OpenReadAsync(engine.TenantId, qvf.ContentRef);
        Assert.Equal(qvf.Sha256, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(await ReadAllAsync(read))));
    }

    static async Task<byte[]> ReadAllAsync(Stream s)
    {
        using var copy = new MemoryStream();
        await s.CopyToAsync(copy);
        return copy.ToArray();
    }

    /// <summary>Blob requests by method, and the writes by method and kind of blob (packs, chunks, contents, keys).</summary>
    sealed class BlobRequests : HttpPipelinePolicy
    {
        readonly ConcurrentQueue<(string Method, string Path)> seen = new();

        public int Count(string method) => seen.Count(r => r.Method == method && r.Path.Contains("/tenants/", StringComparison.Ordinal));

        public List<string> Writes => [.. seen.Where(r => r.Method == "PUT" && r.Path.Contains("/tenants/", StringComparison.Ordinal))
            .Select(r => $"PUT /{r.Path.Split('/')[^2]}/")];

        public void Clear() => seen.Clear();

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            Record(message);
            ProcessNext(message, pipeline);
        }

        public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            Record(message);
            return ProcessNextAsync(message, pipeline);
        }

        void Record(HttpMessage message)
        {
            if (message.Request.Uri.Host is { } && message.Request.Uri.Path.Contains("/recovery-points/", StringComparison.Ordinal))
                seen.Enqueue((message.Request.Method.Method, message.Request.Uri.Path));
        }
    }
}
