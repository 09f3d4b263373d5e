using System.CommandLine;

namespace QlikBackup.Cli.Commands;

/// <summary>drill [--tier] [--wait]: POST /api/drills, a restore drill into a validation space.</summary>
public static class DrillCommand
{
    public static Command Create(CommandHost host)
    {
        var tier = new Option<TierChoice?>("--tier") { Description = "Drill on a sample of this tier's points (default: the server's choice)." };
        var waiter = new OperationWaiter();
        var command = new Command("drill", "Run a restore drill: restore sample points into a validation space and verify them.") { tier };
        waiter.AddTo(command);
        host.SetAction(command, async (ctx, ct) =>
        {
            var accepted = await ctx.Terminal.BusyAsync("Starting drill", () => ctx.Api.StartDrillAsync(ctx.Get(tier)?.ToString(), ct));
            return await waiter.StartedAsync(ctx, accepted, ct);
        });
        return command;
    }
}
