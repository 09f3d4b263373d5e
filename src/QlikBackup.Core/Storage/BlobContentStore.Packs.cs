using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using QlikBackup.Core.Crypto;

namespace QlikBackup.Core.Storage;

/// <summary>
/// Small content in pack blobs (see <see cref="PackFile"/>): many contents per PUT instead of a HEAD and a PUT for the chunk
/// and again for the descriptor of each. A packed content's reference is <see cref="PackedRef"/>; reading one downloads
/// its pack whole (packs are small) and keeps it in <see cref="PackCache"/>, so the other parts of the same capture cost no
/// further request. Every entry is authenticated each time it is opened.
/// </summary>
public sealed partial class BlobContentStore
{
    public int MaxPackedSize => packs.MaxPackedSize;

    public async Task<IReadOnlyList<StoredContent>> PutManyAsync(string tenantId, IReadOnlyList<ReadOnlyMemory<byte>> contents, CancellationToken ct = default)
    {
        TenantKeys keys = await keyring.GetKeysAsync(tenantId, ct);
        await createContainer.RunAsync(ct);
        var results = new StoredContent[contents.Count];
        var known = new Dictionary<string, PackedRef>(StringComparer.Ordinal);
        var fresh = new List<(string Hmac, ReadOnlyMemory<byte> Plaintext)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var hmacs = new string?[contents.Count];
        for (int i = 0; i < contents.Count; i++)
        {
            if (contents[i].Length > packs.MaxPackedSize)
            {
                using Stream stream = AsStream(contents[i]);
                results[i] = await PutAsync(tenantId, stream, ct);
                continue;
            }

            string hmac = ChunkCipher.Name(keys, contents[i].Span);
            hmacs[i] = hmac;
            if (!seen.Add(hmac)) continue;
            if (recentEntries.TryGet(tenantId, hmac, out PackedRef recent)) known[hmac] = recent;
            else fresh.Add((hmac, contents[i]));
        }

        // Entries in the order given, cut into packs of at most MaxPackSize (a larger single entry gets a pack of its own).
        var groups = new List<List<(string Hmac, ReadOnlyMemory<byte> Plaintext)>>();
        long packBytes = 0;
        foreach (var entry in fresh)
        {
            int sealedLength = entry.Plaintext.Length + ChunkCipher.Overhead;
            if (groups.Count == 0 || packBytes + sealedLength > packs.MaxPackSize)
            {
                groups.Add([]);
                packBytes = 0;
            }

            groups[^1].Add(entry);
            packBytes += sealedLength;
        }

        var newBytes = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(groups, new ParallelOptions { MaxDegreeOfParallelism = maxParallelUploads, CancellationToken = ct }, async (group, c) =>
        {
            (string name, byte[] bytes) = PackFile.Build(keys, group);
            long written = await UploadIfAbsentAsync(container.GetBlobClient(BlobLayout.PackBlob(tenantId, name)), bytes, c);
            lock (known)
            {
                foreach (var e in group) known[e.Hmac] = new PackedRef(name, e.Hmac);
            }

            // The pack's bytes count once, on its first entry. A pack that already existed (a retried capture) is not
            // remembered for dedup: when it was written, and so whether a sweep may be about to take it, is unknown.
            newBytes[group[0].Hmac] = written;
            if (written > 0)
            {
                foreach (var e in group) recentEntries.Add(tenantId, new PackedRef(name, e.Hmac));
            }
        });

        for (int i = 0; i < contents.Count; i++)
        {
            if (hmacs[i] is not { } hmac) continue;
            long bytes = newBytes.TryRemove(hmac, out long b) ? b : 0;
            results[i] = new StoredContent(known[hmac].ToString(), contents[i].Length, Convert.ToHexStringLower(SHA256.HashData(contents[i].Span)), bytes);
        }

        return results;
    }

    public async Task<IReadOnlyDictionary<string, StoredPack>> ListPacksAsync(string tenantId, CancellationToken ct = default)
    {
        var sizes = new Dictionary<string, StoredPack>(StringComparer.Ordinal);
        string prefix = BlobLayout.TenantPrefix(tenantId);
        if (!await container.ExistsAsync(ct)) return sizes;
        await foreach (BlobItem item in container.GetBlobsAsync(new GetBlobsOptions { Prefix = prefix + BlobLayout.PackRefPrefix }, ct))
        {
            sizes[item.Name[prefix.Length..]] = new StoredPack(item.Properties.ContentLength ?? 0, item.Properties.LastModified ?? DateTimeOffset.MaxValue);
        }

        return sizes;
    }

