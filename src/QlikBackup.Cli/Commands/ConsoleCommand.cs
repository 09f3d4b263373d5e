using System.CommandLine;
using Spectre.Console;

namespace QlikBackup.Cli.Commands;

/// <summary>console: the URL of the recovery console (GET /api/console), with the key as ?code= since a browser cannot send a header.</summary>
public static class ConsoleCommand
{
    public static Command Create(CommandHost host)
    {
        var command = new Command("console", "Print the recovery console's URL (with the API key as ?code=) to open in a browser.");
        host.SetAction(command, (ctx, ct) =>
        {
            string key = ctx.Connection.FunctionKey is { Length: > 0 } k ? "?code=" + Uri.EscapeDataString(k) : "";
            ctx.Terminal.Out.WriteLine(new Uri(ctx.Connection.BaseAddress, "api/console") + key);
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }
}
