using System.Collections.Concurrent;
using System.Security.Cryptography;
using QlikBackup.Core.Storage;

namespace QlikBackup.Core.Capture;

/// <summary>
/// Collects the parts of one capture and keeps the totals. Parts up to the store's <see cref="IContentStore.MaxPackedSize"/>
/// (sheets, objects, script, metadata, a small QVF) are held and stored together in one pack at <see cref="CompleteAsync"/>:
/// one PUT for the whole capture (an app with more than <see cref="FlushBytes"/> of them packs each batch in the background
/// as it fills, so memory stays bounded). Larger parts are streamed into chunked content as they come (a larger byte array
/// in the background, at most <c>parallelism</c> at a time). A part whose plaintext hash equals the same part of
/// <paramref name="previous"/> (the newest point's manifest) is taken over without touching storage.
/// Safe for concurrent use by the parallel readers of one asset.
/// </summary>
internal sealed class PartWriter(IContentStore store, string tenantId, int parallelism, Manifest? previous, CancellationToken ct)
{
    /// <summary>Small parts held before they are packed in the background.</summary>
    public const int FlushBytes = 4 * 1024 * 1024;

    readonly ConcurrentDictionary<string, ManifestPart> parts = new(StringComparer.Ordinal);
    readonly ConcurrentBag<Task> pending = [];
    readonly SemaphoreSlim slots = new(Math.Max(1, parallelism));
    readonly Lock gate = new();
    readonly HashSet<string> names = new(StringComparer.Ordinal);
    List<(string Name, byte[] Content, string MediaType)> batch = [];
    long batchBytes;
    long newBytes;

    public long NewBytes => Interlocked.Read(ref newBytes);

    /// <summary>Packs the content later, or stores a large one in the background; <see cref="CompleteAsync"/> reports any failure.</summary>
    public void Add(string name, byte[] content, string mediaType)
    {
        Reserve(name);
        if (previous?.Find(name) is { } same && same.Size == content.Length
            && string.Equals(same.Sha256, Sha256Hex(content), StringComparison.OrdinalIgnoreCase))
        {
            parts[name] = same;
            return;
        }

        if (content.Length > store.MaxPackedSize)
        {
            pending.Add(PutAsync(name, content, mediaType));
            return;
        }

        List<(string, byte[], string)>? full = null;
        lock (gate)
        {
            batch.Add((name, content, mediaType));
            batchBytes += content.Length;
            if (batchBytes >= FlushBytes) (full, batch, batchBytes) = (batch, [], 0);
        }

        if (full is not null) pending.Add(PackAsync(full));
    }

    async Task PutAsync(string name, byte[] content, string mediaType)
    {
        await slots.WaitAsync(ct);
        try
        {
            using var stream = new MemoryStream(content, writable: false);
            await StoreAsync(name, stream, mediaType);
        }
        finally
        {
            slots.Release();
        }
    }

    /// <summary>
    /// A stream that ends within <see cref="IContentStore.MaxPackedSize"/> is packed like <see cref="Add"/>; a longer one (the
    /// QVF of a real app) is streamed into the store now, never buffered whole.
    /// </summary>
    public async Task AddAsync(string name, Stream content, string mediaType)
    {
        int limit = store.MaxPackedSize;
        if (limit <= 0)
        {
            Reserve(name);
            await StoreAsync(name, content, mediaType);
            return;
        }

        var head = new byte[limit + 1];
        int read = await content.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, ct);
        if (read <= limit)
        {
            Add(name, head[..read], mediaType);
            return;
        }

        Reserve(name);
        await StoreAsync(name, new PrefixedStream(head, content), mediaType);
    }

    async Task StoreAsync(string name, Stream content, string mediaType)
    {
        StoredContent stored = await store.PutAsync(tenantId, content, ct);
        Interlocked.Add(ref newBytes, stored.NewBytes);
        parts[name] = new ManifestPart(name, stored.ContentRef, stored.Size, stored.Sha256, mediaType);
    }

    /// <summary>One PUT for many small parts (more only past the store's pack size).</summary>
    async Task PackAsync(List<(string Name, byte[] Content, string MediaType)> packed)
    {
        IReadOnlyList<StoredContent> stored = await store.PutManyAsync(tenantId, [.. packed.Select(p => (ReadOnlyMemory<byte>)p.Content)], ct);
        for (int i = 0; i < packed.Count; i++)
        {
            Interlocked.Add(ref newBytes, stored[i].NewBytes);
            parts[packed[i].Name] = new ManifestPart(packed[i].Name, stored[i].ContentRef, stored[i].Size, stored[i].Sha256, packed[i].MediaType);
        }
    }

    /// <summary>Keeps a part of an earlier point as it is (its blob is already stored).</summary>
    public void Reuse(ManifestPart part)
    {
        Reserve(part.Name);
        parts[part.Name] = part;
    }

    void Reserve(string name)
    {
        lock (gate)
        {
            if (!names.Add(name)) throw new InvalidOperationException($"Part '{name}' was captured twice.");
        }
    }

    /// <summary>Waits for every background store, packs the small parts still held (one request for all of them), then
    /// lists the parts in name order, so equal content always gives an equal list of parts.</summary>
    public async Task<Manifest> CompleteAsync()
    {
        List<(string, byte[], string)> rest;
        lock (gate) (rest, batch, batchBytes) = (batch, [], 0);
        if (rest.Count > 0) pending.Add(PackAsync(rest));
        await Task.WhenAll(pending);
        return new Manifest(parts.Values.OrderBy(p => p.Name, StringComparer.Ordinal).ToList());
    }

    public static string Sha256Hex(ReadOnlySpan<byte> content) => Convert.ToHexStringLower(SHA256.HashData(content));
}

/// <summary>Reads manifests; kept for existing callers (restore tests). <see cref="ManifestStore"/> is the one implementation.</summary>
public static class ManifestSerializer
{
    public static Task<Manifest> ReadAsync(IContentStore store, string tenantId, string manifestRef, CancellationToken ct = default)
        => store.ReadManifestAsync(tenantId, manifestRef, ct);
}