    public async Task<IReadOnlyList<ContentCheck>> VerifyManyAsync(string tenantId, IReadOnlyCollection<string> contentRefs, bool readData, CancellationToken ct = default)
    {
        List<string> distinct = contentRefs.Distinct(StringComparer.Ordinal).ToList();
        var checks = new ConcurrentDictionary<string, ContentCheck>(StringComparer.Ordinal);
        var packed = new List<PackedRef>();
        var chunked = new List<string>();
        foreach (string contentRef in distinct)
        {
            if (PackedRef.TryParse(contentRef, out PackedRef p)) packed.Add(p);
            else chunked.Add(contentRef);
        }

        TenantKeys keys = await keyring.GetKeysAsync(tenantId, ct);
        var work = packed.GroupBy(p => p.Pack).Select(g => (Func<CancellationToken, Task>)(c => VerifyPackAsync(keys, g.Key, [.. g], readData, checks, c)))
            .Concat(chunked.Select(r => (Func<CancellationToken, Task>)(async c =>
            {
                try
                {
                    checks[r] = new ContentCheck(r, await VerifyAsync(tenantId, r, readData, c), null);
                }
                catch (ContentIntegrityException ex)
                {
                    checks[r] = new ContentCheck(r, 0, ex);
                }
            })));
        await Parallel.ForEachAsync(work, new ParallelOptions { MaxDegreeOfParallelism = maxParallelUploads, CancellationToken = ct }, (w, c) => new ValueTask(w(c)));
        return [.. distinct.Select(r => checks[r])];
    }

    /// <summary>Reads the pack afresh (not from the cache: verify is about what storage holds now), once for all its entries.</summary>
    async Task VerifyPackAsync(TenantKeys keys, string packName, List<PackedRef> refs, bool readData, ConcurrentDictionary<string, ContentCheck> checks, CancellationToken ct)
    {
        LoadedPack pack;
        try
        {
            pack = await LoadPackAsync(keys, packName, ct);
        }
        catch (ContentIntegrityException ex)
        {
            foreach (PackedRef r in refs) checks[r.ToString()] = new ContentCheck(r.ToString(), 0, ex);
            return;
        }

        foreach (PackedRef r in refs)
        {
            try
            {
                byte[] plaintext = OpenEntry(keys, pack, r, readData);
                checks[r.ToString()] = new ContentCheck(r.ToString(), plaintext.Length, null);
            }
            catch (ContentIntegrityException ex)
            {
                checks[r.ToString()] = new ContentCheck(r.ToString(), 0, ex);
            }
        }
    }

    async Task<Stream> OpenPackedAsync(string tenantId, PackedRef packed, CancellationToken ct)
    {
        TenantKeys keys = await keyring.GetKeysAsync(tenantId, ct);
        LoadedPack pack = await packCache.GetAsync(tenantId, packed.Pack, () => LoadPackAsync(keys, packed.Pack, CancellationToken.None), ct);
        return new MemoryStream(OpenEntry(keys, pack, packed, decrypt: true), writable: false);
    }

    byte[] OpenEntry(TenantKeys keys, LoadedPack pack, PackedRef packed, bool decrypt)
    {
        PackEntry entry = pack.Header.Find(packed.Entry) ?? throw new ContentIntegrityException(
            $"Content '{packed}' is not in pack '{BlobLayout.PackBlob(keys.TenantId, packed.Pack)}': the reference was altered.");
        try
        {
            return decrypt ? PackFile.OpenEntry(keys, pack.Name, entry, pack.Bytes) : [];
        }
        catch (ContentIntegrityException)
        {
            recentEntries.Forget(keys.TenantId, pack.Name);
            throw;
        }
    }

