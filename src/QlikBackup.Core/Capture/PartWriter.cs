using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using QlikBackup.Core.Storage;

namespace QlikBackup.Core.Capture;

/// <summary>
/// Collects the parts of one capture: stores each through <see cref="IContentStore"/> (deduplicated by content) and keeps
/// the totals. Safe for concurrent use by the parallel readers of one asset.
/// </summary>
internal sealed class PartWriter(IContentStore store, string tenantId)
{
    readonly ConcurrentDictionary<string, ManifestPart> parts = new(StringComparer.Ordinal);
    long newBytes;

    public long NewBytes => Interlocked.Read(ref newBytes);

    public IReadOnlyCollection<ManifestPart> Parts => parts.Values.ToList();

    public bool Contains(string name) => parts.ContainsKey(name);

    public async Task AddAsync(string name, byte[] content, string mediaType, CancellationToken ct)
    {
        using var stream = new MemoryStream(content, writable: false);
        await AddAsync(name, stream, mediaType, ct);
    }

    /// <summary>Streams the content into the store (large parts such as the QVF are never buffered whole).</summary>
    public async Task AddAsync(string name, Stream content, string mediaType, CancellationToken ct)
    {
        StoredContent stored = await store.PutAsync(tenantId, content, ct);
        Interlocked.Add(ref newBytes, stored.NewBytes);
        Add(new ManifestPart(name, stored.ContentRef, stored.Size, stored.Sha256, mediaType));
    }

    /// <summary>Keeps a part of an earlier point as it is (its blob is already stored).</summary>
    public void Reuse(ManifestPart part) => Add(part);

    void Add(ManifestPart part)
    {
        if (!parts.TryAdd(part.Name, part)) throw new InvalidOperationException($"Part '{part.Name}' was captured twice.");
    }

    /// <summary>Parts in name order, so equal content always gives an equal manifest (and one manifest blob).</summary>
    public Manifest ToManifest() => new(parts.Values.OrderBy(p => p.Name, StringComparer.Ordinal).ToList());

    public static string Sha256Hex(ReadOnlySpan<byte> content) => Convert.ToHexStringLower(SHA256.HashData(content));
}

/// <summary>Manifests are stored as JSON content (encrypted like every other blob).</summary>
public static class ManifestSerializer
{
    static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { WriteIndented = false };

    public static byte[] Serialize(Manifest manifest) => JsonSerializer.SerializeToUtf8Bytes(manifest, Options);

    public static async Task<Manifest> ReadAsync(IContentStore store, string tenantId, string manifestRef, CancellationToken ct = default)
    {
        await using Stream stream = await store.OpenReadAsync(tenantId, manifestRef, ct);
        return await JsonSerializer.DeserializeAsync<Manifest>(stream, Options, ct)
            ?? throw new InvalidDataException($"Manifest {manifestRef} is empty.");
    }
}
