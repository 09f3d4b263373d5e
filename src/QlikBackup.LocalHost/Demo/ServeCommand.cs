using Spectre.Console;

namespace QlikBackup.LocalHost.Demo;

/// <summary>Keeps a local environment up so the CLI (or curl) can drive the HTTP API.</summary>
public static class ServeCommand
{
    public static async Task<int> RunAsync(int minutes, CancellationToken ct)
    {
        await using LocalEnvironment env = await LocalEnvironment.StartAsync(
            Qlik.Simulator.Seeding.DemoTenantSpec.Demo, keepData: false, logs: null, ct);
        AnsiConsole.MarkupLine($"HTTP API: [green]{env.Host.ApiBaseUrl}api/[/]  (set QLIKBACKUP_URL to it for the CLI)");
        AnsiConsole.MarkupLine($"Simulated tenant: {env.Tenant.BaseUrl}  admin API key: {Markup.Escape(env.Tenant.AdminApiKey)}");
        AnsiConsole.MarkupLine("Press Ctrl+C to stop.");
        try
        {
            await Task.Delay(minutes > 0 ? TimeSpan.FromMinutes(minutes) : Timeout.InfiniteTimeSpan, ct);
        }
        catch (OperationCanceledException)
        {
        }

        return 0;
    }
}
