using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using QlikBackup.Core.Storage;

namespace QlikBackup.Core.Crypto;

/// <summary>
/// A tenant's keys, derived with HKDF-SHA256 from its data key: one encrypts content (AES-256-GCM), the other names
/// blobs (HMAC-SHA256), so a blob name never reveals a plaintext hash and differs between tenants.
/// </summary>
public sealed record TenantKeys(string TenantId, string TenantHash, byte[] ContentKey, byte[] NamingKey);

/// <summary>Per-tenant data keys (envelope encryption): created on first use, wrapped by the key-encryption key.</summary>
public interface ITenantKeyring
{
    Task<TenantKeys> GetKeysAsync(string tenantId, CancellationToken ct = default);
}

/// <summary>
/// Stores each tenant's random 256-bit data key, wrapped by <see cref="IKeyEncryptionKey"/>, in the blob
/// <c>keys/{tenantHash}.json</c>. The blob is created with If-None-Match: * so that two workers capturing a new tenant at
/// the same time agree on one key: the loser discards its key and uses the winner's. Unwrapped keys are cached in memory.
/// </summary>
public sealed class TenantKeyring : ITenantKeyring
{
    static readonly byte[] ContentInfo = Encoding.UTF8.GetBytes("qlikbackup/content-encryption/v1");
    static readonly byte[] NamingInfo = Encoding.UTF8.GetBytes("qlikbackup/blob-naming/v1");

    readonly BlobContainerClient container;
    readonly IKeyEncryptionKey kek;
    readonly ILogger logger;
    readonly AsyncOnce createContainer;
    readonly ConcurrentDictionary<string, Lazy<Task<TenantKeys>>> cache = new(StringComparer.Ordinal);

    public TenantKeyring(BlobContainerClient container, IKeyEncryptionKey kek, ILogger<TenantKeyring>? logger = null)
    {
        this.container = container;
        this.kek = kek;
        this.logger = logger ?? NullLogger<TenantKeyring>.Instance;
        createContainer = new AsyncOnce(c => container.CreateIfNotExistsAsync(cancellationToken: c));
    }

    public async Task<TenantKeys> GetKeysAsync(string tenantId, CancellationToken ct = default)
    {
        BlobLayout.ValidateTenantId(tenantId);
        Lazy<Task<TenantKeys>> entry = cache.GetOrAdd(tenantId, id => new Lazy<Task<TenantKeys>>(() => LoadOrCreateAsync(id)));
        try
        {
            return await entry.Value.WaitAsync(ct);
        }
        catch when (entry.Value.IsFaulted || entry.Value.IsCanceled)
        {
            // Do not cache a failure (Key Vault briefly unreachable): the next call tries again.
            cache.TryRemove(KeyValuePair.Create(tenantId, entry));
            throw;
        }
    }

    async Task<TenantKeys> LoadOrCreateAsync(string tenantId)
    {
        await createContainer.RunAsync(CancellationToken.None);
        BlobClient blob = container.GetBlobClient(BlobLayout.KeyBlob(tenantId));

        KeyFile? file = await TryReadAsync(blob);
        byte[] dataKey;
        if (file is null)
        {
            dataKey = RandomNumberGenerator.GetBytes(32);
            WrappedDataKey wrapped = await kek.WrapAsync(dataKey);
            var created = new KeyFile(1, tenantId, wrapped.KeyId, Convert.ToBase64String(wrapped.WrappedKey), DateTimeOffset.UtcNow);
            try
            {
                await blob.UploadAsync(
                    BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(created, KeyFileJson.Default.KeyFile)),
                    new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } });
                logger.LogInformation("Created the data key of tenant {TenantHash}, wrapped by {KeyId}", BlobLayout.TenantHash(tenantId), wrapped.KeyId);
                return Derive(tenantId, dataKey);
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412)
            {
                // Another worker created the tenant's key first: everyone must use that one.
                file = await TryReadAsync(blob) ?? throw new KeyEncryptionKeyException(
                    $"The data key blob '{blob.Name}' was reported as existing but cannot be read.", ex);
            }
        }

        if (file.TenantId != tenantId)
        {
            throw new KeyEncryptionKeyException($"The data key blob '{blob.Name}' belongs to tenant '{file.TenantId}', not '{tenantId}'.");
        }

        dataKey = await kek.UnwrapKeyAsync(Convert.FromBase64String(file.WrappedKey), file.KeyId);
        if (dataKey.Length != 32)
        {
            throw new KeyEncryptionKeyException($"The data key of tenant '{tenantId}' unwrapped to {dataKey.Length} bytes, not 32.");
        }

        return Derive(tenantId, dataKey);
    }

    static async Task<KeyFile?> TryReadAsync(BlobClient blob)
    {
        try
        {
            BlobDownloadResult result = await blob.DownloadContentAsync();
            return JsonSerializer.Deserialize(result.Content.ToMemory().Span, KeyFileJson.Default.KeyFile)
                ?? throw new KeyEncryptionKeyException($"The data key blob '{blob.Name}' is empty.");
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
        catch (JsonException ex)
        {
            throw new KeyEncryptionKeyException($"The data key blob '{blob.Name}' is not a key file.", ex);
        }
    }

    static TenantKeys Derive(string tenantId, byte[] dataKey)
    {
        byte[] salt = Encoding.UTF8.GetBytes(tenantId);
        byte[] contentKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, dataKey, 32, salt, ContentInfo);
        byte[] namingKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, dataKey, 32, salt, NamingInfo);
        CryptographicOperations.ZeroMemory(dataKey);
        return new TenantKeys(tenantId, BlobLayout.TenantHash(tenantId), contentKey, namingKey);
    }
}

sealed record KeyFile(
    [property: JsonPropertyName("version")] int Version,
    [property: JsonPropertyName("tenantId")] string TenantId,
    [property: JsonPropertyName("keyId")] string KeyId,
    [property: JsonPropertyName("wrappedKey")] string WrappedKey,
    [property: JsonPropertyName("createdAt")] DateTimeOffset CreatedAt);

[JsonSerializable(typeof(KeyFile))]
partial class KeyFileJson : JsonSerializerContext;
