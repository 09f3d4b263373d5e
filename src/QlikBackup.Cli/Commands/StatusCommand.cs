using System.CommandLine;
using QlikBackup.Cli.Rendering;

namespace QlikBackup.Cli.Commands;

/// <summary>status: GET /api/status. Exit code 3 when any tier's RPO is breached, so a scheduler can alert on it.</summary>
public static class StatusCommand
{
    public static Command Create(CommandHost host)
    {
        var command = new Command("status", "Per tier: last run, last clean run, and whether the RPO is breached (exit code 3 if so); deleted apps and spaces restored as a new id.");
        host.SetAction(command, async (ctx, ct) =>
        {
            var status = await ctx.Terminal.BusyAsync("Reading status", () => ctx.Api.GetStatusAsync(ct));
            ctx.Show(status, StatusRenderer.Render);
            return status.Value.RpoBreached ? ExitCodes.RpoBreached : ExitCodes.Ok;
        });
        return command;
    }
}
