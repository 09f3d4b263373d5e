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
        command.Subcommands.Add(Spaces(host));
        return command;
    }

    /// <summary>status spaces: GET /api/status/spaces, the recovery console's heat map as a table; exit 3 when a space is behind.</summary>
    static Command Spaces(CommandHost host)
    {
        var command = new Command("spaces", "Per space: its tier, when it was last protected, and whether its tier's RPO is breached (exit code 3 if so).");
        host.SetAction(command, async (ctx, ct) =>
        {
            var status = await ctx.Terminal.BusyAsync("Reading space status", () => ctx.Api.GetSpaceStatusAsync(ct));
            ctx.Show(status, StatusRenderer.RenderSpaces);
            return status.Value.Spaces?.Any(s => s.RpoBreached) == true ? ExitCodes.RpoBreached : ExitCodes.Ok;
        });
        return command;
    }
}
