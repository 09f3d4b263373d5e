using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using Xunit;

namespace QlikBackup.Qlik.Tests.Engine;

/// <summary>A bare WebSocket speaking JSON-RPC by hand, to check what the simulated Engine puts on the wire.</summary>
public sealed class RawQixSocket : IAsyncDisposable
{
    private readonly ClientWebSocket _socket;
    private int _nextId;

    private RawQixSocket(ClientWebSocket socket) => _socket = socket;

    public static async Task<RawQixSocket> ConnectAsync(Uri baseUrl, string appId, string? bearer)
    {
        var socket = NewSocket(bearer);
        try
        {
            await socket.ConnectAsync(AppUri(baseUrl, appId), Timeout());
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return new RawQixSocket(socket);
    }

    /// <summary>The HTTP status a refused upgrade answered.</summary>
    public static async Task<int> RefusedUpgradeStatusAsync(Uri baseUrl, string appId, string? bearer)
    {
        using var socket = NewSocket(bearer);
        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(AppUri(baseUrl, appId), Timeout()));
        return (int)socket.HttpStatusCode;
    }

    private static ClientWebSocket NewSocket(string? bearer)
    {
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        if (bearer is not null) socket.Options.SetRequestHeader("Authorization", "Bearer " + bearer);
        return socket;
    }

    private static Uri AppUri(Uri baseUrl, string appId) => new UriBuilder(new Uri(baseUrl, "app/" + appId)) { Scheme = "ws" }.Uri;

    public async Task SendTextAsync(string text)
        => await _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, Timeout());

    /// <summary>Sends a request and returns the next message (this helper never pipelines).</summary>
    public async Task<JsonObject> CallAsync(int handle, string method, JsonNode? parameters = null)
    {
        var id = ++_nextId;
        await SendTextAsync(new JsonObject
        {
            ["jsonrpc"] = "2.0", ["id"] = id, ["handle"] = handle, ["method"] = method, ["params"] = parameters ?? new JsonObject(),
        }.ToJsonString());
        var response = await ReceiveAsync();
        Assert.Equal(id, response["id"]?.GetValue<int>());
        return response;
    }

    public async Task<JsonObject> ReceiveAsync()
    {
        var buffer = new byte[1 << 16];
        using var message = new MemoryStream();
        WebSocketReceiveResult result;
        do
        {
            result = await _socket.ReceiveAsync(buffer, Timeout());
            message.Write(buffer, 0, result.Count);
        } while (!result.EndOfMessage);
        return JsonNode.Parse(message.ToArray())!.AsObject();
    }

    private static CancellationToken Timeout() => new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token;

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_socket.State == WebSocketState.Open) await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, Timeout());
        }
        catch (WebSocketException)
        {
        }
        _socket.Dispose();
    }
}
