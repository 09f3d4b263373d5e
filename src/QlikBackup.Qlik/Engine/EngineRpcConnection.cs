using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace QlikBackup.Qlik.Engine;

/// <summary>
/// One QIX WebSocket: sends requests with increasing ids and completes each caller when the answer with its id
/// arrives (answers may come in any order). Notifications are logged; "close" arrays are reported to the owner so
/// it forgets those handles. Once the socket breaks every pending and later call fails with
/// <see cref="QlikEngineConnectionLostException"/>.
/// </summary>
internal sealed class EngineRpcConnection : IAsyncDisposable
{
    private readonly WebSocket _socket;
    private readonly ILogger _logger;
    private readonly Action<IReadOnlyList<int>> _handlesClosed;
    private readonly TimeSpan _requestTimeout;
    private readonly ConcurrentDictionary<int, Pending> _pending = new();
    private readonly SemaphoreSlim _sendGate = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    // Cancelled once the socket breaks: callers queued for the send gate then fail at once instead of waiting out their timeout.
    private readonly CancellationTokenSource _broken = new();
    private readonly Task _receiveLoop;
    private int _nextId;
    private volatile Exception? _failure;

    private EngineRpcConnection(WebSocket socket, ILogger logger, TimeSpan requestTimeout, Action<IReadOnlyList<int>> handlesClosed)
    {
        _socket = socket;
        _logger = logger;
        _requestTimeout = requestTimeout;
        _handlesClosed = handlesClosed;
        _receiveLoop = Task.Run(ReceiveLoopAsync);
    }

    /// <summary>qSessionState of the OnConnected notification (SESSION_CREATED / SESSION_ATTACHED), once it arrived.</summary>
    public string? SessionState { get; private set; }

    public bool IsBroken => _failure is not null;

