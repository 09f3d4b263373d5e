namespace QlikBackup.Core.Storage;

/// <summary>Result of storing content: its reference, plaintext size, plaintext SHA-256 and how many bytes were new.</summary>
public sealed record StoredContent(string ContentRef, long Size, string Sha256, long NewBytes);

/// <summary>
/// Encrypted, content-addressed, deduplicated blob storage, per tenant. Identical content is stored once per tenant;
/// blob names do not reveal plaintext hashes. Streams are processed in bounded chunks, never held whole.
/// Reading content whose blobs were altered, or with another tenant's key, throws <see cref="ContentIntegrityException"/>.
/// </summary>
public interface IContentStore
{
    Task<StoredContent> PutAsync(string tenantId, Stream content, CancellationToken ct = default);
    Task<Stream> OpenReadAsync(string tenantId, string contentRef, CancellationToken ct = default);
    Task<bool> ExistsAsync(string tenantId, string contentRef, CancellationToken ct = default);
    /// <summary>Every blob name of the tenant's content (chunks and content descriptors), for retention's sweep.</summary>
    IAsyncEnumerable<string> ListContentRefsAsync(string tenantId, CancellationToken ct = default);
    Task DeleteAsync(string tenantId, string contentRef, CancellationToken ct = default);
}

public sealed class ContentIntegrityException(string message, Exception? inner = null) : Exception(message, inner);
