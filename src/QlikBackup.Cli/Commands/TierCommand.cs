using System.CommandLine;
using QlikBackup.Cli.Rendering;
using Spectre.Console;

namespace QlikBackup.Cli.Commands;

/// <summary>tier set &lt;spaceId&gt; &lt;T1|T2|T3&gt;: PUT /api/spaces/{spaceId}/tier.</summary>
public static class TierCommand
{
    public static Command Create(CommandHost host)
    {
        var spaceId = new Argument<string>("spaceId") { Description = "The Qlik space id." };
        var tier = new Argument<TierChoice>("tier") { Description = "T1 (minutes), T2 (under an hour) or T3 (daily)." };
        var set = new Command("set", "Assign a space to an RPO tier.") { spaceId, tier };
        host.SetAction(set, async (ctx, ct) =>
        {
            string space = ctx.Get(spaceId)!;
            string t = ctx.Get(tier).ToString();
            var answer = await ctx.Terminal.BusyAsync("Setting tier", () => ctx.Api.SetSpaceTierAsync(space, t, ct));
            ctx.Show(answer, (console, _) => console.MarkupLine($"Space [bold]{Format.Text(space)}[/] is now in tier [bold]{t}[/]."));
            return ExitCodes.Ok;
        });
        return new Command("tier", "Space RPO tiers.") { set };
    }
}
