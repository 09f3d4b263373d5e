using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using QlikBackup.Core.Crypto;

namespace QlikBackup.Core.Storage;

/// <summary>
/// <see cref="IContentStore"/> on Blob storage. A stream is cut into chunks of at most <see cref="ChunkSize"/> bytes; each
/// chunk is stored once per tenant under the HMAC of its plaintext and encrypted with AES-256-GCM. The ordered chunk list
/// is a small encrypted content descriptor named by the HMAC of that list: its name is the content reference, so identical
/// content gets the identical reference and is stored once. Small content goes into pack blobs instead
/// (BlobContentStore.Packs.cs). See docs/storage.md.
/// </summary>
public sealed partial class BlobContentStore : IContentStore
{
    /// <summary>Largest chunk, and the size every chunk but the last has.</summary>
    public const int ChunkSize = 4 * 1024 * 1024;
    static readonly byte[] DescriptorDomain = Encoding.UTF8.GetBytes("qlikbackup/content-descriptor/v1\n");

    readonly BlobContainerClient container;
    readonly ITenantKeyring keyring;
    readonly int maxParallelUploads;
    readonly int chunkSize;
    readonly AsyncOnce createContainer;
    readonly PackSettings packs;
    readonly PackCache packCache;
    readonly RecentPackEntries recentEntries;

    public BlobContentStore(BlobContainerClient container, ITenantKeyring keyring, int maxParallelUploads = 4, PackSettings? packs = null)
        : this(container, keyring, maxParallelUploads, ChunkSize, packs)
    {
    }

    /// <summary>Smaller chunks let tests exercise multi-chunk content without moving megabytes.</summary>
    internal BlobContentStore(BlobContainerClient container, ITenantKeyring keyring, int maxParallelUploads, int chunkSize, PackSettings? packs = null, TimeProvider? clock = null)
    {
        this.packs = packs ?? PackSettings.Default;
        packCache = new PackCache(this.packs.CacheBytes);
        recentEntries = new RecentPackEntries(this.packs.DedupEntries, this.packs.DedupWindow, clock ?? TimeProvider.System);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxParallelUploads, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(chunkSize, ChunkSize);
        this.container = container;
        this.keyring = keyring;
        this.maxParallelUploads = maxParallelUploads;
        this.chunkSize = chunkSize;
        createContainer = new AsyncOnce(c => container.CreateIfNotExistsAsync(cancellationToken: c));
    }

    public async Task<StoredContent> PutAsync(string tenantId, Stream content, CancellationToken ct = default)
    {
        TenantKeys keys = await keyring.GetKeysAsync(tenantId, ct);
        await createContainer.RunAsync(ct);

        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var slots = new SemaphoreSlim(maxParallelUploads);
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var chunks = new List<DescriptorChunk>();
        var scheduled = new HashSet<string>(StringComparer.Ordinal);
        var uploads = new List<Task<long>>();
        long size = 0;
        Exception? readFailure = null;
        try
        {
            // At most maxParallelUploads chunks are in memory: a slot is taken before a chunk is read, freed after its upload.
            while (true)
            {
                await slots.WaitAsync(failed.Token);
                byte[] buffer = ArrayPool<byte>.Shared.Rent(chunkSize);
                int read;
                try
                {
                    read = await content.ReadAtLeastAsync(buffer.AsMemory(0, chunkSize), chunkSize, throwOnEndOfStream: false, failed.Token);
                }
                catch
                {
                    Release(buffer, slots);
                    throw;
                }

                if (read > 0)
                {
                    sha.AppendData(buffer, 0, read);
                    size += read;
                    string name = ChunkCipher.Name(keys, buffer.AsSpan(0, read));
                    chunks.Add(new DescriptorChunk(name, read));
                    if (scheduled.Add(name))
                    {
                        uploads.Add(UploadChunkAsync(keys, name, buffer, read, slots, failed));
                        buffer = null!;
                    }
                }

                if (buffer is not null)
                {
                    Release(buffer, slots);
                }

                if (read < chunkSize)
                {
                    break;
                }
            }
        }
        catch (Exception ex)
        {
            readFailure = ex;
            failed.Cancel();
        }

        await ThrowFirstFailureAsync(uploads, readFailure, ct);

        long newBytes = uploads.Sum(u => u.Result);
        string sha256 = Convert.ToHexStringLower(sha.GetHashAndReset());
        string contentRef = DescriptorName(keys, chunks);
        var descriptor = new ContentDescriptor(1, size, sha256, chunks);
        BlobClient descriptorBlob = container.GetBlobClient(BlobLayout.ContentBlob(tenantId, contentRef));
        if (!await descriptorBlob.ExistsAsync(ct))
        {
            byte[] json = JsonSerializer.SerializeToUtf8Bytes(descriptor, DescriptorJson.Default.ContentDescriptor);
            newBytes += await UploadIfAbsentAsync(descriptorBlob, ChunkCipher.Seal(keys, descriptorBlob.Name, json), ct);
        }

        return new StoredContent(contentRef, size, sha256, newBytes);
    }

