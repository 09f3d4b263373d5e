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

    /// <summary>
    /// Wraps and says which key (version) did it. Key Vault answers with the versioned key id even when a versionless id is
    /// configured; storing that id keeps old data keys unwrappable after the key is rotated.
    /// </summary>
    async Task<WrappedDataKey> WrapAsync(byte[] dataKey, CancellationToken ct = default) => new(await WrapKeyAsync(dataKey, ct), KeyId);
}

/// <summary>A wrapped data key and the id of the key-encryption key (version) that unwraps it.</summary>
public sealed record WrappedDataKey(byte[] WrappedKey, string KeyId);

/// <summary>The key-encryption key could not wrap or unwrap (wrong key, Key Vault refused, unreachable...).</summary>
public sealed class KeyEncryptionKeyException(string message, Exception? inner = null) : Exception(message, inner);