    /// <summary>Reads a pack whole and authenticates its header; a pack that was repacked away is followed to its new pack
    /// (whose entries are sealed under its own name, so the loaded pack carries that name).</summary>
    async Task<LoadedPack> LoadPackAsync(TenantKeys keys, string packName, CancellationToken ct, int hops = 0)
    {
        string blob = BlobLayout.PackBlob(keys.TenantId, packName);
        try
        {
            byte[] bytes = await DownloadAsync(blob,
                $"Pack '{blob}' is not stored for tenant '{keys.TenantId}': it was deleted, or the reference belongs to another tenant.", ct);
            return new LoadedPack(packName, PackFile.ReadHeader(keys, packName, bytes), bytes);
        }
        catch (ContentIntegrityException ex) when (ex.Missing && hops < MaxForwardHops)
        {
            if (await ForwardOfAsync(keys.TenantId, packName, ct) is { } next) return await LoadPackAsync(keys, next, ct, hops + 1);
            recentEntries.Forget(keys.TenantId, packName);
            throw;
        }
        catch (ContentIntegrityException)
        {
            recentEntries.Forget(keys.TenantId, packName);
            throw;
        }
    }

    const int MaxForwardHops = 8;

    /// <summary>A HEAD of the pack, or of the pack a repack forwarded it to.</summary>
    async Task<bool> PackExistsAsync(string tenantId, string packName, CancellationToken ct)
    {
        for (int hops = 0; hops <= MaxForwardHops; hops++)
        {
            if (await container.GetBlobClient(BlobLayout.PackBlob(tenantId, packName)).ExistsAsync(ct)) return true;
            if (await ForwardOfAsync(tenantId, packName, ct) is not { } next) return false;
            packName = next;
        }

        return false;
    }

    /// <summary>The pack a repack moved <paramref name="packName"/>'s live entries to: one listing of its forwarding record.</summary>
    async Task<string?> ForwardOfAsync(string tenantId, string packName, CancellationToken ct)
    {
        string prefix = BlobLayout.TenantPrefix(tenantId) + BlobLayout.ForwardRefPrefix;
        await foreach (BlobItem item in container.GetBlobsAsync(new GetBlobsOptions { Prefix = $"{prefix}{packName}." }, ct))
        {
            if (PackedRef.TryParse(item.Name[prefix.Length..], out PackedRef forward)) return forward.Entry;
        }

        return null;
    }

    public async Task<IReadOnlyDictionary<string, string>> GetPackForwardsAsync(string tenantId, CancellationToken ct = default)
    {
        var forwards = new Dictionary<string, string>(StringComparer.Ordinal);
        string prefix = BlobLayout.TenantPrefix(tenantId) + BlobLayout.ForwardRefPrefix;
        if (!await container.ExistsAsync(ct)) return forwards;
        await foreach (BlobItem item in container.GetBlobsAsync(new GetBlobsOptions { Prefix = prefix }, ct))
        {
            if (PackedRef.TryParse(item.Name[prefix.Length..], out PackedRef forward)) forwards[forward.Pack] = forward.Entry;
        }

        return forwards;
    }

    public async Task<string?> RepackAsync(string tenantId, string packName, IReadOnlyCollection<string> liveEntries, CancellationToken ct = default)
    {
        TenantKeys keys = await keyring.GetKeysAsync(tenantId, ct);
        LoadedPack old = await LoadPackAsync(keys, packName, ct, hops: MaxForwardHops); // the pack itself, never a forward
        var live = new HashSet<string>(liveEntries, StringComparer.Ordinal);
        // Header order, so a repack run again after a crash builds the same pack (same name: refused as existing).
        var entries = old.Header.Entries.Where(e => live.Contains(e.Hmac))
            .Select(e => (e.Hmac, (ReadOnlyMemory<byte>)PackFile.OpenEntry(keys, old.Name, e, old.Bytes))).ToList();
        if (entries.Count == 0) return null;

        (string name, byte[] bytes) = PackFile.Build(keys, entries);
        // The new pack first, then the record that sends readers to it: a crash in between leaves an unreferenced pack
        // that the sweep removes, never a record pointing at nothing.
        await UploadIfAbsentAsync(container.GetBlobClient(BlobLayout.PackBlob(tenantId, name)), bytes, ct);
        await UploadIfAbsentAsync(container.GetBlobClient(BlobLayout.ForwardBlob(tenantId, packName, name)), ReadOnlyMemory<byte>.Empty, ct);
        return name;
    }

    static Stream AsStream(ReadOnlyMemory<byte> content) => MemoryMarshal.TryGetArray(content, out ArraySegment<byte> array)
        ? new MemoryStream(array.Array!, array.Offset, array.Count, writable: false)
        : new MemoryStream(content.ToArray(), writable: false);
}
