using System.CommandLine;
using QlikBackup.LocalHost.Demo;

// The local host: runs QlikBackup's orchestrations and HTTP API without Azure Functions.
var root = new RootCommand("QlikBackup local host: Azurite + Durable Task (Azure Storage provider) + the Functions' orchestrations.");

var apps = new Option<int>("--apps") { Description = "Apps per space in the simulated demo tenant.", DefaultValueFactory = _ => 2 };
var keep = new Option<bool>("--keep-data") { Description = "Keep Azurite's data folder after the run (for inspection)." };
var verbose = new Option<bool>("--verbose") { Description = "Log the host's warnings and errors (activity failures, retries) to the console." };
var demo = new Command("demo", "Full local cycle: start Azurite and a simulated demo tenant, capture every tier, delete an app, restore it, verify it is byte-identical, stop.")
{
    apps, keep, verbose,
};
demo.SetAction((parse, ct) => DemoCycle.RunAsync(new DemoCycleOptions(parse.GetValue(apps), parse.GetValue(keep), parse.GetValue(verbose)), ct));
root.Subcommands.Add(demo);

var minutes = new Option<int>("--minutes") { Description = "Stop after this many minutes (0 = until Ctrl+C).", DefaultValueFactory = _ => 0 };
var data = new Option<string?>("--data") { Description = "Keep everything (storage, tenant, keys) in this folder and start on it again next time.", HelpName = "DIR" };
var serve = new Command("serve", "Start Azurite, the simulated demo tenant and the HTTP API, and keep serving (for the CLI).") { minutes, data };
serve.SetAction((parse, ct) => ServeCommand.RunAsync(parse.GetValue(minutes), parse.GetValue(data), ct));
root.Subcommands.Add(serve);

return await root.Parse(args).InvokeAsync();
