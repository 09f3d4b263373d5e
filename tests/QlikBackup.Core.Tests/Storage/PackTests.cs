using Azure.Storage.Blobs;
using QlikBackup.Core.Crypto;
using QlikBackup.Core.Storage;
using QlikBackup.Core.Tests.Support;
using static QlikBackup.Core.Tests.Support.TestData;

namespace QlikBackup.Core.Tests.Storage;

/// <summary>Small content in pack blobs, against real Azurite: requests counted, blobs damaged through the Blob SDK.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class PackTests(AzuriteFixture azurite)
{
    /// <summary>About what one app capture stores besides its QVF: sheets, objects, script, metadata, one empty object.</summary>
    static List<byte[]> CaptureParts() => [.. Enumerable.Range(0, 20).Select(i => Random(3000 + 100 * i)), []];

    static IReadOnlyList<ReadOnlyMemory<byte>> Memories(IEnumerable<byte[]> parts) => [.. parts.Select(p => (ReadOnlyMemory<byte>)p)];

    static string PackBlob(string tenant, string contentRef) => BlobLayout.PackBlob(tenant, contentRef[..64]);

    [Fact]
    public async Task The_small_parts_of_a_capture_are_one_pack_stored_with_one_PUT_and_read_back()
    {
        string tenant = NewTenant();
        (BlobContentStore store, BlobContainerClient container, BlobRequestCounter requests) = await azurite.NewCountedStoreAsync(tenant);
        List<byte[]> parts = CaptureParts();

        IReadOnlyList<StoredContent> stored = await store.PutManyAsync(tenant, Memories(parts));

        Assert.Equal((1, 1), (requests["PUT"], requests.Total));
        Assert.Single(await container.BlobNamesAsync(BlobLayout.TenantPrefix(tenant)), n => n.Contains("/packs/", StringComparison.Ordinal));
        Assert.Single(stored.Select(s => s.ContentRef[..64]).Distinct());
        Assert.Equal(parts.Count, stored.Select(s => s.ContentRef).Distinct().Count());
        Assert.Equal((await container.GetBlobClient(PackBlob(tenant, stored[0].ContentRef)).GetPropertiesAsync()).Value.ContentLength, stored.Sum(s => s.NewBytes));
        for (int i = 0; i < parts.Count; i++)
        {
            Assert.Equal((parts[i].Length, Sha256Hex(parts[i])), (stored[i].Size, stored[i].Sha256));
            Assert.Equal(parts[i], await store.ReadAllAsync(tenant, stored[i].ContentRef));
        }
    }

    [Fact]
    public async Task Reading_every_part_of_a_pack_downloads_the_pack_once()
    {
        string tenant = NewTenant();
        LocalKeyEncryptionKey kek = AzuriteFixture.NewLocalKek();
        (BlobContentStore writer, BlobContainerClient container, _) = await azurite.NewCountedStoreAsync(tenant, kek: kek);
        List<byte[]> parts = CaptureParts();
        IReadOnlyList<StoredContent> stored = await writer.PutManyAsync(tenant, Memories(parts));
        // Another process: nothing cached.
        (BlobContentStore reader, _, BlobRequestCounter requests) = await azurite.NewCountedStoreAsync(tenant, kek: kek, containerName: container.Name);

        for (int i = 0; i < parts.Count; i++) Assert.Equal(parts[i], await reader.ReadAllAsync(tenant, stored[i].ContentRef));

        Assert.Equal((1, 1), (requests["GET"], requests.Total));
    }

    [Fact]
    public async Task The_pack_cache_is_bounded_and_drops_the_least_recently_read_pack()
    {
        string tenant = NewTenant();
        var packs = PackSettings.Default with { CacheBytes = 100 * 1024 };
        (BlobContentStore store, _, BlobRequestCounter requests) = await azurite.NewCountedStoreAsync(tenant, packs);
        StoredContent a = (await store.PutManyAsync(tenant, [Random(60 * 1024)]))[0];
        StoredContent b = (await store.PutManyAsync(tenant, [Random(60 * 1024)]))[0];
        requests.Reset();

        await store.ReadAllAsync(tenant, a.ContentRef);
        await store.ReadAllAsync(tenant, a.ContentRef);
        Assert.Equal(1, requests["GET"]);
        await store.ReadAllAsync(tenant, b.ContentRef); // 120 KiB > 100 KiB: a goes
        await store.ReadAllAsync(tenant, b.ContentRef);
        await store.ReadAllAsync(tenant, a.ContentRef);

        Assert.Equal(3, requests["GET"]);
    }

    [Fact]
    public async Task Equal_content_is_packed_once_within_a_call_and_across_calls_inside_the_dedup_window()
    {
        string tenant = NewTenant();
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        (BlobContentStore store, _, BlobRequestCounter requests) = await azurite.NewCountedStoreAsync(tenant, clock: clock);
        byte[] shared = "[]"u8.ToArray(), other = Random(500);

        IReadOnlyList<StoredContent> first = await store.PutManyAsync(tenant, [shared, other, shared]);
        Assert.Equal(first[0].ContentRef, first[2].ContentRef);
        Assert.Equal(0, first[2].NewBytes);

        // Another app with the same schedule list: nothing to store, no request.
        requests.Reset();
        IReadOnlyList<StoredContent> second = await store.PutManyAsync(tenant, [shared]);
        Assert.Equal((first[0].ContentRef, 0L, 0), (second[0].ContentRef, second[0].NewBytes, requests.Total));

        // Past the window the entry is not trusted to outlive a sweep: it is packed again.
        clock.Now += PackSettings.Default.DedupWindow;
        IReadOnlyList<StoredContent> later = await store.PutManyAsync(tenant, [shared]);
        Assert.NotEqual(first[0].ContentRef, later[0].ContentRef);
        Assert.Equal(1, requests["PUT"]);
        Assert.Equal(shared, await store.ReadAllAsync(tenant, later[0].ContentRef));
    }

    [Fact]
    public async Task Content_above_the_packed_size_is_chunked_as_before()
    {
        string tenant = NewTenant();
        (BlobContentStore store, _, _) = await azurite.NewCountedStoreAsync(tenant, PackSettings.Default with { MaxPackedSize = 1000 });
        byte[] large = Random(5000), small = Random(900);

        IReadOnlyList<StoredContent> stored = await store.PutManyAsync(tenant, [large, small]);

        Assert.Equal(64, stored[0].ContentRef.Length);
        Assert.StartsWith(BlobLayout.ChunkRefPrefix, Assert.Single(await store.GetChunkRefsAsync(tenant, stored[0].ContentRef)));
        Assert.Equal(BlobLayout.PackRefPrefix + stored[1].ContentRef[..64], Assert.Single(await store.GetChunkRefsAsync(tenant, stored[1].ContentRef)));
        Assert.Equal(large, await store.ReadAllAsync(tenant, stored[0].ContentRef));
        Assert.Equal(small, await store.ReadAllAsync(tenant, stored[1].ContentRef));
    }

    [Fact]
    public async Task Many_contents_are_cut_into_packs_of_at_most_the_pack_size()
    {
        string tenant = NewTenant();
        (BlobContentStore store, BlobContainerClient container, BlobRequestCounter requests) =
            await azurite.NewCountedStoreAsync(tenant, PackSettings.Default with { MaxPackSize = 64 * 1024 });
        List<byte[]> parts = [.. Enumerable.Range(0, 10).Select(_ => Random(20 * 1024))];

        IReadOnlyList<StoredContent> stored = await store.PutManyAsync(tenant, Memories(parts));

        Assert.Equal(4, requests["PUT"]); // three 20 KiB entries fit in 64 KiB
        Assert.Equal(4, stored.Select(s => s.ContentRef[..64]).Distinct().Count());
        foreach (string pack in await container.BlobNamesAsync(BlobLayout.TenantPrefix(tenant) + "packs/"))
            Assert.InRange((await container.GetBlobClient(pack).GetPropertiesAsync()).Value.ContentLength, 1, 64 * 1024 + 1024);
        for (int i = 0; i < parts.Count; i++) Assert.Equal(parts[i], await store.ReadAllAsync(tenant, stored[i].ContentRef));
    }

    [Fact]
    public async Task A_flipped_byte_in_an_entry_fails_that_entry_and_only_it()
    {
        string tenant = NewTenant();
        (BlobContentStore store, BlobContainerClient container, _) = await azurite.NewCountedStoreAsync(tenant);
        IReadOnlyList<StoredContent> stored = await store.PutManyAsync(tenant, [Random(1000), Random(1000)]);
        await container.FlipByteAsync(PackBlob(tenant, stored[1].ContentRef), at: 1028 + 500); // inside the second entry

        var error = await Assert.ThrowsAsync<ContentIntegrityException>(() => store.ReadAllAsync(tenant, stored[1].ContentRef));
        Assert.Contains("failed authentication", error.Message);
        IReadOnlyList<ContentCheck> checks = await store.VerifyManyAsync(tenant, [stored[0].ContentRef, stored[1].ContentRef], readData: true);
        Assert.Null(checks[0].Failure);
        Assert.Equal(1000, checks[0].Bytes);
        Assert.False(Assert.IsType<ContentIntegrityException>(checks[1].Failure).Missing);
        // Without reading data only the header is authenticated, and it is whole.
        Assert.All(await store.VerifyManyAsync(tenant, [stored[0].ContentRef, stored[1].ContentRef], readData: false), c => Assert.Null(c.Failure));
    }

    [Theory]
    [InlineData(10)] // inside the header
    [InlineData(2)] // its length
    public async Task A_damaged_pack_header_fails_every_entry(int fromEnd)
    {
        string tenant = NewTenant();
        (BlobContentStore store, BlobContainerClient container, _) = await azurite.NewCountedStoreAsync(tenant);
        IReadOnlyList<StoredContent> stored = await store.PutManyAsync(tenant, [Random(1000), Random(1000)]);
        BlobClient blob = container.GetBlobClient(PackBlob(tenant, stored[0].ContentRef));
        long length = (await blob.GetPropertiesAsync()).Value.ContentLength;
        await container.FlipByteAsync(blob.Name, at: (int)length - fromEnd);

        foreach (StoredContent s in stored)
        {
            await Assert.ThrowsAsync<ContentIntegrityException>(() => store.ReadAllAsync(tenant, s.ContentRef));
            await Assert.ThrowsAsync<ContentIntegrityException>(() => store.VerifyAsync(tenant, s.ContentRef, readData: false));
        }
    }

    [Fact]
    public async Task A_deleted_pack_is_reported_missing()
    {
        string tenant = NewTenant();
        (BlobContentStore store, _, _) = await azurite.NewCountedStoreAsync(tenant);
        StoredContent stored = (await store.PutManyAsync(tenant, [Random(1000)]))[0];
        Assert.True(await store.ExistsAsync(tenant, stored.ContentRef));

        await store.DeleteAsync(tenant, (await store.GetChunkRefsAsync(tenant, stored.ContentRef))[0]);

        Assert.False(await store.ExistsAsync(tenant, stored.ContentRef));
        Assert.True((await Assert.ThrowsAsync<ContentIntegrityException>(() => store.OpenReadAsync(tenant, stored.ContentRef))).Missing);
        Assert.True((await Assert.ThrowsAsync<ContentIntegrityException>(() => store.VerifyAsync(tenant, stored.ContentRef, readData: false))).Missing);
    }

    [Fact]
    public async Task A_pack_copied_into_another_tenant_fails_authentication()
    {
        string tenantA = NewTenant(), tenantB = NewTenant();
        (BlobContentStore store, BlobContainerClient container, _) = await azurite.NewCountedStoreAsync(tenantA);
        await store.PutManyAsync(tenantB, [Random(10)]); // B has a key of its own
        StoredContent ofA = (await store.PutManyAsync(tenantA, [Random(1000)]))[0];
        BinaryData bytes = (await container.GetBlobClient(PackBlob(tenantA, ofA.ContentRef)).DownloadContentAsync()).Value.Content;
        await container.GetBlobClient(PackBlob(tenantB, ofA.ContentRef)).UploadAsync(bytes);

        var error = await Assert.ThrowsAsync<ContentIntegrityException>(() => store.OpenReadAsync(tenantB, ofA.ContentRef));
        Assert.Contains("another tenant's key", error.Message);
        Assert.NotNull((await store.VerifyManyAsync(tenantB, [ofA.ContentRef], readData: true))[0].Failure);
    }

    [Fact]
    public async Task A_pack_replaced_by_another_valid_pack_or_an_altered_reference_fails()
    {
        string tenant = NewTenant();
        (BlobContentStore store, BlobContainerClient container, _) = await azurite.NewCountedStoreAsync(tenant);
        StoredContent victim = (await store.PutManyAsync(tenant, [Random(1000)]))[0];
        StoredContent other = (await store.PutManyAsync(tenant, [Random(1000)]))[0];

        // A reference naming the victim's pack with another pack's entry: not in that pack.
        string altered = $"{victim.ContentRef[..64]}.{other.ContentRef[65..]}";
        Assert.Contains("not in pack", (await Assert.ThrowsAsync<ContentIntegrityException>(() => store.OpenReadAsync(tenant, altered))).Message);

        BinaryData otherBytes = (await container.GetBlobClient(PackBlob(tenant, other.ContentRef)).DownloadContentAsync()).Value.Content;
        await container.GetBlobClient(PackBlob(tenant, victim.ContentRef)).UploadAsync(otherBytes, overwrite: true);
        // Verify, not a read: the read above left the genuine pack in the cache.
        await Assert.ThrowsAsync<ContentIntegrityException>(() => store.VerifyAsync(tenant, victim.ContentRef, readData: true));
    }

    [Fact]
    public async Task Verify_reads_storage_afresh_while_reads_may_be_served_by_the_cache()
    {
        string tenant = NewTenant();
        (BlobContentStore store, BlobContainerClient container, _) = await azurite.NewCountedStoreAsync(tenant);
        byte[] data = Random(1000);
        StoredContent stored = (await store.PutManyAsync(tenant, [data]))[0];
        Assert.Equal(data, await store.ReadAllAsync(tenant, stored.ContentRef));

        await container.FlipByteAsync(PackBlob(tenant, stored.ContentRef), at: 500);

        Assert.Equal(data, await store.ReadAllAsync(tenant, stored.ContentRef)); // authenticated when it was read
        await Assert.ThrowsAsync<ContentIntegrityException>(() => store.VerifyAsync(tenant, stored.ContentRef, readData: true));
    }

    [Fact]
    public async Task Packs_are_listed_and_deleted_as_one_blob_next_to_content_stored_before_packs()
    {
        string tenant = NewTenant();
        (BlobContentStore store, _, _) = await azurite.NewCountedStoreAsync(tenant);
        StoredContent old = await store.PutAsync(tenant, new MemoryStream(Random(AzuriteFixture.SmallChunk + 5000)));
        IReadOnlyList<StoredContent> packed = await store.PutManyAsync(tenant, [Random(100), Random(200)]);
        string pack = BlobLayout.PackRefPrefix + packed[0].ContentRef[..64];

        var listed = new List<string>();
        await foreach (string r in store.ListContentRefsAsync(tenant)) listed.Add(r);
        Assert.Equal((await store.GetChunkRefsAsync(tenant, old.ContentRef)).Append(old.ContentRef).Append(pack).Order(), listed.Order());

        // Old and packed content verify side by side; an entry's reference deletes nothing, its pack deletes both entries.
        Assert.All(await store.VerifyManyAsync(tenant, [old.ContentRef, packed[0].ContentRef, packed[1].ContentRef], readData: true), c => Assert.Null(c.Failure));
        await store.DeleteAsync(tenant, packed[0].ContentRef);
        Assert.True(await store.ExistsAsync(tenant, packed[1].ContentRef));
        await store.DeleteAsync(tenant, pack);
        IReadOnlyList<ContentCheck> after = await store.VerifyManyAsync(tenant, [old.ContentRef, packed[0].ContentRef, packed[1].ContentRef], readData: true);
        Assert.Null(after[0].Failure);
        Assert.True(after[1].Failure!.Missing && after[2].Failure!.Missing);
    }

    [Fact]
    public async Task A_repacked_pack_is_followed_once_the_old_pack_is_gone_and_repacking_again_writes_nothing()
    {
        string tenant = NewTenant();
        LocalKeyEncryptionKey kek = AzuriteFixture.NewLocalKek();
        (BlobContentStore store, BlobContainerClient container, BlobRequestCounter requests) = await azurite.NewCountedStoreAsync(tenant, kek: kek);
        byte[] a = Random(1000), b = Random(2000), garbage = Random(50_000);
        IReadOnlyList<StoredContent> stored = await store.PutManyAsync(tenant, [a, garbage, b]);
        string old = stored[0].ContentRef[..64];
        string[] live = [stored[0].ContentRef[65..], stored[2].ContentRef[65..]];
        requests.Reset();

        string? moved = await store.RepackAsync(tenant, old, live);

        Assert.NotNull(moved);
        Assert.Equal(2, requests["PUT"]); // the new pack, then the forwarding record
        List<string> blobs = await container.BlobNamesAsync(BlobLayout.TenantPrefix(tenant));
        Assert.Equal(moved, (await store.GetPackForwardsAsync(tenant))[old]);
        Assert.True((await container.GetBlobClient(BlobLayout.PackBlob(tenant, moved)).GetPropertiesAsync()).Value.ContentLength < 4000);
        // Crash and run again: the same pack and record, refused as existing.
        Assert.Equal(moved, await store.RepackAsync(tenant, old, live));
        Assert.Equal(blobs, await container.BlobNamesAsync(BlobLayout.TenantPrefix(tenant)));
        var listed = new List<string>();
        await foreach (string r in store.ListContentRefsAsync(tenant)) listed.Add(r);
        Assert.Contains($"forwards/{old}.{moved}", listed);

        await store.DeleteAsync(tenant, BlobLayout.PackRefPrefix + old);
        (BlobContentStore reader, _, _) = await azurite.NewCountedStoreAsync(tenant, kek: kek, containerName: container.Name);

        Assert.True(await reader.ExistsAsync(tenant, stored[0].ContentRef));
        Assert.Equal(a, await reader.ReadAllAsync(tenant, stored[0].ContentRef));
        Assert.Equal(b, await reader.ReadAllAsync(tenant, stored[2].ContentRef));
        IReadOnlyList<ContentCheck> checks = await reader.VerifyManyAsync(tenant, [.. stored.Select(s => s.ContentRef)], readData: true);
        Assert.Null(checks[0].Failure);
        Assert.Contains("not in pack", checks[1].Failure!.Message); // the garbage entry was not carried over
        Assert.Null(checks[2].Failure);
    }

    [Fact]
    public async Task A_small_manifest_is_stored_with_one_PUT()
    {
        string tenant = NewTenant();
        (BlobContentStore store, _, BlobRequestCounter requests) = await azurite.NewCountedStoreAsync(tenant);
        var manifest = new Manifest([new ManifestPart("script", new string('a', 64), 3, new string('b', 64))], "point-1");

        StoredContent stored = await store.PutManifestAsync(tenant, manifest);

        Assert.Equal((1, 1), (requests["PUT"], requests.Total));
        Assert.Equal(manifest.Parts, (await store.ReadManifestAsync(tenant, stored.ContentRef)).Parts);
    }

    sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;
        public override DateTimeOffset GetUtcNow() => Now;
    }
}
