using System.Runtime.InteropServices;
using Microsoft.Extensions.DependencyInjection;
using QlikBackup.Core.Assets;
using QlikBackup.Core.Capture;
using QlikBackup.Qlik.Contracts;
using Spectre.Console;

namespace QlikBackup.LocalHost.Demo;

/// <summary>Keeps a local environment up so the CLI (or curl) can drive the HTTP API.</summary>
public static class ServeCommand
{
    /// <param name="dataFolder">Persistent folder (data, tenant, secrets) to start on again later; null = a throw-away one.</param>
    public static async Task<int> RunAsync(int minutes, string? dataFolder, CancellationToken ct)
    {
        // SIGTERM (docker stop, systemd, kill) and SIGINT stop at once and cleanly: the host, the tenant and Azurite.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using PosixSignalRegistration term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        using PosixSignalRegistration interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });

        var spec = Qlik.Simulator.Seeding.DemoTenantSpec.Demo;
        await using LocalEnvironment env = dataFolder is null
            ? await LocalEnvironment.StartAsync(spec, keepData: false, logs: null, stop.Token)
            : await LocalEnvironment.StartPersistentAsync(spec, dataFolder, logs: null, stop.Token);
        await AssignTiersAsync(env.Host.Services, stop.Token);

        string? key = dataFolder is null ? null : LocalSecrets.LoadOrCreate(env.DataFolder).ApiKey;
        // One value per line, so a script can pick any of them with grep/cut.
        Console.WriteLine($"QLIKBACKUP_URL={env.Host.ApiBaseUrl}");
        Console.WriteLine($"QLIKBACKUP_KEY={key}");
        Console.WriteLine($"OpenAPI: {env.Host.ApiBaseUrl}api/openapi.json");
        Console.WriteLine($"Console: {env.Host.ApiBaseUrl}api/console{(key is null ? "" : "?code=" + key)}");
        Console.WriteLine($"Webhook URL: {env.Host.ApiBaseUrl}api/webhooks/qlik");
        Console.WriteLine($"Webhook secret: {env.WebhookSecret}");
        Console.WriteLine($"Simulated tenant: {env.Tenant.BaseUrl}");
        Console.WriteLine($"Tenant admin API key: {env.Tenant.AdminApiKey}");
        Console.WriteLine($"Data folder: {env.DataFolder}{(dataFolder is null ? " (deleted on stop)" : "")}");
        AnsiConsole.MarkupLine("[grey]Press Ctrl+C (or send SIGTERM) to stop.[/]");
        try
        {
            await Task.Delay(minutes > 0 ? TimeSpan.FromMinutes(minutes) : Timeout.InfiniteTimeSpan, stop.Token);
        }
        catch (OperationCanceledException)
        {
        }

        AnsiConsole.MarkupLine("[grey]Stopping...[/]");
        return 0;
    }

    /// <summary>As the demo does: the tenant's spaces spread over T1, T2 and T3, unless tiers were assigned already (a restart).</summary>
    public static async Task AssignTiersAsync(IServiceProvider services, CancellationToken ct)
    {
        var tiers = services.GetRequiredService<ISpaceTierStore>();
        if ((await tiers.GetAllAsync(ct)).Count > 0)
        {
            return;
        }

        var spaces = new List<string>();
        await foreach (var space in services.GetRequiredService<IQlikRestClient>().ListSpacesAsync(ct))
        {
            spaces.Add(space.Id);
        }

        for (int i = 0; i < spaces.Count; i++)
        {
            await tiers.SetAsync(spaces[i], (Tier)(i % 3 + 1), ct);
        }
    }
}