    public async Task<Stream> OpenReadAsync(string tenantId, string contentRef, CancellationToken ct = default)
    {
        if (PackedRef.TryParse(contentRef, out PackedRef packed)) return await OpenPackedAsync(tenantId, packed, ct);
        TenantKeys keys = await keyring.GetKeysAsync(tenantId, ct);
        ContentDescriptor descriptor = await ReadDescriptorAsync(keys, contentRef, ct);
        return new DecryptingStream(this, keys, contentRef, descriptor);
    }

    public async Task<IReadOnlyList<string>> GetChunkRefsAsync(string tenantId, string contentRef, CancellationToken ct = default)
    {
        if (PackedRef.TryParse(contentRef, out PackedRef packed)) return [packed.PackRef];
        TenantKeys keys = await keyring.GetKeysAsync(tenantId, ct);
        ContentDescriptor descriptor = await ReadDescriptorAsync(keys, contentRef, ct);
        return descriptor.Chunks.Select(c => BlobLayout.ChunkRefPrefix + c.Name).Distinct().ToList();
    }

    public async Task<bool> ExistsAsync(string tenantId, string contentRef, CancellationToken ct = default)
    {
        if (PackedRef.TryParse(contentRef, out PackedRef packed))
        {
            return await PackExistsAsync(tenantId, packed.Pack, ct);
        }

        ValidateRef(contentRef, allowChunk: false);
        return await container.GetBlobClient(BlobLayout.ContentBlob(tenantId, contentRef)).ExistsAsync(ct);
    }

    public async IAsyncEnumerable<string> ListContentRefsAsync(string tenantId, [EnumeratorCancellation] CancellationToken ct = default)
    {
        string prefix = BlobLayout.TenantPrefix(tenantId);
        if (!await container.ExistsAsync(ct))
        {
            yield break;
        }

        await foreach (BlobItem item in container.GetBlobsAsync(new GetBlobsOptions { Prefix = prefix }, ct))
        {
            string rest = item.Name[prefix.Length..];
            if (rest.StartsWith(BlobLayout.ChunkRefPrefix, StringComparison.Ordinal) || rest.StartsWith(BlobLayout.PackRefPrefix, StringComparison.Ordinal)
                || rest.StartsWith(BlobLayout.ForwardRefPrefix, StringComparison.Ordinal))
            {
                yield return rest;
            }
            else if (rest.StartsWith("contents/", StringComparison.Ordinal))
            {
                yield return rest["contents/".Length..];
            }
        }
    }

    public async Task DeleteAsync(string tenantId, string contentRef, CancellationToken ct = default)
    {
        if (PackedRef.TryParse(contentRef, out _)) return;
        if (contentRef.StartsWith(BlobLayout.ForwardRefPrefix, StringComparison.Ordinal)
            && PackedRef.TryParse(contentRef[BlobLayout.ForwardRefPrefix.Length..], out PackedRef forward))
        {
            await container.GetBlobClient(BlobLayout.ForwardBlob(tenantId, forward.Pack, forward.Entry)).DeleteIfExistsAsync(cancellationToken: ct);
            return;
        }

        ValidateRef(contentRef, allowChunk: true);
        string blobName = contentRef.StartsWith(BlobLayout.ChunkRefPrefix, StringComparison.Ordinal)
            ? BlobLayout.ChunkBlob(tenantId, contentRef[BlobLayout.ChunkRefPrefix.Length..])
            : contentRef.StartsWith(BlobLayout.PackRefPrefix, StringComparison.Ordinal)
                ? BlobLayout.PackBlob(tenantId, contentRef[BlobLayout.PackRefPrefix.Length..])
                : BlobLayout.ContentBlob(tenantId, contentRef);
        await container.GetBlobClient(blobName).DeleteIfExistsAsync(cancellationToken: ct);
    }

