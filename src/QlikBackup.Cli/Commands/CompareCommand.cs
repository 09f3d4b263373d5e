using System.CommandLine;
using QlikBackup.Cli.Rendering;

namespace QlikBackup.Cli.Commands;

/// <summary>compare &lt;pointA&gt; (&lt;pointB&gt; | --live): GET /api/compare.</summary>
public static class CompareCommand
{
    public static Command Create(CommandHost host)
    {
        var pointA = new Argument<string>("pointA") { Description = "The older recovery point." };
        var pointB = new Argument<string?>("pointB") { Description = "The newer recovery point.", Arity = ArgumentArity.ZeroOrOne };
        var live = new Option<bool>("--live") { Description = "Compare pointA with the asset as it is now in Qlik." };
        var command = new Command("compare", "What changed between two recovery points of one asset, or between a point and the live asset.")
        {
            pointA, pointB, live,
        };
        command.Validators.Add(r =>
        {
            if ((r.GetResult(pointB) is { Tokens.Count: > 0 }) == (r.GetResult(live) is not null))
            {
                r.AddError("Give a second point, or --live to compare with the live asset.");
            }
        });
        host.SetAction(command, async (ctx, ct) =>
        {
            var diff = await ctx.Terminal.BusyAsync("Comparing", () => ctx.Api.CompareAsync(ctx.Get(pointA)!, ctx.Get(live) ? null : ctx.Get(pointB), ct));
            ctx.Show(diff, ComparisonRenderer.Render);
            return ExitCodes.Ok;
        });
        return command;
    }
}
