using System.Globalization;
using QlikBackup.Qlik.Simulator.Api;
using QlikBackup.Qlik.Simulator.Model;

namespace QlikBackup.Qlik.Simulator;

/// <summary>
/// Outermost pipeline step: turns exceptions into Qlik's error shape (never a stack trace), applies the fault knobs,
/// and authenticates every request except POST /oauth/token (401 in Qlik's shape when the bearer is missing or invalid).
/// </summary>
internal sealed class SimulatorMiddleware(RequestDelegate next, SimulatedTenant tenant, SimulatorFaults faults, ILogger<SimulatorMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            if (faults.Latency > TimeSpan.Zero) await Task.Delay(faults.Latency, context.RequestAborted);
            if (faults.TryTakeStatusFault(context.Request.Path, context.Request.Method) is { } fault)
            {
                if (fault.RetryAfterSeconds is { } seconds)
                    context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                await QlikApiException.WriteAsync(context, fault.StatusCode, $"HTTP-{fault.StatusCode}",
                    fault.StatusCode == 429 ? "Too Many Requests" : "Service Unavailable", "Injected by the simulator's fault settings.");
                return;
            }
            if (!IsAnonymous(context.Request) && SimulatorAuth.TryAuthenticate(context, tenant) is null)
            {
                await QlikApiException.WriteAsync(context, 401, "HTTP-401", "Unauthorized", "Missing or invalid bearer token.");
                return;
            }
            await next(context);
        }
        catch (QlikApiException e) when (!context.Response.HasStarted)
        {
            await QlikApiException.WriteAsync(context, e.Status, e.Code, e.Title, e.Detail);
        }
        catch (BadHttpRequestException e) when (!context.Response.HasStarted)
        {
            await QlikApiException.WriteAsync(context, e.StatusCode, $"HTTP-{e.StatusCode}", "Bad Request", e.Message);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // Client went away.
        }
        catch (Exception e) when (!context.Response.HasStarted)
        {
            logger.LogError(e, "Unhandled simulator error on {Method} {Path}", context.Request.Method, context.Request.Path);
            await QlikApiException.WriteAsync(context, 500, "HTTP-500", "Internal Server Error", "The simulator failed to handle the request.");
        }
    }

    private static bool IsAnonymous(HttpRequest request)
        => request.Path.StartsWithSegments("/oauth/token") || request.Path.StartsWithSegments("/.well-known");
}

/// <summary>Unknown paths answer 404 in Qlik's error shape instead of an empty body.</summary>
internal sealed class NotFoundMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
        => context.GetEndpoint() is null
            ? QlikApiException.WriteAsync(context, 404, "HTTP-404", "Not Found", $"No route for {context.Request.Method} {context.Request.Path}.")
            : next(context);
}
