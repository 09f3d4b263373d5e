using System.Globalization;
using QlikBackup.Qlik.Simulator;
using QlikBackup.Qlik.Simulator.Seeding;

// Standalone simulated Qlik Cloud tenant:
//   dotnet run --project src/QlikBackup.Qlik.Simulator -- [--port N] [--seed demo|large] [--state <folder>] [--admin-key <token>]
var port = 0;
DemoTenantSpec? seed = null;
string? state = null, adminKey = null;
for (var i = 0; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
    switch (args[i])
    {
        case "--port": port = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--seed":
            seed = Next().ToLowerInvariant() switch
            {
                "demo" => DemoTenantSpec.Demo,
                "large" => DemoTenantSpec.Large,
                var other => throw new ArgumentException($"Unknown seed '{other}' (demo or large)."),
            };
            break;
        case "--state": state = Next(); break;
        case "--admin-key": adminKey = Next(); break;
        default:
            Console.Error.WriteLine($"Unknown argument '{args[i]}'. Usage: [--port N] [--seed demo|large] [--state <folder>] [--admin-key <token>]");
            return 2;
    }
}

await using var host = await QlikSimulatorHost.StartAsync(new SimulatorOptions
{
    Port = port, Seed = seed, StateFolder = state, AdminApiKey = adminKey, ConsoleLogLevel = LogLevel.Warning,
});
Console.WriteLine($"Qlik simulator listening on {host.BaseUrl}");
Console.WriteLine($"Admin API key: {host.AdminApiKey}");
using var stop = new CancellationTokenSource();
// Stop gracefully on Ctrl+C and SIGTERM so a --state folder is saved before exit.
using var onInt = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
using var onTerm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
try { await Task.Delay(Timeout.Infinite, stop.Token); }
catch (OperationCanceledException) { }
Console.WriteLine(state is null ? "Stopped." : $"Stopped; tenant saved to {state}.");
return 0;
