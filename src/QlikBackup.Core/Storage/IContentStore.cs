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
    /// <summary>Content up to this size is packed by <see cref="PutManyAsync"/>; larger content is chunked (0: nothing is packed).</summary>
    int MaxPackedSize { get; }

    /// <summary>Stores a stream in chunks (the QVF, a data file): never held whole.</summary>
    Task<StoredContent> PutAsync(string tenantId, Stream content, CancellationToken ct = default);

    /// <summary>
    /// Stores many contents at once, in the given order: those up to <see cref="MaxPackedSize"/> go into as few pack blobs as
    /// fit (one PUT each), larger ones as by <see cref="PutAsync"/>. Equal contents get one reference.
    /// </summary>
    Task<IReadOnlyList<StoredContent>> PutManyAsync(string tenantId, IReadOnlyList<ReadOnlyMemory<byte>> contents, CancellationToken ct = default);

    Task<Stream> OpenReadAsync(string tenantId, string contentRef, CancellationToken ct = default);
    Task<bool> ExistsAsync(string tenantId, string contentRef, CancellationToken ct = default);
    /// <summary>
    /// Every blob of the tenant's content, for retention's sweep: content descriptors as their content reference, chunks as
    /// <c>chunks/{name}</c>, packs as <c>packs/{name}</c> and forwarding records as <c>forwards/{old}.{new}</c> (the forms <see cref="GetChunkRefsAsync"/> returns and
    /// <see cref="DeleteAsync"/> accepts). Entries of packs are not listed: they live and die with their pack.
    /// </summary>
    IAsyncEnumerable<string> ListContentRefsAsync(string tenantId, CancellationToken ct = default);
    /// <summary>
    /// Copies the entries <paramref name="liveEntries"/> (HMACs) of a pack into a new pack and leaves a forwarding record
    /// (<c>forwards/{old}.{new}</c>) that readers of the old pack's references follow once it is gone. Create-only and
    /// deterministic: run again after a crash, it writes nothing new. Returns the new pack's name, or null when none of the
    /// entries is in the pack. The old pack is left for retention's sweep.
    /// </summary>
    Task<string?> RepackAsync(string tenantId, string packName, IReadOnlyCollection<string> liveEntries, CancellationToken ct = default);
    /// <summary>Every forwarding record of the tenant, old pack name to new, from one listing.</summary>
    Task<IReadOnlyDictionary<string, string>> GetPackForwardsAsync(string tenantId, CancellationToken ct = default);
    /// <summary>Every pack of the tenant (<c>packs/{name}</c>) with its size and age, from one listing: what retention reports as
    /// live and garbage, and may repack.</summary>
    Task<IReadOnlyDictionary<string, StoredPack>> ListPacksAsync(string tenantId, CancellationToken ct = default);
    /// <summary>The blobs (<c>chunks/{name}</c>, or the one <c>packs/{name}</c> of a packed entry) a content is made of, so
    /// retention can tell which are still used.</summary>
    Task<IReadOnlyList<string>> GetChunkRefsAsync(string tenantId, string contentRef, CancellationToken ct = default);
    /// <summary>Deletes a content descriptor (by content reference), a chunk (<c>chunks/{name}</c>) or a pack
    /// (<c>packs/{name}</c>); chunks may be shared, so deleting a descriptor leaves them. The reference of a packed entry
    /// deletes nothing (the pack goes when none of its entries is referenced). Missing blobs are not an error.</summary>
    Task DeleteAsync(string tenantId, string contentRef, CancellationToken ct = default);
    /// <summary>
    /// Throws <see cref="ContentIntegrityException"/> unless the content is whole: its descriptor authenticates and every
    /// chunk blob exists; with <paramref name="readData"/> every chunk is also read and authenticated (like
    /// <c>restic check --read-data</c>). Returns the plaintext bytes read (0 without <paramref name="readData"/>).
    /// </summary>
    Task<long> VerifyAsync(string tenantId, string contentRef, bool readData, CancellationToken ct = default);

    /// <summary>
    /// <see cref="VerifyAsync"/> for many contents, reading each pack once however many of its entries are named. Reads
    /// storage afresh (no cache). Returns one check per distinct reference; a failure is reported, not thrown.
    /// </summary>
    Task<IReadOnlyList<ContentCheck>> VerifyManyAsync(string tenantId, IReadOnlyCollection<string> contentRefs, bool readData, CancellationToken ct = default);
}

/// <summary>A pack blob's size in bytes and when it was written.</summary>
public sealed record StoredPack(long Size, DateTimeOffset LastModified);

/// <summary>One content's verification: the plaintext bytes read, or why it is not whole.</summary>
public sealed record ContentCheck(string ContentRef, long Bytes, ContentIntegrityException? Failure);

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
