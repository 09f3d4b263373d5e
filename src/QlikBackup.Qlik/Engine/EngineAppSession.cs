using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using QlikBackup.Qlik.Contracts;

namespace QlikBackup.Qlik.Engine;

/// <summary>
/// One app opened on one WebSocket. Object handles are acquired on first use and reused for the socket's life.
/// When the socket drops, the session reconnects (new socket, OpenDoc again, handles re-acquired lazily) and
/// retries the interrupted operation once.
/// </summary>
internal sealed partial class EngineAppSession(QlikEngine engine, string appId, EngineSessionOptions options, ILogger logger) : IEngineAppSession
{
    private const int GlobalHandle = -1;
    private readonly SemaphoreSlim _connectGate = new(1, 1);
    private volatile Connection? _current;
    private int _disposed;

    public string AppId => appId;

    /// <summary>A socket with its open doc and the handles acquired on it.</summary>
    private sealed class Connection(EngineRpcConnection rpc)
    {
        public EngineRpcConnection Rpc { get; } = rpc;
        public int DocHandle { get; set; }
        public ConcurrentDictionary<(EngineObjectClass Class, string QId), int> Handles { get; } = new();

        public void Forget(IReadOnlyList<int> closed)
        {
            foreach (var (key, handle) in Handles)
                if (closed.Contains(handle)) Handles.TryRemove(key, out _);
        }
    }

    public async Task OpenAsync(CancellationToken ct) => await ConnectAsync(null, ct).ConfigureAwait(false);

    /// <summary>Opens a new socket and the doc, unless another caller already replaced <paramref name="broken"/>.</summary>
    private async Task<Connection> ConnectAsync(Connection? broken, CancellationToken ct)
    {
        await _connectGate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed != 0, this);
            if (_current is { } current && current != broken && !current.Rpc.IsBroken) return current;
            if (_current is { } old)
            {
                _current = null;
                await old.Rpc.DisposeAsync().ConfigureAwait(false);
            }
            Connection? created = null;
            var rpc = await engine.ConnectAsync(appId, options.ImpersonateUserId, closed => created?.Forget(closed), ct).ConfigureAwait(false);
            created = new Connection(rpc);
            try
            {
                created.DocHandle = await OpenDocAsync(rpc, ct).ConfigureAwait(false);
            }
            catch
            {
                await rpc.DisposeAsync().ConfigureAwait(false);
                throw;
            }
            _current = created;
            return created;
        }
        finally
        {
            _connectGate.Release();
        }
    }

    private async Task<int> OpenDocAsync(EngineRpcConnection rpc, CancellationToken ct)
    {
        try
        {
            var result = await rpc.InvokeAsync(GlobalHandle, "OpenDoc",
                new JsonObject { ["qDocName"] = appId, ["qNoData"] = options.NoData }, ct).ConfigureAwait(false);
            return ReturnedHandle(result, appId);
        }
        catch (QlikEngineException e) when (e.Code == QixErrorCodes.AppAlreadyOpen)
        {
            // SESSION_ATTACHED: the engine kept a session with the doc open; use it.
            return ReturnedHandle(await rpc.InvokeAsync(GlobalHandle, "GetActiveDoc", null, ct).ConfigureAwait(false), appId);
        }
    }

    /// <summary>qReturn.qHandle of a Get*/Create*/OpenDoc result; a missing or null handle means the object does not exist.</summary>
    private static int ReturnedHandle(JsonElement result, string qId)
        => result.TryGetProperty("qReturn", out var r) && r.ValueKind == JsonValueKind.Object
           && r.TryGetProperty("qHandle", out var h) && h.ValueKind == JsonValueKind.Number
            ? h.GetInt32()
            : throw new QlikEngineException(QixErrorCodes.NotFound, qId, "Resource not found");

    /// <summary>
    /// Runs an operation on the current connection; if the socket drops meanwhile, reconnects and runs it once more.
    /// The attempt number lets writes check what the lost attempt already did.
    /// </summary>
    private async Task<T> RunAsync<T>(Func<Connection, int, CancellationToken, Task<T>> operation, CancellationToken ct)
    {
        var connection = _current ?? await ConnectAsync(null, ct).ConfigureAwait(false);
        try
        {
            return await operation(connection, 1, ct).ConfigureAwait(false);
        }
        catch (QlikEngineConnectionLostException e)
        {
            logger.LogWarning("Engine WebSocket of app {AppId} dropped ({Reason}); reconnecting and retrying once", appId, e.Message);
            connection = await ConnectAsync(connection, ct).ConfigureAwait(false);
            return await operation(connection, 2, ct).ConfigureAwait(false);
        }
    }

    private Task<JsonElement> CallDocAsync(Connection c, string method, JsonObject? parameters, CancellationToken ct)
        => c.Rpc.InvokeAsync(c.DocHandle, method, parameters, ct);

    /// <summary>The handle of an object, acquired once per socket.</summary>
    private async Task<int> HandleOfAsync(Connection c, EngineObjectClass cls, string qId, CancellationToken ct)
    {
        if (c.Handles.TryGetValue((cls, qId), out var handle)) return handle;
        var result = await CallDocAsync(c, Methods(cls).Get, new JsonObject { ["qId"] = qId }, ct).ConfigureAwait(false);
        handle = ReturnedHandle(result, qId);
        c.Handles[(cls, qId)] = handle;
        return handle;
    }

    private async Task<JsonElement> CallObjectAsync(Connection c, EngineObjectClass cls, string qId, string method, JsonObject? parameters, CancellationToken ct)
        => await c.Rpc.InvokeAsync(await HandleOfAsync(c, cls, qId, ct).ConfigureAwait(false), method, parameters, ct).ConfigureAwait(false);

    /// <summary>The Doc methods that get, create and destroy an object of each class.</summary>
    private static (string Get, string Create, string Destroy) Methods(EngineObjectClass cls) => cls switch
    {
        EngineObjectClass.GenericObject => ("GetObject", "CreateObject", "DestroyObject"),
        EngineObjectClass.Measure => ("GetMeasure", "CreateMeasure", "DestroyMeasure"),
        EngineObjectClass.Dimension => ("GetDimension", "CreateDimension", "DestroyDimension"),
        EngineObjectClass.Bookmark => ("GetBookmark", "CreateBookmark", "DestroyBookmark"),
        EngineObjectClass.Variable => ("GetVariableById", "CreateVariableEx", "DestroyVariableById"),
        _ => throw new ArgumentOutOfRangeException(nameof(cls)),
    };

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await _connectGate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_current is { } c) await c.Rpc.DisposeAsync().ConfigureAwait(false);
            _current = null;
        }
        finally
        {
            _connectGate.Release();
        }
    }
}
