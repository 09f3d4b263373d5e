using System.Collections.Concurrent;
using System.Security.Cryptography;
using QlikBackup.Core.Storage;

namespace QlikBackup.Core.Capture;

/// <summary>
/// Collects the parts of one capture: stores each through <see cref="IContentStore"/> (deduplicated by content) and keeps
/// the totals. Small parts are stored in the background, at most <c>parallelism</c> at a time, while the capture goes on
/// reading; <see cref="CompleteAsync"/> waits for them. A part whose plaintext hash equals the same part of
/// <paramref name="previous"/> (the newest point's manifest) is taken over without touching storage.
/// Safe for concurrent use by the parallel readers of one asset.
/// </summary>
internal sealed class PartWriter(IContentStore store, string tenantId, int parallelism, Manifest? previous, CancellationToken ct)
{
    readonly ConcurrentDictionary<string, ManifestPart> parts = new(StringComparer.Ordinal);
    readonly ConcurrentBag<Task> pending = [];
    readonly SemaphoreSlim slots = new(Math.Max(1, parallelism));
    long newBytes;

    public long NewBytes => Interlocked.Read(ref newBytes);

    /// <summary>Stores the content in the background; <see cref="CompleteAsync"/> reports any failure.</summary>
    public void Add(string name, byte[] content, string mediaType)
    {
        if (previous?.Find(name) is { } same && same.Size == content.Length
            && string.Equals(same.Sha256, Sha256Hex(content), StringComparison.OrdinalIgnoreCase))
        {
            Keep(same);
            return;
        }

        pending.Add(PutAsync(name, content, mediaType));
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

    /// <summary>Streams the content into the store now (large parts such as the QVF are never buffered whole).</summary>
    public Task AddAsync(string name, Stream content, string mediaType) => StoreAsync(name, content, mediaType);

    async Task StoreAsync(string name, Stream content, string mediaType)
    {
        StoredContent stored = await store.PutAsync(tenantId, content, ct);
        Interlocked.Add(ref newBytes, stored.NewBytes);
        Keep(new ManifestPart(name, stored.ContentRef, stored.Size, stored.Sha256, mediaType));
    }

    /// <summary>Keeps a part of an earlier point as it is (its blob is already stored).</summary>
    public void Reuse(ManifestPart part) => Keep(part);

    void Keep(ManifestPart part)
    {
        if (!parts.TryAdd(part.Name, part)) throw new InvalidOperationException($"Part '{part.Name}' was captured twice.");
    }

    /// <summary>Waits for every background store, then lists the parts in name order, so equal content always gives an
    /// equal list of parts.</summary>
    public async Task<Manifest> CompleteAsync()
    {
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
