using System.Security.Cryptography;
using System.Text;

namespace QlikBackup.Core.Storage;

/// <summary>
/// Blob names inside the recovery-points container (see docs/storage.md):
/// <c>keys/{tenantHash}.json</c>, <c>tenants/{tenantHash}/chunks/{hmac}</c>, <c>tenants/{tenantHash}/contents/{hmac}</c>,
/// <c>tenants/{tenantHash}/packs/{hmac}</c>.
/// </summary>
public static class BlobLayout
{
    /// <summary>Prefix of the chunk references that <see cref="IContentStore.ListContentRefsAsync"/> yields.</summary>
    public const string ChunkRefPrefix = "chunks/";

    /// <summary>Prefix of the pack references that <see cref="IContentStore.ListContentRefsAsync"/> yields.</summary>
    public const string PackRefPrefix = "packs/";

    /// <summary>Prefix of the forwarding records (<c>forwards/{oldPack}.{newPack}</c>) a repack leaves for readers.</summary>
    public const string ForwardRefPrefix = "forwards/";

    /// <summary>First 128 bits of SHA-256 of the tenant id, hex: a fixed-length, path-safe folder name.</summary>
    public static string TenantHash(string tenantId)
    {
        ValidateTenantId(tenantId);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(tenantId)).AsSpan(0, 16));
    }

    public static string KeyBlob(string tenantId) => $"keys/{TenantHash(tenantId)}.json";

    public static string TenantPrefix(string tenantId) => $"tenants/{TenantHash(tenantId)}/";

    public static string ChunkBlob(string tenantId, string chunkName) => $"{TenantPrefix(tenantId)}chunks/{chunkName}";

    public static string PackBlob(string tenantId, string packName) => $"{TenantPrefix(tenantId)}packs/{packName}";

    public static string ForwardBlob(string tenantId, string oldPack, string newPack) => $"{TenantPrefix(tenantId)}forwards/{oldPack}.{newPack}";

    public static string ContentBlob(string tenantId, string contentRef) => $"{TenantPrefix(tenantId)}contents/{contentRef}";

    public static void ValidateTenantId(string tenantId)
    {
        if (string.IsNullOrWhiteSpace(tenantId) || tenantId.Length > 256 || tenantId.Any(char.IsControl))
        {
            throw new ArgumentException($"'{tenantId}' is not a tenant id: it must be 1-256 characters without control characters.", nameof(tenantId));
        }
    }
}
