using Azure.Storage.Blobs;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Storage;
using QlikBackup.Core.Tests.Support;
using static QlikBackup.Core.Tests.Support.TestData;

namespace QlikBackup.Core.Tests.Storage;

[Collection(AzuriteCollection.Name)]
public sealed class ContentStoreTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task RoundTrip_PartsManifestIndex_ReadBackDecryptsToInput()
    {
        (BlobContentStore store, BlobContainerClient container) = azurite.NewStore(chunkSize: BlobContentStore.ChunkSize);
        var index = new TableRecoveryPointIndex(azurite.Tables, "T" + Guid.NewGuid().ToString("N")[..12]);
        string tenant = NewTenant();
        var parts = new Dictionary<string, byte[]>
        {
            ["qvf"] = Random(10 * MiB + 12345),
            ["script"] = "LOAD * INLINE [a\n1];"u8.ToArray(),
            ["object/sheet/empty"] = [],
        };

        var manifestParts = new List<ManifestPart>();
        foreach ((string name, byte[] data) in parts)
        {
            StoredContent stored = await store.PutAsync(tenant, new TrickleStream(data));
            Assert.Equal(data.Length, stored.Size);
            Assert.Equal(Sha256Hex(data), stored.Sha256);
            manifestParts.Add(new ManifestPart(name, stored.ContentRef, stored.Size, stored.Sha256));
        }

        StoredContent manifest = await store.PutManifestAsync(tenant, new Manifest(manifestParts));
        var capturedAt = new DateTimeOffset(2025, 3, 4, 5, 6, 7, TimeSpan.Zero).AddTicks(1234567);
        await index.AddAsync(new RecoveryPoint
        {
            TenantId = tenant,
            PointId = RecoveryPointIds.Create(AssetKind.App, "app-1", capturedAt),
            Kind = AssetKind.App,
            AssetId = "app-1",
            CapturedAt = capturedAt,
            ManifestRef = manifest.ContentRef,
            Size = parts.Values.Sum(p => (long)p.Length),
        });

        // 10 MiB in chunks of at most 4 MiB: 4 + 4 + 2, each its own blob.
        string qvfRef = manifestParts.Single(p => p.Name == "qvf").ContentRef;
        IReadOnlyList<string> qvfChunks = await store.GetChunkRefsAsync(tenant, qvfRef);
        Assert.Equal(3, qvfChunks.Count);
        foreach (string chunk in qvfChunks)
        {
            long stored = (await container.GetBlobClient(BlobLayout.TenantPrefix(tenant) + chunk).GetPropertiesAsync()).Value.ContentLength;
            Assert.InRange(stored, 1, BlobContentStore.ChunkSize + 28);
        }

        RecoveryPoint point = Assert.Single(await index.GetNewestAsync(tenant, AssetKind.App, "app-1"));
        Manifest read = await store.ReadManifestAsync(tenant, point.ManifestRef!);
        Assert.Equal(parts.Keys.Order(), read.Parts.Select(p => p.Name).Order());
        foreach (ManifestPart part in read.Parts)
        {
            byte[] bytes = await store.ReadAllAsync(tenant, part.ContentRef);
            Assert.Equal(parts[part.Name], bytes);
            Assert.Equal(part.Sha256, Sha256Hex(bytes));
        }
    }

    [Fact]
    public async Task Dedup_SameContentTwice_AddsNoBlobAndNoBytes()
    {
        (BlobContentStore store, BlobContainerClient container) = azurite.NewStore();
        string tenant = NewTenant();
        byte[] data = Random(3 * AzuriteFixture.SmallChunk + 1000);

        StoredContent first = await store.PutAsync(tenant, new MemoryStream(data));
        List<string> blobsAfterFirst = await container.BlobNamesAsync(BlobLayout.TenantPrefix(tenant));
        StoredContent second = await store.PutAsync(tenant, new MemoryStream(data));
        List<string> blobsAfterSecond = await container.BlobNamesAsync(BlobLayout.TenantPrefix(tenant));

        Assert.Equal(first.ContentRef, second.ContentRef);
        Assert.True(first.NewBytes > 0);
        Assert.Equal(0, second.NewBytes);
        Assert.Equal(5, blobsAfterFirst.Count); // four chunks + one descriptor
        Assert.Equal(blobsAfterFirst, blobsAfterSecond);
    }

    [Fact]
    public async Task Dedup_SharedLeadingChunk_UploadsOnlyTheDifferentTail()
    {
        (BlobContentStore store, _) = azurite.NewStore();
        string tenant = NewTenant();
        byte[] shared = Random(AzuriteFixture.SmallChunk);
        byte[] a = [.. shared, .. Random(1000)];
        byte[] b = [.. shared, .. Random(2000)];

        await store.PutAsync(tenant, new MemoryStream(a));
        StoredContent second = await store.PutAsync(tenant, new MemoryStream(b));

        Assert.InRange(second.NewBytes, 2000, 4000); // the 2000-byte tail chunk and a small descriptor, not the shared chunk
        Assert.Equal(b, await store.ReadAllAsync(tenant, second.ContentRef));
    }

    [Fact]
    public async Task BlobNames_AreTenantKeyed_AndDoNotRevealThePlaintextHash()
    {
        (BlobContentStore store, BlobContainerClient container) = azurite.NewStore();
        string tenantA = NewTenant(), tenantB = NewTenant();
        byte[] data = "the same content in two tenants"u8.ToArray();

        StoredContent inA = await store.PutAsync(tenantA, new MemoryStream(data));
        StoredContent inB = await store.PutAsync(tenantB, new MemoryStream(data));

        Assert.NotEqual(inA.ContentRef, inB.ContentRef);
        List<string> all = await container.BlobNamesAsync("tenants/");
        Assert.DoesNotContain(all, n => n.Contains(Sha256Hex(data), StringComparison.Ordinal));
        Assert.Empty((await container.BlobNamesAsync(BlobLayout.TenantPrefix(tenantA))).Select(n => n.Split('/')[^1])
            .Intersect((await container.BlobNamesAsync(BlobLayout.TenantPrefix(tenantB))).Select(n => n.Split('/')[^1])));
    }

    [Fact]
    public async Task Tamper_FlippedByteInChunk_FailsWithIntegrityError()
    {
        (BlobContentStore store, BlobContainerClient container) = azurite.NewStore();
        string tenant = NewTenant();
        StoredContent stored = await store.PutAsync(tenant, new MemoryStream(Random(3 * AzuriteFixture.SmallChunk)));
        string secondChunk = (await store.GetChunkRefsAsync(tenant, stored.ContentRef))[1];
        await container.FlipByteAsync(BlobLayout.TenantPrefix(tenant) + secondChunk);

        await using Stream stream = await store.OpenReadAsync(tenant, stored.ContentRef);
        var error = await Assert.ThrowsAsync<ContentIntegrityException>(() => stream.CopyToAsync(Stream.Null));
        Assert.Contains("failed authentication", error.Message);
    }

    [Fact]
    public async Task Tamper_FlippedByteInDescriptor_FailsWithIntegrityError()
    {
        (BlobContentStore store, BlobContainerClient container) = azurite.NewStore();
        string tenant = NewTenant();
        StoredContent stored = await store.PutAsync(tenant, new MemoryStream(Random(1000)));
        await container.FlipByteAsync(BlobLayout.ContentBlob(tenant, stored.ContentRef), at: 20);

        var error = await Assert.ThrowsAsync<ContentIntegrityException>(() => store.OpenReadAsync(tenant, stored.ContentRef));
        Assert.Contains(stored.ContentRef, error.Message);
    }

    [Fact]
    public async Task Tamper_ChunkSwappedForAnotherValidChunk_FailsWithIntegrityError()
    {
        (BlobContentStore store, BlobContainerClient container) = azurite.NewStore();
        string tenant = NewTenant();
        StoredContent victim = await store.PutAsync(tenant, new MemoryStream(Random(1000)));
        StoredContent other = await store.PutAsync(tenant, new MemoryStream(Random(1000)));
        string victimChunk = BlobLayout.TenantPrefix(tenant) + (await store.GetChunkRefsAsync(tenant, victim.ContentRef))[0];
        string otherChunk = BlobLayout.TenantPrefix(tenant) + (await store.GetChunkRefsAsync(tenant, other.ContentRef))[0];
        BinaryData otherBytes = (await container.GetBlobClient(otherChunk).DownloadContentAsync()).Value.Content;
        await container.GetBlobClient(victimChunk).UploadAsync(otherBytes, overwrite: true);

        await using Stream stream = await store.OpenReadAsync(tenant, victim.ContentRef);
        await Assert.ThrowsAsync<ContentIntegrityException>(() => stream.CopyToAsync(Stream.Null));
    }

    [Fact]
    public async Task CrossTenant_ReferenceOfTenantA_IsRefusedForTenantB()
    {
        (BlobContentStore store, _) = azurite.NewStore();
        string tenantA = NewTenant(), tenantB = NewTenant();
        await store.PutAsync(tenantB, new MemoryStream([1, 2, 3])); // B has a key and blobs of its own
        StoredContent ofA = await store.PutAsync(tenantA, new MemoryStream(Random(1000)));

        var error = await Assert.ThrowsAsync<ContentIntegrityException>(() => store.OpenReadAsync(tenantB, ofA.ContentRef));
        Assert.Contains(tenantB, error.Message);
        Assert.False(await store.ExistsAsync(tenantB, ofA.ContentRef));
    }

    [Fact]
    public async Task CrossTenant_BlobsOfTenantACopiedUnderTenantB_FailAuthenticationWithTenantBKey()
    {
        (BlobContentStore store, BlobContainerClient container) = azurite.NewStore();
        string tenantA = NewTenant(), tenantB = NewTenant();
        await store.PutAsync(tenantB, new MemoryStream([1, 2, 3]));
        StoredContent ofA = await store.PutAsync(tenantA, new MemoryStream(Random(1000)));
        foreach (string name in await container.BlobNamesAsync(BlobLayout.TenantPrefix(tenantA)))
        {
            string target = BlobLayout.TenantPrefix(tenantB) + name[BlobLayout.TenantPrefix(tenantA).Length..];
            await container.GetBlobClient(target).UploadAsync((await container.GetBlobClient(name).DownloadContentAsync()).Value.Content);
        }

        var error = await Assert.ThrowsAsync<ContentIntegrityException>(() => store.OpenReadAsync(tenantB, ofA.ContentRef));
        Assert.Contains("another tenant's key", error.Message);
    }

    [Fact]
    public async Task ListGetChunksAndDelete_CoverEveryBlobOfTheTenant()
    {
        (BlobContentStore store, _) = azurite.NewStore();
        string tenant = NewTenant();
        StoredContent stored = await store.PutAsync(tenant, new MemoryStream(Random(AzuriteFixture.SmallChunk + 5000)));

        var listed = new List<string>();
        await foreach (string r in store.ListContentRefsAsync(tenant))
        {
            listed.Add(r);
        }

        IReadOnlyList<string> chunks = await store.GetChunkRefsAsync(tenant, stored.ContentRef);
        Assert.Equal(chunks.Append(stored.ContentRef).Order(), listed.Order());

        await store.DeleteAsync(tenant, stored.ContentRef);
        Assert.False(await store.ExistsAsync(tenant, stored.ContentRef));
        await store.DeleteAsync(tenant, chunks[0]);
        var left = new List<string>();
        await foreach (string r in store.ListContentRefsAsync(tenant))
        {
            left.Add(r);
        }

        Assert.Equal([chunks[1]], left);
    }

    [Fact]
    public async Task Put_SourceStreamFailsMidway_PropagatesItsErrorAndStoresNoContent()
    {
        (BlobContentStore store, BlobContainerClient container) = azurite.NewStore();
        string tenant = NewTenant();
        var source = new FailingStream(new TrickleStream(Random(5 * AzuriteFixture.SmallChunk)), failAfter: 3 * AzuriteFixture.SmallChunk);

        var error = await Assert.ThrowsAsync<IOException>(() => store.PutAsync(tenant, source));

        Assert.Equal("connection reset", error.Message);
        Assert.Empty(await container.BlobNamesAsync(BlobLayout.TenantPrefix(tenant) + "contents/"));
    }

    [Fact]
    public async Task MalformedReference_IsRejectedAsBadInput()
    {
        (BlobContentStore store, _) = azurite.NewStore();
        var error = await Assert.ThrowsAsync<ArgumentException>(() => store.OpenReadAsync(NewTenant(), "../keys/x.json"));
        Assert.Contains("not a content reference", error.Message);
    }
}
