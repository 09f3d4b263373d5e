namespace QlikBackup.Core.Capture;

/// <summary>The bytes already read from a stream (to see whether it is small enough to pack), then the rest of it.</summary>
internal sealed class PrefixedStream(byte[] head, Stream rest) : Stream
{
    int offset;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (offset < head.Length) return Copy(buffer);
        return rest.Read(buffer);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        => offset < head.Length ? ValueTask.FromResult(Copy(buffer.Span)) : rest.ReadAsync(buffer, cancellationToken);

    int Copy(Span<byte> buffer)
    {
        int n = Math.Min(buffer.Length, head.Length - offset);
        head.AsSpan(offset, n).CopyTo(buffer);
        offset += n;
        return n;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
