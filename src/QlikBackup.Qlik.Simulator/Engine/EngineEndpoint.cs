using System.Net.WebSockets;
using QlikBackup.Qlik.Simulator.Api;
using QlikBackup.Qlik.Simulator.Model;

namespace QlikBackup.Qlik.Simulator.Engine;

/// <summary>
/// The Engine (QIX) JSON-RPC WebSocket at <c>/app/{appId}</c>, as Qlik Cloud serves it: bearer auth on the upgrade
/// (401 in Qlik's error shape otherwise), an OnConnected notification first, then requests by handle.
/// </summary>
public static class EngineEndpoint
{
    public static void Map(WebApplication app, SimulatedTenant tenant, SimulatorFaults faults)
    {
        // Harmless when the host already added it (the middleware skips itself if WebSockets are set up).
        app.UseWebSockets();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(EngineEndpoint).FullName!);
        app.Map("/app/{appId}", (HttpContext context, string appId) => HandleAsync(context, appId, tenant, faults, logger));
        // Qlik's other URL forms, used by its own clients: a session identity (separate sessions on one app) and a TTL that
        // keeps the session alive after the socket closes. Both are about session reuse; each socket here is its own session.
        app.Map("/app/{appId}/identity/{identity}", (HttpContext context, string appId) => HandleAsync(context, appId, tenant, faults, logger));
        app.Map("/app/{appId}/ttl/{seconds:int}", (HttpContext context, string appId) => HandleAsync(context, appId, tenant, faults, logger));
        app.Map("/app/{appId}/identity/{identity}/ttl/{seconds:int}", (HttpContext context, string appId) => HandleAsync(context, appId, tenant, faults, logger));
    }

    private static async Task HandleAsync(HttpContext context, string appId, SimulatedTenant tenant, SimulatorFaults faults, ILogger logger)
    {
        var actor = SimulatorAuth.TryAuthenticate(context, tenant);
        if (actor is null)
        {
            await QlikApiException.WriteAsync(context, 401, "HTTP-401", "Unauthorized", "Missing or invalid bearer token.");
            return;
        }
        if (!context.WebSockets.IsWebSocketRequest)
        {
            await QlikApiException.WriteAsync(context, 400, "HTTP-400", "Bad Request", "The Engine endpoint only accepts WebSocket upgrades.");
            return;
        }
        int? dropAfter = faults.TryTakeWebSocketDrop(out var after) ? after : null;
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var session = new EngineSession(socket, tenant, actor, appId, dropAfter, logger);
        try
        {
            await session.RunAsync(context.RequestAborted);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // The client went away mid-message; nothing to answer.
        }
        if (dropAfter is not null) context.Abort();
    }
}
