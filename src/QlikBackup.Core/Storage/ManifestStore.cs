using System.Text.Json;

namespace QlikBackup.Core.Storage;

/// <summary>Stores a <see cref="Manifest"/> as encrypted content (JSON, packed when small), so a recovery point's manifest is deduplicated and verified like any part.</summary>
public static class ManifestStore
{
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>A manifest is written after its parts (it names them), so it is a pack of its own: one PUT when small.</summary>
    public static async Task<StoredContent> PutManifestAsync(this IContentStore store, string tenantId, Manifest manifest, CancellationToken ct = default)
        => (await store.PutManyAsync(tenantId, [JsonSerializer.SerializeToUtf8Bytes(manifest, Json)], ct))[0];

    public static async Task<Manifest> ReadManifestAsync(this IContentStore store, string tenantId, string manifestRef, CancellationToken ct = default)
    {
        await using Stream stream = await store.OpenReadAsync(tenantId, manifestRef, ct);
        try
        {
            return await JsonSerializer.DeserializeAsync<Manifest>(stream, Json, ct)
                ?? throw new ContentIntegrityException($"Content '{manifestRef}' is empty, not a manifest.");
        }
        catch (JsonException ex)
        {
            throw new ContentIntegrityException($"Content '{manifestRef}' is not a manifest.", ex);
        }
    }
}