    /// <summary>Opens the WebSocket with the bearer token. A refused upgrade becomes a <see cref="QlikEngineException"/> whose code is the HTTP status.</summary>
    public static async Task<EngineRpcConnection> ConnectAsync(
        Uri uri, string bearerToken, QlikEngineOptions options, ILogger logger, Action<IReadOnlyList<int>> handlesClosed, CancellationToken ct)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + bearerToken);
        socket.Options.KeepAliveInterval = options.KeepAliveInterval;
        socket.Options.CollectHttpResponseDetails = true;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.ConnectTimeout);
        try
        {
            await socket.ConnectAsync(uri, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WebSocketException or HttpRequestException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            var status = socket.HttpStatusCode;
            var retryAfter = RetryAfter(socket.HttpResponseHeaders);
            socket.Dispose();
            if (status != 0 && status != HttpStatusCode.SwitchingProtocols)
                throw new QlikEngineException((int)status, uri.AbsolutePath, $"WebSocket upgrade refused with HTTP {(int)status}", "connect", e)
                {
                    RetryAfter = retryAfter,
                };
            throw new QlikEngineConnectionLostException($"Could not open the Engine WebSocket {uri}: {e.Message}", e);
        }
        return new EngineRpcConnection(socket, logger, options.RequestTimeout, handlesClosed);
    }

    /// <summary>A connection over a socket that is already open (tests drive the socket directly).</summary>
    internal static EngineRpcConnection Over(WebSocket socket, TimeSpan requestTimeout, ILogger logger)
        => new(socket, logger, requestTimeout, _ => { });

    private static TimeSpan? RetryAfter(IReadOnlyDictionary<string, IEnumerable<string>>? headers)
    {
        if (headers is null) return null;
        var value = headers.FirstOrDefault(h => h.Key.Equals("Retry-After", StringComparison.OrdinalIgnoreCase)).Value?.FirstOrDefault();
        return int.TryParse(value, out var seconds) && seconds >= 0 ? TimeSpan.FromSeconds(seconds) : null;
    }

    /// <summary>Calls <paramref name="method"/> on <paramref name="handle"/>; returns the "result" object.</summary>
    public async Task<JsonElement> InvokeAsync(int handle, string method, JsonObject? parameters, CancellationToken ct)
    {
        ThrowIfBroken();
        var id = Interlocked.Increment(ref _nextId);
        var pending = new Pending(method, new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously));
        _pending[id] = pending;
        // The receive loop may have failed between ThrowIfBroken and registering: then nobody else completes us.
        if (_failure is { } failed) pending.Result.TrySetException(Lost(failed));
        var request = Serialize(id, handle, method, parameters);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_requestTimeout);
        try
        {
            await SendAsync(request, timeout.Token).ConfigureAwait(false);
            using var registration = timeout.Token.Register(() => pending.Result.TrySetCanceled(timeout.Token));
            return await pending.Result.Task.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"Qlik Engine did not answer {method} within {_requestTimeout}.");
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    /// <summary>The request frame. Written directly so the caller's params object stays unattached (a retry sends it again).</summary>
    private static byte[] Serialize(int id, int handle, string method, JsonObject? parameters)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("jsonrpc", "2.0");
            writer.WriteNumber("id", id);
            writer.WriteNumber("handle", handle);
            writer.WriteString("method", method);
            writer.WritePropertyName("params");
            if (parameters is null)
            {
                writer.WriteStartObject();
                writer.WriteEndObject();
            }
            else
            {
                parameters.WriteTo(writer);
            }
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private async Task SendAsync(byte[] payload, CancellationToken ct)
    {
        using (var queued = CancellationTokenSource.CreateLinkedTokenSource(ct, _broken.Token))
        {
            try
            {
                await _sendGate.WaitAsync(queued.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested && _failure is { } broke)
            {
                throw Lost(broke);
            }
        }

        try
        {
            ThrowIfBroken();
            await _socket.SendAsync(payload, WebSocketMessageType.Text, true, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException or IOException)
        {
            Fail(e);
            throw Lost(e);
        }
        finally
        {
            _sendGate.Release();
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[64 * 1024];
        var message = new ArrayBufferWriter<byte>();
        try
        {
            while (true)
            {
                message.ResetWrittenCount();
                ValueWebSocketReceiveResult received;
                do
                {
                    received = await _socket.ReceiveAsync(buffer.AsMemory(), _stop.Token).ConfigureAwait(false);
                    if (received.MessageType == WebSocketMessageType.Close)
                    {
                        Fail(new WebSocketException($"The Engine closed the WebSocket ({_socket.CloseStatus} {_socket.CloseStatusDescription})."));
                        return;
                    }
                    message.Write(buffer.AsSpan(0, received.Count));
                } while (!received.EndOfMessage);
                Dispatch(message.WrittenMemory);
            }
        }
        catch (Exception e)
        {
            Fail(e);
        }
    }

    private void Dispatch(ReadOnlyMemory<byte> payload)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(payload);
        }
        catch (JsonException e)
        {
            _logger.LogWarning(e, "Ignoring a malformed Engine message");
            return;
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return;
            if (root.TryGetProperty("close", out var close) && close.ValueKind == JsonValueKind.Array)
                _handlesClosed(close.EnumerateArray().Where(h => h.ValueKind == JsonValueKind.Number).Select(h => h.GetInt32()).ToList());
            if (root.TryGetProperty("id", out var idElement) && idElement.ValueKind == JsonValueKind.Number && idElement.TryGetInt32(out var id))
            {
                if (!_pending.TryGetValue(id, out var pending)) return;
                if (root.TryGetProperty("error", out var error))
                    pending.Result.TrySetException(ToException(error, pending.Method));
                else
                    pending.Result.TrySetResult(root.TryGetProperty("result", out var result) ? result.Clone() : EmptyObject());
            }
            else if (root.TryGetProperty("method", out var method))
            {
                OnNotification(method.GetString() ?? "", root.TryGetProperty("params", out var p) ? p : default);
            }
        }
    }

    private void OnNotification(string method, JsonElement parameters)
    {
        switch (method)
        {
            case "OnConnected":
                SessionState = parameters.ValueKind == JsonValueKind.Object && parameters.TryGetProperty("qSessionState", out var state) ? state.GetString() : null;
                _logger.LogDebug("Engine session state {SessionState}", SessionState);
                break;
            case "OnAuthenticationInformation" when parameters.ValueKind == JsonValueKind.Object
                                                    && parameters.TryGetProperty("mustAuthenticate", out var must) && must.ValueKind == JsonValueKind.True:
                Fail(new QlikEngineException(401, method, "The Engine asks for authentication: the bearer token was not accepted."));
                break;
            default:
                _logger.LogDebug("Engine notification {Method}: {Params}", method, parameters.ValueKind == JsonValueKind.Undefined ? "" : parameters.GetRawText());
                break;
        }
    }

    private static QlikEngineException ToException(JsonElement error, string method)
    {
        var code = error.TryGetProperty("code", out var c) && c.TryGetInt32(out var n) ? n : 0;
        var parameter = error.TryGetProperty("parameter", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
        var message = error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() ?? "" : "";
        return new QlikEngineException(code, parameter, message, method);
    }

    private static JsonElement EmptyObject()
    {
        using var doc = JsonDocument.Parse("{}");
        return doc.RootElement.Clone();
    }

    private void Fail(Exception cause)
    {
        if (Interlocked.CompareExchange(ref _failure, cause, null) is not null) return;
        _logger.LogDebug(cause, "Engine WebSocket broke");
        foreach (var (_, pending) in _pending) pending.Result.TrySetException(Lost(cause));
        _broken.Cancel();
    }

    private void ThrowIfBroken()
    {
        if (_failure is { } failure) throw Lost(failure);
    }

    private static QlikEngineException Lost(Exception cause)
        => cause as QlikEngineException ?? new QlikEngineConnectionLostException($"The Engine WebSocket broke: {cause.Message}", cause);

    public async ValueTask DisposeAsync()
    {
        Fail(new ObjectDisposedException(nameof(EngineRpcConnection)));
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Closing politely is best effort.
        }
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _receiveLoop.ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
        }
        _socket.Dispose();
        // The send gate and the token sources are left to the GC: a caller may still hold or wait for the gate (a session
        // disposes a broken connection while its other readers are mid-call), and disposing them under it left those
        // callers waiting forever for a release that threw ObjectDisposedException.
    }

    private sealed record Pending(string Method, TaskCompletionSource<JsonElement> Result);
}
