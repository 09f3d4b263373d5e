using System.CommandLine;
using System.Text.Json;
using QlikBackup.Cli.Rendering;
using Spectre.Console;

namespace QlikBackup.Cli.Commands;

public enum DrillScopeChoice { Sample, Space, Tier, Tenant }

/// <summary>drill start | list | show | clean-up: POST /api/drills, GET /api/drills, GET /api/drills/{id}, POST /api/drills/{id}/clean-up.</summary>
public static class DrillCommand
{
    public static Command Create(CommandHost host) => new("drill", "Recovery drills: restore into isolated drill spaces (or the whole tenant into the standby tenant), verify against the points, measure RTO.")
    {
        Start(host), List(host), Show(host), CleanUp(host),
    };

    static Command Start(CommandHost host)
    {
        var scope = new Option<DrillScopeChoice>("--scope") { Description = "Sample (seeded random apps of a tier), Space, Tier, or Tenant (the whole tenant into the server's empty standby tenant, Drill:Standby).", DefaultValueFactory = _ => DrillScopeChoice.Sample };
        var tier = new Option<TierChoice?>("--tier") { Description = "The tier drilled (Sample, Tier); its RTO objective applies." };
        var space = new Option<string?>("--space") { Description = "The space id (Space scope)." };
        var size = new Option<int?>("--sample-size") { Description = "How many apps a Sample restores (default: the server's Drill:SampleSize)." };
        var seed = new Option<int?>("--seed") { Description = "Seed of a Sample, to re-run a reported drill exactly." };
        var keep = new Option<bool>("--keep-standby") { Description = "Tenant scope: keep the rebuild in the standby tenant for inspection instead of emptying it after the checks (the next Tenant drill is refused until it is emptied)." };
        var waiter = new OperationWaiter();
        var command = new Command("start", "Start a drill.") { scope, tier, space, size, seed, keep };
        waiter.AddTo(command);
        host.SetAction(command, async (ctx, ct) =>
        {
            var body = new { scope = ctx.Get(scope).ToString(), tier = ctx.Get(tier)?.ToString(), spaceId = ctx.Get(space), sampleSize = ctx.Get(size), seed = ctx.Get(seed), keepStandby = ctx.Get(keep) };
            var accepted = await ctx.Terminal.BusyAsync("Starting drill", () => ctx.Api.StartDrillAsync(body, ct));
            return await waiter.StartedAsync(ctx, accepted, ct);
        });
        return command;
    }

    static Command List(CommandHost host)
    {
        var take = new Option<int?>("--take") { Description = "How many drills (newest first)." };
        var command = new Command("list", "Drills, newest first, with their headline.") { take };
        host.SetAction(command, async (ctx, ct) =>
        {
            var answer = await ctx.Terminal.BusyAsync("Listing drills", () => ctx.Api.ListDrillsAsync(ctx.Get(take), ct));
            ctx.Show(answer, (console, drills) =>
            {
                if (drills.Count == 0)
                {
                    console.MarkupLine("No drills yet.");
                    return;
                }

                foreach (var d in drills)
                {
                    console.MarkupLine($"{Format.Text(d.DrillId)}  {d.StartedAt:u}  {(d.Scope == "Tenant" ? "Tenant (into the standby)" : $"{d.Scope} {d.Tier}")}  {(d.Passed ? "[green]passed[/]" : "[red]failed[/]")}  {Format.Text(d.Headline)}");
                }
            });
            return ExitCodes.Ok;
        });
        return command;
    }

    static Command Show(CommandHost host)
    {
        var id = new Argument<string>("id") { Description = "The drill id (its operation id)." };
        var command = new Command("show", "A drill's report: headline, then per asset the point, result and differences.") { id };
        host.SetAction(command, async (ctx, ct) =>
        {
            var answer = await ctx.Terminal.BusyAsync("Reading report", () => ctx.Api.GetDrillAsync(ctx.Get(id)!, ct));
            ctx.Show(answer, Render);
            return answer.Value.TryGetProperty("passed", out var passed) && passed.GetBoolean() ? ExitCodes.Ok : ExitCodes.DrillFailed;
        });
        return command;
    }

