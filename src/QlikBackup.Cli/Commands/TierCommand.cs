using System.CommandLine;
using QlikBackup.Cli.Rendering;
using Spectre.Console;

namespace QlikBackup.Cli.Commands;

/// <summary>tier set &lt;spaceId&gt; &lt;T1|T2|T3&gt; (PUT /api/spaces/{spaceId}/tier) and tier list (GET /api/spaces/tiers).</summary>
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
        var list = new Command("list", "The spaces assigned to a tier, and the default tier of all others.");
        host.SetAction(list, async (ctx, ct) =>
        {
            var tiers = await ctx.Terminal.BusyAsync("Reading tiers", () => ctx.Api.ListSpaceTiersAsync(ct));
            ctx.Show(tiers, (console, t) =>
            {
                Table table = Format.NewTable("Space", "Tier");
                foreach (var (space, spaceTier) in (t.Spaces ?? new Dictionary<string, string>()).OrderBy(kv => kv.Value).ThenBy(kv => kv.Key))
                {
                    table.AddRow(Format.Text(space), Format.Text(spaceTier));
                }

                console.Write(table);
                console.MarkupLine($"Every other space is in tier [bold]{Format.Text(t.DefaultTier)}[/].");
            });
            return ExitCodes.Ok;
        });
        return new Command("tier", "Space RPO tiers.") { set, list };
    }
}
