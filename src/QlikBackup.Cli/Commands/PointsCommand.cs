using System.CommandLine;
using QlikBackup.Cli.Api;
using QlikBackup.Cli.Rendering;

namespace QlikBackup.Cli.Commands;

/// <summary>points: GET /api/recovery-points, newest first.</summary>
public static class PointsCommand
{
    public static Command Create(CommandHost host)
    {
        var name = new Option<string?>("--name") { Description = "Asset name contains this text." };
        var owner = new Option<string?>("--owner") { Description = "Owner's user id.", HelpName = "userId" };
        var space = new Option<string?>("--space") { Description = "Space id.", HelpName = "spaceId" };
        var kind = new Option<string?>("--kind") { Description = "Asset kind: App, Space, ReloadTask, DataConnection, ..." };
        var asset = new Option<string?>("--asset") { Description = "Points of this one asset (its id).", HelpName = "assetId" };
        var from = new Option<DateTimeOffset?>("--from") { Description = "Captured at or after (ISO 8601, or an age like 7d).", CustomParser = TimeArguments.ParseTime, HelpName = "time" };
        var to = new Option<DateTimeOffset?>("--to") { Description = "Captured at or before (ISO 8601, or an age like 1h).", CustomParser = TimeArguments.ParseTime, HelpName = "time" };
        var take = new Option<int?>("--take") { HelpName = "count", Description = "At most this many points (1-1000; the API's default is 100)." };
        take.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int?>() is < 1 or > 1000)
            {
                r.AddError("--take must be from 1 to 1000.");
            }
        });
        var command = new Command("points", "Search recovery points.") { name, owner, space, kind, asset, from, to, take };
        host.SetAction(command, async (ctx, ct) =>
        {
            var query = new PointQuery(ctx.Get(kind), ctx.Get(asset), ctx.Get(name), ctx.Get(owner), ctx.Get(space), ctx.Get(from), ctx.Get(to), ctx.Get(take));
            ApiResponse<IReadOnlyList<RecoveryPoint>> points = await ctx.Terminal.BusyAsync("Searching recovery points", () => ctx.Api.SearchPointsAsync(query, ct));
            ctx.Show(points, PointsRenderer.Render);
            return ExitCodes.Ok;
        });
        return command;
    }
}