    public async Task<long> VerifyAsync(string tenantId, string contentRef, bool readData, CancellationToken ct = default)
    {
        if (PackedRef.TryParse(contentRef, out _))
        {
            ContentCheck check = (await VerifyManyAsync(tenantId, [contentRef], readData, ct))[0];
            return check.Failure is { } failure ? throw failure : check.Bytes;
        }

        TenantKeys keys = await keyring.GetKeysAsync(tenantId, ct);
        ContentDescriptor descriptor = await ReadDescriptorAsync(keys, contentRef, ct);
        if (readData)
        {
            return await ReadAllChunksAsync(keys, contentRef, descriptor, ct);
        }

        foreach (DescriptorChunk chunk in descriptor.Chunks.DistinctBy(c => c.Name))
        {
            string blobName = BlobLayout.ChunkBlob(tenantId, chunk.Name);
            if (!await container.GetBlobClient(blobName).ExistsAsync(ct))
            {
                throw new ContentIntegrityException(
                    $"A chunk of content '{contentRef}' is missing (blob '{blobName}').", new RequestFailedException(404, "The chunk blob does not exist."));
            }
        }

        return 0;
    }

    async Task<long> UploadChunkAsync(TenantKeys keys, string name, byte[] buffer, int length, SemaphoreSlim slots, CancellationTokenSource failed)
    {
        byte[]? rented = buffer;
        try
        {
            BlobClient blob = container.GetBlobClient(BlobLayout.ChunkBlob(keys.TenantId, name));
            // A HEAD is far cheaper than sending 4 MiB that the conditional create would refuse; recaptures mostly hit.
            if (await blob.ExistsAsync(failed.Token))
            {
                return 0;
            }

            // Sealed into a pooled buffer too: a GiB-sized QVF is then stored without allocating its size again.
            byte[] sealedChunk = ArrayPool<byte>.Shared.Rent(length + ChunkCipher.Overhead);
            try
            {
                int sealedLength = ChunkCipher.SealInto(keys, blob.Name, buffer.AsSpan(0, length), sealedChunk);
                ArrayPool<byte>.Shared.Return(rented);
                rented = null;
                return await UploadIfAbsentAsync(blob, sealedChunk.AsMemory(0, sealedLength), failed.Token);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(sealedChunk);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Stop reading and uploading the rest: the content cannot be stored whole.
            failed.Cancel();
            throw;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }

            slots.Release();
        }
    }

