using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using QlikBackup.Qlik.Simulator.Model;

namespace QlikBackup.Qlik.Simulator.Engine;

/// <summary>The QIX interface behind a handle.</summary>
internal enum HandleKind { Global, Doc, GenericObject, Measure, Dimension, Bookmark, Variable }

/// <summary>What a handle points at: the interface and, for objects, the qId.</summary>
internal sealed record HandleTarget(HandleKind Kind, string? QId = null);

/// <summary>
/// One Engine WebSocket: the JSON-RPC loop and the handle table. Requests are handled in order, one at a time;
/// the app's state lives in the tenant model, so what one session writes another session sees.
/// </summary>
internal sealed partial class EngineSession(
    WebSocket socket, SimulatedTenant tenant, SimulatedActor actor, string appId, int? dropAfterMessages, ILogger logger)
{
    private const int MaxMessageBytes = 64 << 20;
    private const int GlobalHandle = -1;
    private const int DocHandle = 1;

    private readonly Dictionary<int, HandleTarget> _handles = new() { [GlobalHandle] = new HandleTarget(HandleKind.Global) };
    private readonly List<int> _changed = [];
    private readonly List<int> _closed = [];
    private int _nextHandle = DocHandle + 1;
    private int _sent;

    private string UserId => actor.UserId;

    public async Task RunAsync(CancellationToken ct)
    {
        var connected = new JsonObject
        {
            ["jsonrpc"] = "2.0",
            ["method"] = "OnConnected",
            ["params"] = new JsonObject { ["qSessionState"] = "SESSION_CREATED" },
        };
        if (!await SendAsync(connected, ct)) return;
        while (socket.State == WebSocketState.Open)
        {
            var text = await ReceiveAsync(ct);
            if (text is null) return;
            var response = Handle(text);
            if (response is not null && !await SendAsync(response, ct)) return;
        }
    }

    /// <summary>Handles one request; null for a notification (no id), which gets no answer.</summary>
    private JsonObject? Handle(string text)
    {
        _changed.Clear();
        _closed.Clear();
        JsonNode? id = null;
        var isNotification = false;
        JsonObject response;
        try
        {
            JsonObject request;
            try
            {
                request = JsonNode.Parse(text) as JsonObject ?? throw QixError.InvalidRequest("The request must be a JSON object");
            }
            catch (JsonException e)
            {
                throw QixError.ParseError(e.Message);
            }
            isNotification = !request.ContainsKey("id");
            id = request["id"]?.DeepClone();
            var method = request["method"] is JsonValue m && m.TryGetValue<string>(out var name) && name.Length > 0
                ? name
                : throw QixError.InvalidRequest("'method' is required");
            var handle = request["handle"] is JsonValue h && h.TryGetValue<int>(out var hv)
                ? hv
                : throw QixError.InvalidRequest("'handle' is required and must be an integer");
            if (!_handles.TryGetValue(handle, out var target)) throw QixError.InvalidHandle(handle);
            var result = Invoke(target, method, new RpcParams(request["params"]));
            response = new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id, ["result"] = result };
        }
        catch (QixError e)
        {
            response = ErrorResponse(id, e);
        }
        catch (KeyNotFoundException)
        {
            // The app was deleted while the session was open.
            response = ErrorResponse(id, QixError.AppNotFound(appId));
        }
        if (isNotification) return null;
        if (_changed.Count > 0) response["change"] = new JsonArray(_changed.Distinct().Select(x => (JsonNode)x).ToArray());
        if (_closed.Count > 0) response["close"] = new JsonArray(_closed.Distinct().Select(x => (JsonNode)x).ToArray());
        return response;
    }

    private static JsonObject ErrorResponse(JsonNode? id, QixError e) => new()
    {
        ["jsonrpc"] = "2.0",
        ["id"] = id,
        ["error"] = new JsonObject { ["code"] = e.Code, ["parameter"] = e.Parameter, ["message"] = e.Message },
    };

    private JsonObject Invoke(HandleTarget target, string method, RpcParams p) => target.Kind switch
    {
        HandleKind.Global => InvokeGlobal(method, p),
        HandleKind.Doc => InvokeDoc(method, p),
        HandleKind.GenericObject => InvokeGenericObject(target.QId!, method, p),
        _ => InvokeFlat(target, method, p),
    };

    private JsonObject InvokeGlobal(string method, RpcParams p)
    {
        switch (method)
        {
            case "OpenDoc":
                var docName = p.RequiredString("qDocName", 0);
                if (_handles.ContainsKey(DocHandle)) throw QixError.AppAlreadyOpen(docName);
                var visible = tenant.Read(s => s.FindApp(docName) is { } app && Api.Access.CanSeeApp(s, actor, app));
                // One doc per socket, the one named in the URL.
                if (!visible || !string.Equals(docName, appId, StringComparison.OrdinalIgnoreCase)) throw QixError.AppNotFound(docName);
                _handles[DocHandle] = new HandleTarget(HandleKind.Doc);
                return ReturnInterface("Doc", DocHandle, "Doc", appId);
            case "GetActiveDoc":
                if (!_handles.ContainsKey(DocHandle)) throw QixError.AppNotOpen();
                return ReturnInterface("Doc", DocHandle, "Doc", appId);
            case "EngineVersion":
                return new JsonObject { ["qVersion"] = new JsonObject { ["qComponentVersion"] = "12.2473.0" } };
            default:
                throw QixError.MethodNotFound(method);
        }
    }

    private static JsonObject ReturnInterface(string qType, int handle, string genericType, string genericId) => new()
    {
        ["qReturn"] = new JsonObject { ["qType"] = qType, ["qHandle"] = handle, ["qGenericType"] = genericType, ["qGenericId"] = genericId },
    };

    /// <summary>A handle for the object; the same object keeps its handle for the life of the socket.</summary>
    private JsonObject OpenHandle(HandleKind kind, string qId, string qType)
    {
        var target = new HandleTarget(kind, qId);
        var handle = _handles.FirstOrDefault(kv => kv.Value == target).Key;
        if (handle == 0)
        {
            handle = _nextHandle++;
            _handles[handle] = target;
        }
        return ReturnInterface(InterfaceName(kind), handle, qType, qId);
    }

    private static string InterfaceName(HandleKind kind) => kind switch
    {
        HandleKind.GenericObject => "GenericObject",
        HandleKind.Measure => "GenericMeasure",
        HandleKind.Dimension => "GenericDimension",
        HandleKind.Bookmark => "GenericBookmark",
        HandleKind.Variable => "GenericVariable",
        _ => kind.ToString(),
    };

    /// <summary>Reports handles on <paramref name="qIds"/> in the response's "change" array.</summary>
    private void MarkChanged(IEnumerable<string> qIds)
    {
        var set = qIds.ToHashSet(StringComparer.Ordinal);
        _changed.AddRange(_handles.Where(kv => kv.Value.QId is { } id && set.Contains(id)).Select(kv => kv.Key));
    }

    /// <summary>Drops handles on destroyed objects and reports them in the response's "close" array.</summary>
    private void MarkClosed(IEnumerable<string> qIds)
    {
        var set = qIds.ToHashSet(StringComparer.Ordinal);
        foreach (var handle in _handles.Where(kv => kv.Value.QId is { } id && set.Contains(id)).Select(kv => kv.Key).ToList())
        {
            _handles.Remove(handle);
            _closed.Add(handle);
        }
    }

    /// <summary>Sends a message, unless the WebSocket-drop fault says this session dies first (then aborts and returns false).</summary>
    private async Task<bool> SendAsync(JsonObject message, CancellationToken ct)
    {
        if (dropAfterMessages is { } limit && _sent >= limit)
        {
            logger.LogInformation("Dropping Engine WebSocket of app {AppId} after {Count} messages (fault)", appId, _sent);
            socket.Abort();
            return false;
        }
        _sent++;
        await socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, true, ct);
        return true;
    }

    /// <summary>The next text message; null when the client closed the socket.</summary>
    private async Task<string?> ReceiveAsync(CancellationToken ct)
    {
        var buffer = new byte[16 * 1024];
        using var message = new MemoryStream();
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, ct);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, ct);
                return null;
            }
            message.Write(buffer, 0, result.Count);
            if (message.Length > MaxMessageBytes)
            {
                await socket.CloseAsync(WebSocketCloseStatus.MessageTooBig, "Message too big", ct);
                return null;
            }
            if (result.EndOfMessage) return Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length);
        }
    }
}
