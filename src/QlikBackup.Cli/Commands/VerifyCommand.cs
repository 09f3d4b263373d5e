using System.CommandLine;

namespace QlikBackup.Cli.Commands;

/// <summary>verify --point &lt;id&gt; | --asset &lt;id&gt; [--kind App] | --all [--wait]: POST /api/verify.</summary>
public static class VerifyCommand
{
    public static Command Create(CommandHost host)
    {
        var point = new Option<string?>("--point") { Description = "Verify this recovery point.", HelpName = "pointId" };
        var asset = new Option<string?>("--asset") { Description = "Verify every recovery point of this asset.", HelpName = "assetId" };
        var kind = new Option<string?>("--kind") { Description = "With --asset: the asset's kind (App, Space, …); default every kind.", HelpName = "kind" };
        var all = new Option<bool>("--all") { Description = "Verify every recovery point of the tenant." };
        var waiter = new OperationWaiter();
        var command = new Command("verify", "Re-read and authenticate every blob of a point, an asset or the whole store; with --wait, exit 4 if anything is missing or corrupt.")
        {
            point, asset, kind, all,
        };
        waiter.AddTo(command);
        command.Validators.Add(r =>
        {
            int given = (r.GetResult(point) is not null ? 1 : 0) + (r.GetResult(asset) is not null ? 1 : 0) + (r.GetValue(all) ? 1 : 0);
            if (given != 1)
            {
                r.AddError("Give exactly one of --point <pointId>, --asset <assetId> or --all.");
            }
            else if (r.GetResult(kind) is not null && r.GetResult(asset) is null)
            {
                r.AddError("--kind goes with --asset.");
            }
        });

        host.SetAction(command, async (ctx, ct) =>
        {
            var accepted = await ctx.Terminal.BusyAsync("Starting verify",
                () => ctx.Api.StartVerifyAsync(ctx.Get(point), ctx.Get(kind), ctx.Get(asset), ctx.Get(all), ct));
            return await waiter.StartedAsync(ctx, accepted, ct);
        });
        return command;
    }
}
