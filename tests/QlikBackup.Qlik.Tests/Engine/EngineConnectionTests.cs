using System.Net.WebSockets;
using Microsoft.Extensions.Logging.Abstractions;
using QlikBackup.Qlik.Engine;
using Xunit;

namespace QlikBackup.Qlik.Tests.Engine;

/// <summary>
/// The connection under a socket the test controls. Found by the fault suite ("engine drop mid object reads" hung 1 run
/// in 8): parallel readers share one socket, one holds the send gate, the socket breaks, and the readers queued behind
/// the gate waited out the 10-minute request timeout, because only callers already awaiting an answer were failed.
/// </summary>
public sealed class EngineConnectionTests
{
    static readonly TimeSpan Guard = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task Calls_queued_to_send_fail_as_lost_as_soon_as_the_socket_breaks()
    {
        var socket = new ScriptedSocket();
        await using var connection = EngineRpcConnection.Over(socket, TimeSpan.FromMinutes(10), NullLogger.Instance);
        Task<System.Text.Json.JsonElement> sending = connection.InvokeAsync(-1, "GetDocList", null, CancellationToken.None);
        await socket.FirstSendStarted.WaitAsync(Guard);
        Task<System.Text.Json.JsonElement> queued = connection.InvokeAsync(-1, "EngineVersion", null, CancellationToken.None);
        Assert.False(queued.IsCompleted);

        socket.Break();

        // The guard only turns a regression into a failure instead of a hang: the expected failure is immediate.
        await Assert.ThrowsAsync<QlikEngineConnectionLostException>(() => queued.WaitAsync(Guard));
        socket.ReleaseSend();
        await Assert.ThrowsAsync<QlikEngineConnectionLostException>(() => sending.WaitAsync(Guard));
        Assert.True(connection.IsBroken);
    }

    [Fact]
    public async Task A_connection_disposed_under_a_queued_call_fails_it_and_can_still_be_used_to_fail_fast()
    {
        var socket = new ScriptedSocket();
        var connection = EngineRpcConnection.Over(socket, TimeSpan.FromMinutes(10), NullLogger.Instance);
        Task<System.Text.Json.JsonElement> sending = connection.InvokeAsync(-1, "GetDocList", null, CancellationToken.None);
        await socket.FirstSendStarted.WaitAsync(Guard);
        Task<System.Text.Json.JsonElement> queued = connection.InvokeAsync(-1, "EngineVersion", null, CancellationToken.None);

        // What a session does when it gives up a connection while other readers are mid-call.
        Task disposing = connection.DisposeAsync().AsTask();
        await Assert.ThrowsAsync<QlikEngineConnectionLostException>(() => queued.WaitAsync(Guard));
        socket.ReleaseSend();
        await Assert.ThrowsAsync<QlikEngineConnectionLostException>(() => sending.WaitAsync(Guard));
        await disposing.WaitAsync(Guard);
        await Assert.ThrowsAsync<QlikEngineConnectionLostException>(() => connection.InvokeAsync(-1, "EngineVersion", null, CancellationToken.None));
    }

    /// <summary>The first send blocks until <see cref="ReleaseSend"/> (then fails as a dropped socket would); receives wait until <see cref="Break"/>.</summary>
    sealed class ScriptedSocket : WebSocket
    {
        readonly TaskCompletionSource firstSend = new(TaskCreationOptions.RunContinuationsAsynchronously);
        readonly TaskCompletionSource release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        readonly TaskCompletionSource broken = new(TaskCreationOptions.RunContinuationsAsynchronously);
        int sends;
        WebSocketState state = WebSocketState.Open;

        public Task FirstSendStarted => firstSend.Task;

        public void ReleaseSend() => release.TrySetResult();

        public void Break() => broken.TrySetException(new WebSocketException(WebSocketError.ConnectionClosedPrematurely));

        public override async Task SendAsync(ArraySegment<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref sends) == 1)
            {
                firstSend.TrySetResult();
                await release.Task;
            }

            throw new WebSocketException(WebSocketError.ConnectionClosedPrematurely);
        }

        public override async Task<WebSocketReceiveResult> ReceiveAsync(ArraySegment<byte> buffer, CancellationToken cancellationToken)
        {
            await broken.Task.WaitAsync(cancellationToken);
            throw new InvalidOperationException("unreachable");
        }

        public override WebSocketCloseStatus? CloseStatus => null;
        public override string? CloseStatusDescription => null;
        public override WebSocketState State => state;
        public override string? SubProtocol => null;

        public override void Abort() => state = WebSocketState.Aborted;

        public override Task CloseAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) => Task.CompletedTask;

        public override Task CloseOutputAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken)
        {
            state = WebSocketState.CloseSent;
            return Task.CompletedTask;
        }

        public override void Dispose() => state = WebSocketState.Closed;
    }
}
