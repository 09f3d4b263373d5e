namespace QlikBackup.Core.Crypto;

/// <summary>
/// The key-encryption key that wraps per-tenant data keys (envelope encryption). Two implementations:
/// a local key for development and Azure Key Vault wrapKey/unwrapKey over REST.
/// </summary>
public interface IKeyEncryptionKey
{
    /// <summary>Identifies the key (and version) that wrapped a data key, stored beside the wrapped key.</summary>
    string KeyId { get; }
    Task<byte[]> WrapKeyAsync(byte[] dataKey, CancellationToken ct = default);
    Task<byte[]> UnwrapKeyAsync(byte[] wrappedKey, string keyId, CancellationToken ct = default);
}
