using System.Net;
using DurableTask.AzureStorage;
using DurableTask.AzureStorage.Partitioning;
using DurableTask.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using QlikBackup.DevServices;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.DurableTask.Testing.Sidecar.Grpc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace QlikBackup.LocalHost.Durable;

/// <summary>
/// The Durable Task backend of the local host: the InProcessTestHost's gRPC sidecar (TaskHubGrpcServer) running on
/// DurableTask.AzureStorage against Azurite, the same provider and task-hub layout Azure Functions uses. Orchestration
/// state lives in Blob/Queue/Table storage, so it survives a restart of this process.
/// </summary>
public sealed class AzureStorageSidecar : IAsyncDisposable
{
    readonly WebApplication host;

    readonly SidecarOrchestrationService service;

    AzureStorageSidecar(WebApplication host, GrpcChannel channel, SidecarOrchestrationService service)
    {
        this.host = host;
        this.service = service;
        Channel = channel;
    }

    public GrpcChannel Channel { get; }

    public static async Task<AzureStorageSidecar> StartAsync(
        string storageConnectionString, string taskHubName, int maxConcurrentActivities, ILoggerFactory loggerFactory, CancellationToken ct = default)
    {
        var settings = new AzureStorageOrchestrationServiceSettings
        {
            StorageAccountClientProvider = new StorageAccountClientProvider(storageConnectionString),
            TaskHubName = taskHubName,
            PartitionCount = 4,
            MaxConcurrentTaskActivityWorkItems = maxConcurrentActivities,
            MaxConcurrentTaskOrchestrationWorkItems = 8,
            // The default 30 s idle back-off would make every fan-out step of a short local run wait.
            MaxQueuePollingInterval = TimeSpan.FromSeconds(1),
            LoggerFactory = loggerFactory,
            CustomMessageTypeBinder = new ProtobufMapTypeBinder(),
            // Crash recovery within a minute (host.json sets the same): a killed host's dequeued messages reappear after 30 s
            // instead of 5 min, and a restarted host retries the app lease every 15 s instead of every 5 min. Long
            // activities are unaffected: SidecarOrchestrationService renews the message of an activity still running.
            ControlQueueVisibilityTimeout = TimeSpan.FromSeconds(30),
            WorkItemQueueVisibilityTimeout = TimeSpan.FromSeconds(30),
            AppLeaseOptions = new AppLeaseOptions { AcquireInterval = TimeSpan.FromSeconds(15), LeaseInterval = TimeSpan.FromSeconds(30), RenewInterval = TimeSpan.FromSeconds(10) },
        };
        var provider = new AzureStorageOrchestrationService(settings);
        await provider.CreateIfNotExistsAsync();
        var service = new SidecarOrchestrationService(provider, settings.WorkItemQueueVisibilityTimeout, loggerFactory.CreateLogger<SidecarOrchestrationService>());

        int port = LoopbackPort.Free();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, o => o.Protocols = HttpProtocols.Http2));
        // The sidecar is ours and local: let its failures reach the client with their message.
        builder.Services.AddGrpc(o => o.EnableDetailedErrors = true);
        builder.Services.AddSingleton<IOrchestrationService>(service);
        builder.Services.AddSingleton<IOrchestrationServiceClient>(provider);
        builder.Services.AddSingleton<TaskHubGrpcServer>();
        WebApplication app = builder.Build();
        app.MapGrpcService<TaskHubGrpcServer>();
        await app.StartAsync(ct);

        return new AzureStorageSidecar(app, GrpcChannel.ForAddress($"http://127.0.0.1:{port}"), service);
    }

    public async ValueTask DisposeAsync()
    {
        await Channel.ShutdownAsync();
        Channel.Dispose();
        // Stopping the host makes the sidecar stop the provider on its own; this joins that one stop (or makes it, if no
        // worker ever connected), so the process never exits with a stop half done.
        await host.StopAsync();
        await service.StopAsync(isForced: true);
        await host.DisposeAsync();
    }
}
