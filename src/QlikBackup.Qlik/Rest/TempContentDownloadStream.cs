using System.Net;
using System.Net.Http.Headers;
using Polly;
using Polly.Retry;
using QlikBackup.Qlik.Contracts;

namespace QlikBackup.Qlik.Rest;

/// <summary>
/// Streams a temp-content file (an exported QVF) without buffering it. While the export is not finished the
/// service answers 204, which is polled. If the connection breaks mid-body the download is resumed from the
/// bytes already delivered with <c>Range: bytes=N-</c> (206), so the reader sees one complete, correct file.
/// </summary>
internal sealed class TempContentDownloadStream : Stream
{
    private readonly HttpClient _http;
    private readonly string _path;
    private readonly ResiliencePipeline<HttpResponseMessage> _untilReady;
    private readonly ResiliencePipeline _resume;
    private HttpResponseMessage? _response;
    private Stream? _body;
    private long _position;
    private long? _length;
    private int _resumes;

    private TempContentDownloadStream(HttpClient http, string path, QlikOptions options)
    {
        _http = http;
        _path = path;
        var pollInterval = options.ExportPollInterval > TimeSpan.Zero ? options.ExportPollInterval : TimeSpan.FromSeconds(1);
        _untilReady = new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>().HandleResult(r => r.StatusCode == HttpStatusCode.NoContent),
                BackoffType = DelayBackoffType.Constant,
                Delay = pollInterval,
                MaxRetryAttempts = (int)Math.Clamp(Math.Ceiling(options.ExportReadyTimeout / pollInterval), 1, int.MaxValue),
            })
            .Build();
        _resume = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                // A reset or truncated body; the caller's cancellation is an OperationCanceledException and is not handled.
                ShouldHandle = new PredicateBuilder().Handle<IOException>().Handle<HttpRequestException>(),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                MaxDelay = options.RetryMaxDelay,
                MaxRetryAttempts = Math.Max(1, options.DownloadResumeAttempts),
                OnRetry = _ =>
                {
                    CloseBody();
                    _resumes++;
                    return default;
                },
            })
            .Build();
    }

    /// <summary>How many times the download was resumed after a broken connection.</summary>
    public int Resumes => _resumes;

    /// <summary>Total size when the service told it (Content-Length / Content-Range).</summary>
    public long? ContentLength => _length;

    public static async Task<TempContentDownloadStream> OpenAsync(HttpClient http, string path, QlikOptions options, CancellationToken ct)
    {
        var stream = new TempContentDownloadStream(http, path, options);
        try
        {
            await stream.OpenAtAsync(0, ct).ConfigureAwait(false);
            return stream;
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task OpenAtAsync(long offset, CancellationToken ct)
    {
        var response = await _untilReady.ExecuteAsync(static async (state, token) =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, state.Self._path);
            if (state.Offset > 0) request.Headers.Range = new RangeHeaderValue(state.Offset, null);
            return await state.Self._http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token).ConfigureAwait(false);
        }, (Self: this, Offset: offset), ct).ConfigureAwait(false);

        try
        {
            switch (response.StatusCode)
            {
                case HttpStatusCode.NoContent:
                    throw new TimeoutException($"Qlik temp content {_path} was still not ready (204) when the export wait ran out.");
                case HttpStatusCode.PartialContent:
                    var range = response.Content.Headers.ContentRange;
                    if (range?.From != offset)
                        throw new InvalidDataException($"Asked {_path} for bytes {offset}- but got range '{range}'.");
                    _length ??= range.Length;
                    break;
                case HttpStatusCode.OK:
                    _length ??= response.Content.Headers.ContentLength;
                    break;
                default:
                    throw await QlikErrors.ToExceptionAsync(response, ct).ConfigureAwait(false);
            }
            var body = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.OK && offset > 0)
                await SkipAsync(body, offset, ct).ConfigureAwait(false); // the service ignored Range: drop what we already have
            _response = response;
            _body = body;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private static async Task SkipAsync(Stream body, long count, CancellationToken ct)
    {
        var buffer = new byte[81920];
        while (count > 0)
        {
            var n = await body.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, count)), ct).ConfigureAwait(false);
            if (n == 0) throw new IOException("Temp content ended before the resume offset.");
            count -= n;
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (buffer.IsEmpty) return 0;
        return await _resume.ExecuteAsync(static async (state, token) =>
        {
            var self = state.Self;
            if (self._body is null) await self.OpenAtAsync(self._position, token).ConfigureAwait(false);
            var n = await self._body!.ReadAsync(state.Buffer, token).ConfigureAwait(false);
            if (n == 0 && self._length is { } length && self._position < length)
                throw new IOException($"Temp content ended at byte {self._position} of {length}.");
            self._position += n;
            return n;
        }, (Self: this, Buffer: buffer), ct).ConfigureAwait(false);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
        ReadAsync(buffer.AsMemory(offset, count), ct).AsTask();

    // Synchronous readers are rare (the store copies asynchronously); block on the async path rather than duplicate it.
    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    private bool _disposed;

    private void CloseBody()
    {
        _body?.Dispose();
        _response?.Dispose();
        _body = null;
        _response = null;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            CloseBody();
        }
        base.Dispose(disposing);
    }

    public override bool CanRead => !_disposed;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => _length ?? throw new NotSupportedException("The service did not send the content length.");
    public override long Position { get => _position; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
