using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using QlikBackup.Core;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Capture;
using QlikBackup.Core.Capture.Webhooks;
using QlikBackup.Core.Restore;
using QlikBackup.Core.Status;
using QlikBackup.Core.Storage;
using QlikBackup.DevServices;
using QlikBackup.Functions;
using QlikBackup.Functions.Api;
using QlikBackup.LocalHost.Durable;

namespace QlikBackup.LocalHost;

/// <summary>
/// Runs QlikBackup without Azure Functions: the same orchestrator and activity classes on a Durable Task worker
/// connected to the Azure Storage sidecar, and the same HTTP API handlers on Kestrel (127.0.0.1).
/// </summary>
public sealed class LocalBackupHost : IAsyncDisposable
{
    readonly WebApplication app;
    readonly AzureStorageSidecar sidecar;

    LocalBackupHost(WebApplication app, AzureStorageSidecar sidecar, Uri apiBaseUrl)
    {
        this.app = app;
        this.sidecar = sidecar;
        ApiBaseUrl = apiBaseUrl;
    }

    public Uri ApiBaseUrl { get; }

    public IServiceProvider Services => app.Services;

    public DurableTaskClient Client => app.Services.GetRequiredService<DurableTaskClient>();

    /// <param name="settings">App settings, keyed as in local.settings.json ("Qlik:TenantUrl" or "Qlik__TenantUrl").</param>
    public static Task<LocalBackupHost> StartAsync(IDictionary<string, string?> settings, ILoggerFactory? loggerFactory = null, CancellationToken ct = default)
        => StartAsync(settings, loggerFactory, configure: null, ct);

    /// <param name="configure">Last word on the services, e.g. a test's own TimeProvider.</param>
    public static async Task<LocalBackupHost> StartAsync(
        IDictionary<string, string?> settings, ILoggerFactory? loggerFactory, Action<IServiceCollection>? configure, CancellationToken ct = default)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(settings.ToDictionary(kv => kv.Key.Replace("__", ":"), kv => kv.Value));
        builder.Logging.ClearProviders();
        if (loggerFactory is not null)
        {
            builder.Services.AddSingleton(loggerFactory);
        }

        loggerFactory ??= Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance;
        string storage = builder.Configuration["Storage:ConnectionString"]
            ?? throw new InvalidOperationException("Storage:ConnectionString is required by the local host (Azurite).");
        string hub = builder.Configuration["DurableTaskHubName"] ?? "QlikBackupLocal";
        int activities = int.TryParse(builder.Configuration["Durable:MaxConcurrentActivities"], out int n) ? n : 16;

        AzureStorageSidecar sidecar = await AzureStorageSidecar.StartAsync(storage, hub, activities, loggerFactory, ct);

        builder.Services.AddQlikBackup(builder.Configuration);
        configure?.Invoke(builder.Services);
        builder.Services.AddMvcCore();
        // Errors the web server itself answers (no route, wrong method, an exception) are problem documents too.
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = ApiProblems.Describe);
        builder.Services.AddApiDescription();
        builder.Services.AddDurableTaskWorker(worker =>
        {
            worker.UseGrpc(sidecar.Channel);
            worker.AddTasks(QlikBackupTasks.Register);
            worker.Configure(o =>
            {
                o.Concurrency.MaximumConcurrentActivityWorkItems = activities;
                o.Concurrency.MaximumConcurrentOrchestrationWorkItems = 8;
            });
        });
        builder.Services.AddDurableTaskClient(client => client.UseGrpc(sidecar.Channel));

        int port = LoopbackPort.Free();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, port);
            // Kestrel answers an over-long request line itself, with an empty body; let it through to be refused by field.
            k.Limits.MaxRequestLineSize = 64 * 1024;
            k.Limits.MaxRequestBufferSize = 1024 * 1024;
        });
        WebApplication app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        MapApi(app);
        await app.StartAsync(ct);
        return new LocalBackupHost(app, sidecar, new Uri($"http://127.0.0.1:{port}/"));
    }

    /// <summary>Every route of <see cref="ApiRoutes.All"/>, served by the same handlers as the Function app's triggers.</summary>
    static void MapApi(WebApplication app)
    {
        foreach (ApiRoute route in ApiRoutes.All)
        {
            // As a Delegate (not a RequestDelegate), so the endpoint takes OpenAPI metadata.
            app.MapMethods(route.Path, [route.Method], (Delegate)((HttpContext c) => Serve(route, c))).Describe(route);
        }

        app.MapOpenApi(ApiDescription.GeneratedPath.Replace("v1", "{documentName}"));
    }

    static async Task Serve(ApiRoute route, HttpContext context)
    {
        // With Api:Key set (serve --data), the local host asks for a key as the Function app does.
        string? key = context.RequestServices.GetRequiredService<IConfiguration>()["Api:Key"];
        if (!route.Anonymous && !string.IsNullOrEmpty(key)
            && context.Request.Headers["x-functions-key"] != key && context.Request.Query["code"] != key)
        {
            await ApiResults.Problem(401, "Missing or wrong key", "Send the API key in the x-functions-key header (serve prints it).", "x-functions-key")
                .ExecuteResultAsync(new ActionContext(context, context.GetRouteData(), new ActionDescriptor()));
            return;
        }

        var client = context.RequestServices.GetRequiredService<DurableTaskClient>();
        var routeValues = route.RouteParameters.ToDictionary(name => name, name => context.Request.RouteValues[name]?.ToString() ?? "");
        // The local host has no App Service authentication in front of it (so no principal header is trusted); its one key is named "local".
        ApiCaller caller = ApiCaller.From(context.Request, context.User.Identities, fallbackKeyName: "local", trustPrincipalHeader: false);
        var call = new ApiCall(context.Request, routeValues, client, context.RequestServices, caller);
        IActionResult result = await ApiRoutes.ServeAsync(route, call);
        await result.ExecuteResultAsync(new ActionContext(context, context.GetRouteData(), new ActionDescriptor()));
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
        await sidecar.DisposeAsync();
    }

}
