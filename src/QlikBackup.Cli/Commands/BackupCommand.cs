using System.CommandLine;

namespace QlikBackup.Cli.Commands;

/// <summary>backup --tier T1 | --app &lt;id&gt; [--space &lt;id&gt;] [--wait]: POST /api/backups.</summary>
public static class BackupCommand
{
    public static Command Create(CommandHost host)
    {
        var tier = new Option<TierChoice?>("--tier") { Description = "Back up every space of this tier now." };
        var app = new Option<string?>("--app") { Description = "Back up this one app now (its id).", HelpName = "appId" };
        var space = new Option<string?>("--space") { Description = "With --app: the app's space id (saves a lookup).", HelpName = "spaceId" };
        var waiter = new OperationWaiter();
        var command = new Command("backup", "Start a backup now: a whole tier, or one app.") { tier, app, space };
        waiter.AddTo(command);
        command.Validators.Add(r =>
        {
            bool hasTier = r.GetResult(tier) is not null;
            bool hasApp = r.GetResult(app) is not null;
            if (hasTier == hasApp)
            {
                r.AddError("Give either --tier <T1|T2|T3> (a whole tier) or --app <appId> (one app).");
            }
            else if (r.GetResult(space) is not null && !hasApp)
            {
                r.AddError("--space goes with --app.");
            }
        });

        host.SetAction(command, async (ctx, ct) =>
        {
            var accepted = ctx.Get(app) is { } appId
                ? await ctx.Terminal.BusyAsync("Starting backup", () => ctx.Api.StartAssetBackupAsync("App", appId, ctx.Get(space), null, ct))
                : await ctx.Terminal.BusyAsync("Starting backup", () => ctx.Api.StartTierBackupAsync(ctx.Get(tier)!.Value.ToString(), ct));
            return await waiter.StartedAsync(ctx, accepted, ct);
        });
        return command;
    }
}