    static Command CleanUp(CommandHost host)
    {
        var id = new Argument<string>("id") { Description = "The Tenant drill whose clean-up is run again (its drill id)." };
        var waiter = new OperationWaiter();
        var command = new Command("clean-up",
            "Run a finished Tenant drill's clean-up again: empty the standby kept with --keep-standby, or remove what an earlier clean-up left behind (exactly what that drill added).") { id };
        waiter.AddTo(command);
        host.SetAction(command, async (ctx, ct) =>
        {
            var accepted = await ctx.Terminal.BusyAsync("Starting clean-up", () => ctx.Api.StartDrillCleanUpAsync(ctx.Get(id)!, ct));
            return await waiter.StartedAsync(ctx, accepted, ct);
        });
        return command;
    }

    static void Render(IAnsiConsole console, JsonElement report)
    {
        bool passed = report.GetProperty("passed").GetBoolean();
        console.MarkupLine($"{(passed ? "[green]PASSED[/]" : "[red]FAILED[/]")}: {Format.Text(report.GetProperty("headline").GetString())}");
        if (report.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.String)
        {
            console.MarkupLine($"[red]{Format.Text(error.GetString())}[/]");
        }

        foreach (var a in report.GetProperty("assets").EnumerateArray())
        {
            var asset = a.GetProperty("asset");
            console.MarkupLine($"{Format.Text(asset.GetProperty("name").GetString())}  point {Format.Text(asset.GetProperty("pointId").GetString())}  {Format.Text(a.GetProperty("result").GetString())}");
            if (a.TryGetProperty("fidelity", out var f) && f.ValueKind == JsonValueKind.Object)
            {
                foreach (var d in f.GetProperty("differences").EnumerateArray())
                {
                    console.MarkupLine($"  {Format.Text(d.GetProperty("object").GetString())} / {Format.Text(d.GetProperty("attribute").GetString())}: expected {Format.Text(d.GetProperty("expected").ToString())}, found {Format.Text(d.GetProperty("actual").ToString())}");
                }
            }

            foreach (var c in a.GetProperty("checklist").EnumerateArray())
            {
                console.MarkupLine($"  checklist: {Format.Text(c.GetString())}");
            }
        }

        var cleanup = report.GetProperty("cleanup");
        if (cleanup.TryGetProperty("kept", out var kept) && kept.ValueKind == JsonValueKind.String)
        {
            console.MarkupLine($"[yellow]kept[/] {Format.Text(kept.GetString())}");
        }

        console.MarkupLine($"clean-up: {cleanup.GetProperty("removed").GetArrayLength()} removed, {cleanup.GetProperty("leftBehind").GetArrayLength()} left behind");
        foreach (var left in cleanup.GetProperty("leftBehind").EnumerateArray())
        {
            console.MarkupLine($"[red]left behind[/] {Format.Text(left.GetString())}");
        }

        if (report.TryGetProperty("cleanUps", out var runs) && runs.ValueKind == JsonValueKind.Array)
        {
            foreach (var run in runs.EnumerateArray())
            {
                var c = run.GetProperty("cleanup");
                console.MarkupLine($"clean-up run again {Format.Text(run.GetProperty("operationId").GetString())} by {Format.Text(run.GetProperty("operator").GetString())}: {c.GetProperty("removed").GetArrayLength()} removed, {c.GetProperty("leftBehind").GetArrayLength()} left behind");
                foreach (var left in c.GetProperty("leftBehind").EnumerateArray())
                {
                    console.MarkupLine($"[red]left behind[/] {Format.Text(left.GetString())}");
                }
            }
        }
    }
}
