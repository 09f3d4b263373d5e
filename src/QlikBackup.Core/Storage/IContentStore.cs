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
    /// <summary>
    /// Every blob of the tenant's content, for retention's sweep: content descriptors as their content reference, chunks as
    /// <c>chunks/{name}</c> (the form <see cref="GetChunkRefsAsync"/> returns and <see cref="DeleteAsync"/> accepts).
    /// </summary>
    IAsyncEnumerable<string> ListContentRefsAsync(string tenantId, CancellationToken ct = default);
    /// <summary>The chunk references (<c>chunks/{name}</c>) a content is made of, so retention can tell which chunks are still used.</summary>
    Task<IReadOnlyList<string>> GetChunkRefsAsync(string tenantId, string contentRef, CancellationToken ct = default);
    /// <summary>Deletes a content descriptor (by content reference) or a chunk (<c>chunks/{name}</c>); chunks may be shared, so
    /// deleting a descriptor leaves them. Missing blobs are not an error.</summary>
    Task DeleteAsync(string tenantId, string contentRef, CancellationToken ct = default);
    /// <summary>
    /// Throws <see cref="ContentIntegrityException"/> unless the content is whole: its descriptor authenticates and every
    /// chunk blob exists; with <paramref name="readData"/> every chunk is also read and authenticated (like
    /// <c>restic check --read-data</c>). Returns the plaintext bytes read (0 without <paramref name="readData"/>).
    /// </summary>
    Task<long> VerifyAsync(string tenantId, string contentRef, bool readData, CancellationToken ct = default);
}

/// <summary>
/// Stored content that is missing or does not authenticate. Carries how an API answers it: 422, since the request was
/// well formed but names a recovery point that can no longer be trusted or read.
/// </summary>
public sealed class ContentIntegrityException(string message, Exception? inner = null) : Exception(message, inner)
{
    public const int Status = 422;
    public const string Title = "Recovery point failed verification";

    /// <summary>A blob is absent (deleted), rather than present but altered.</summary>
    public bool Missing => InnerException is Azure.RequestFailedException { Status: 404 };
}