    /// <summary>Create-only upload; "already exists" means another capture stored the same bytes: deduplicated, 0 new bytes.</summary>
    static async Task<long> UploadIfAbsentAsync(BlobClient blob, ReadOnlyMemory<byte> sealedBlob, CancellationToken ct)
    {
        try
        {
            await blob.UploadAsync(
                BinaryData.FromBytes(sealedBlob),
                new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } },
                ct);
            return sealedBlob.Length;
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            return 0;
        }
    }

    static async Task ThrowFirstFailureAsync(List<Task<long>> uploads, Exception? readFailure, CancellationToken ct)
    {
        try
        {
            await Task.WhenAll(uploads);
        }
        catch
        {
            // Reported below: the upload that failed first matters, not the ones it cancelled.
        }

        Exception? uploadFailure = uploads
            .Where(u => u.IsFaulted)
            .Select(u => u.Exception!.InnerException!)
            .FirstOrDefault(e => e is not OperationCanceledException);
        ct.ThrowIfCancellationRequested();
        Exception? first = uploadFailure ?? readFailure ?? uploads.FirstOrDefault(u => !u.IsCompletedSuccessfully)?.Exception;
        if (first is not null)
        {
            ExceptionDispatchInfo.Throw(first);
        }
    }

    static void Release(byte[] buffer, SemaphoreSlim slots)
    {
        ArrayPool<byte>.Shared.Return(buffer);
        slots.Release();
    }

    static string DescriptorName(TenantKeys keys, IReadOnlyList<DescriptorChunk> chunks)
    {
        byte[] list = [.. DescriptorDomain, .. Encoding.UTF8.GetBytes(string.Join('\n', chunks.Select(c => c.Name)))];
        return ChunkCipher.Name(keys, list);
    }

    async Task<ContentDescriptor> ReadDescriptorAsync(TenantKeys keys, string contentRef, CancellationToken ct)
    {
        ValidateRef(contentRef, allowChunk: false);
        string blobName = BlobLayout.ContentBlob(keys.TenantId, contentRef);
        byte[] sealedBlob = await DownloadAsync(blobName,
            $"Content '{contentRef}' is not stored for tenant '{keys.TenantId}': it was deleted, or the reference belongs to another tenant.", ct);
        byte[] json = ChunkCipher.Open(keys, blobName, sealedBlob);
        ContentDescriptor? descriptor;
        try
        {
            descriptor = JsonSerializer.Deserialize(json, DescriptorJson.Default.ContentDescriptor);
        }
        catch (JsonException ex)
        {
            throw new ContentIntegrityException($"The descriptor of content '{contentRef}' decrypted but is not a content descriptor.", ex);
        }

        if (descriptor is null
            || DescriptorName(keys, descriptor.Chunks) != contentRef
            || descriptor.Chunks.Sum(c => (long)c.Size) != descriptor.Size
            || descriptor.Chunks.Any(c => !ChunkCipher.IsName(c.Name) || c.Size is <= 0 or > ChunkSize))
        {
            throw new ContentIntegrityException($"The descriptor of content '{contentRef}' does not match its name: it is not the content that was stored.");
        }

        return descriptor;
    }

    async Task<byte[]> DownloadAsync(string blobName, string missingMessage, CancellationToken ct)
    {
        try
        {
            BlobDownloadResult result = await container.GetBlobClient(blobName).DownloadContentAsync(ct);
            return result.Content.ToArray();
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            throw new ContentIntegrityException(missingMessage, ex);
        }
    }

    async Task<byte[]> ReadChunkAsync(TenantKeys keys, string contentRef, int index, DescriptorChunk chunk, CancellationToken ct)
    {
        string blobName = BlobLayout.ChunkBlob(keys.TenantId, chunk.Name);
        byte[] plaintext = await DownloadChunkAsync(keys, blobName, chunk.Size, MissingChunk(contentRef, index, blobName), ct);
        CheckChunk(keys, contentRef, index, chunk, plaintext);
        return plaintext;
    }

    static string MissingChunk(string contentRef, int index, string blobName) => $"Chunk {index} of content '{contentRef}' is missing (blob '{blobName}').";

    /// <summary>A chunk is what its descriptor names only if its plaintext has the recorded size and HMAC name.</summary>
    static void CheckChunk(TenantKeys keys, string contentRef, int index, DescriptorChunk chunk, ReadOnlySpan<byte> plaintext)
    {
        if (plaintext.Length != chunk.Size || ChunkCipher.Name(keys, plaintext) != chunk.Name)
        {
            throw new ContentIntegrityException($"Chunk {index} of content '{contentRef}' decrypted to bytes whose HMAC does not match its name '{chunk.Name}'.");
        }
    }

    /// <summary>The whole plaintext read (hashed as it went) is the content stored only if its SHA-256 is the descriptor's.</summary>
    static void CheckWhole(string contentRef, ContentDescriptor descriptor, IncrementalHash sha)
    {
        if (Convert.ToHexStringLower(sha.GetHashAndReset()) != descriptor.Sha256)
        {
            throw new ContentIntegrityException($"Content '{contentRef}' decrypted to bytes whose SHA-256 differs from the one recorded when it was stored.");
        }
    }

    /// <summary>
    /// Authenticates every chunk (GCM tag and HMAC name) and the whole plaintext's SHA-256, as reading does, in pooled
    /// buffers: verifying a GiB-sized QVF before a restore writes anything allocates next to nothing.
    /// </summary>
    async Task<long> ReadAllChunksAsync(TenantKeys keys, string contentRef, ContentDescriptor descriptor, CancellationToken ct)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        // Sized for the largest chunk any store writes (descriptors are checked against ChunkSize), plus the byte that
        // shows a lengthened blob.
        byte[] sealedBuffer = ArrayPool<byte>.Shared.Rent(ChunkSize + ChunkCipher.Overhead + 1);
        byte[] plaintext = ArrayPool<byte>.Shared.Rent(ChunkSize + 1);
        try
        {
            for (int index = 0; index < descriptor.Chunks.Count; index++)
            {
                DescriptorChunk chunk = descriptor.Chunks[index];
                string blobName = BlobLayout.ChunkBlob(keys.TenantId, chunk.Name);
                int read = await DownloadSealedAsync(blobName, sealedBuffer, chunk.Size + ChunkCipher.Overhead + 1, MissingChunk(contentRef, index, blobName), ct);
                int length = ChunkCipher.OpenInto(keys, blobName, sealedBuffer.AsSpan(0, read), plaintext);
                CheckChunk(keys, contentRef, index, chunk, plaintext.AsSpan(0, length));
                sha.AppendData(plaintext, 0, length);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(sealedBuffer);
            ArrayPool<byte>.Shared.Return(plaintext);
        }

        CheckWhole(contentRef, descriptor, sha);
        return descriptor.Size;
    }

    /// <summary>Streams a blob into <paramref name="buffer"/>, at most <paramref name="max"/> bytes; returns how many were read.</summary>
    async Task<int> DownloadSealedAsync(string blobName, byte[] buffer, int max, string missingMessage, CancellationToken ct)
    {
        BlobDownloadStreamingResult result;
        try
        {
            result = await container.GetBlobClient(blobName).DownloadStreamingAsync(cancellationToken: ct);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            throw new ContentIntegrityException(missingMessage, ex);
        }

        using (result)
        {
            return await result.Content.ReadAtLeastAsync(buffer.AsMemory(0, max), max, throwOnEndOfStream: false, ct);
        }
    }

    /// <summary>
    /// Streams a sealed chunk into a pooled buffer and opens it: only the plaintext is allocated (the SDK's buffered download
    /// and a copy of it would allocate a GiB-sized QVF three times over on every restore).
    /// </summary>
    async Task<byte[]> DownloadChunkAsync(TenantKeys keys, string blobName, int plaintextSize, string missingMessage, CancellationToken ct)
    {
        int expected = plaintextSize + ChunkCipher.Overhead;
        // One byte more than expected is read, so a blob that was lengthened fails authentication instead of being cut to size.
        byte[] buffer = ArrayPool<byte>.Shared.Rent(expected + 1);
        try
        {
            int read = await DownloadSealedAsync(blobName, buffer, expected + 1, missingMessage, ct);
            return ChunkCipher.Open(keys, blobName, buffer.AsSpan(0, read));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    static void ValidateRef(string contentRef, bool allowChunk)
    {
        string name = allowChunk && contentRef.StartsWith(BlobLayout.ChunkRefPrefix, StringComparison.Ordinal)
            ? contentRef[BlobLayout.ChunkRefPrefix.Length..]
            : allowChunk && contentRef.StartsWith(BlobLayout.PackRefPrefix, StringComparison.Ordinal)
                ? contentRef[BlobLayout.PackRefPrefix.Length..]
                : contentRef;
        if (!ChunkCipher.IsName(name))
        {
            throw new ArgumentException(
                $"'{contentRef}' is not a content reference (64 lowercase hex characters, or two such joined by '.').", nameof(contentRef));
        }
    }

    /// <summary>
    /// Decrypts and verifies one chunk at a time (prefetching the next), so no byte of a chunk is returned before its GCM tag
    /// and HMAC name are checked; at the end the whole plaintext's SHA-256 is compared with the descriptor's.
    /// </summary>
    sealed class DecryptingStream(BlobContentStore store, TenantKeys keys, string contentRef, ContentDescriptor descriptor) : Stream
    {
        readonly IncrementalHash sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        readonly CancellationTokenSource disposed = new();
        byte[] current = [];
        int offset;
        int nextIndex;
        Task<byte[]>? prefetch;
        long position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => descriptor.Size;

        public override long Position
        {
            get => position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            ObjectDisposedException.ThrowIf(disposed.IsCancellationRequested, this);
            if (buffer.IsEmpty)
            {
                return 0;
            }

            while (offset == current.Length)
            {
                if (nextIndex == descriptor.Chunks.Count)
                {
                    VerifyWhole();
                    return 0;
                }

                current = await (prefetch ?? Fetch(nextIndex)).WaitAsync(cancellationToken);
                offset = 0;
                nextIndex++;
                prefetch = nextIndex < descriptor.Chunks.Count ? Fetch(nextIndex) : null;
                sha.AppendData(current);
            }

            int n = Math.Min(buffer.Length, current.Length - offset);
            current.AsMemory(offset, n).CopyTo(buffer);
            offset += n;
            position += n;
            return n;
        }

        Task<byte[]> Fetch(int index) => store.ReadChunkAsync(keys, contentRef, index, descriptor.Chunks[index], disposed.Token);

        bool verified;

        void VerifyWhole()
        {
            if (!verified) CheckWhole(contentRef, descriptor, sha);
            verified = true;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing && !disposed.IsCancellationRequested)
            {
                disposed.Cancel();
                // Observe a prefetch abandoned by an early dispose so it does not surface as an unobserved exception.
                prefetch?.ContinueWith(t => _ = t.Exception, TaskScheduler.Default);
                sha.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}

sealed record DescriptorChunk([property: JsonPropertyName("n")] string Name, [property: JsonPropertyName("s")] int Size);

sealed record ContentDescriptor(
    [property: JsonPropertyName("v")] int Version,
    [property: JsonPropertyName("size")] long Size,
    [property: JsonPropertyName("sha256")] string Sha256,
    [property: JsonPropertyName("chunks")] IReadOnlyList<DescriptorChunk> Chunks);

[JsonSerializable(typeof(ContentDescriptor))]
partial class DescriptorJson : JsonSerializerContext;
