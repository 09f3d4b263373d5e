using System.Security.Cryptography;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using QlikBackup.Core.Storage;

namespace QlikBackup.Core.Tests.Support;

static class TestData
{
    public const int MiB = 1024 * 1024;

    public static byte[] Random(int length) => RandomNumberGenerator.GetBytes(length);

    public static string Sha256Hex(byte[] data) => Convert.ToHexStringLower(SHA256.HashData(data));

    public static string NewTenant() => "tenant-" + Guid.NewGuid().ToString("N")[..12];

    public static async Task<byte[]> ReadAllAsync(this IContentStore store, string tenantId, string contentRef)
    {
        await using Stream stream = await store.OpenReadAsync(tenantId, contentRef);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    public static async Task<List<string>> BlobNamesAsync(this BlobContainerClient container, string prefix = "")
    {
        var names = new List<string>();
        await foreach (BlobItem item in container.GetBlobsAsync(new GetBlobsOptions { Prefix = prefix }))
        {
            names.Add(item.Name);
        }

        return names;
    }

    /// <summary>Alters one stored byte through the Blob SDK, as an attacker or a storage fault would.</summary>
    public static async Task FlipByteAsync(this BlobContainerClient container, string blobName, int? at = null)
    {
        BlobClient blob = container.GetBlobClient(blobName);
        byte[] data = (await blob.DownloadContentAsync()).Value.Content.ToArray();
        data[at ?? data.Length / 2] ^= 0x01;
        await blob.UploadAsync(BinaryData.FromBytes(data), overwrite: true);
    }
}

/// <summary>A non-seekable source that hands out at most a few KiB per read, like a network stream.</summary>
sealed class TrickleStream(byte[] data, int maxRead = 7919) : SourceStream
{
    int position;

    public override int Read(byte[] buffer, int offset, int count)
    {
        int n = Math.Min(Math.Min(count, maxRead), data.Length - position);
        Array.Copy(data, position, buffer, offset, n);
        position += n;
        return n;
    }
}

/// <summary>Passes reads through until <paramref name="failAfter"/> bytes, then fails like a dropped download.</summary>
sealed class FailingStream(Stream inner, long failAfter) : SourceStream
{
    long read;

    public override int Read(byte[] buffer, int offset, int count)
    {
        if (read >= failAfter)
        {
            throw new IOException("connection reset");
        }

        int n = inner.Read(buffer, offset, (int)Math.Min(count, failAfter - read));
        read += n;
        return n;
    }
}

/// <summary>A forward-only, read-only source: subclasses supply Read.</summary>
abstract class SourceStream : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
