using System.CommandLine;
using QlikBackup.Cli.Api;
using QlikBackup.Cli.Rendering;
using Spectre.Console;

namespace QlikBackup.Cli.Commands;

/// <summary>point &lt;pointId&gt; (GET /api/recovery-points/{id}) and history &lt;kind&gt; &lt;assetId&gt; (GET /api/assets/{kind}/{id}/history).</summary>
public static class HistoryCommands
{
    public static Command Point(CommandHost host)
    {
        var pointId = new Argument<string>("pointId") { Description = "A recovery point id (see `qlikbackup points`)." };
        var command = new Command("point", "Show one recovery point.") { pointId };
        host.SetAction(command, async (ctx, ct) =>
        {
            ApiResponse<RecoveryPoint> point = await ctx.Terminal.BusyAsync("Reading the point", () => ctx.Api.GetPointAsync(ctx.Get(pointId)!, ct));
            ctx.Show(point, (console, p) => PointsRenderer.Render(console, [p]));
            return ExitCodes.Ok;
        });
        return command;
    }

    public static Command History(CommandHost host)
    {
        var kind = new Argument<string>("kind") { Description = "Asset kind: App, Space, ReloadTask, DataConnection, ..." };
        var assetId = new Argument<string>("assetId") { Description = "The asset's id." };
        var take = new Option<int?>("--take") { HelpName = "count", Description = "At most this many points (1-1000; default 50)." };
        var command = new Command("history", "An asset's recovery points, newest first, with who changed it before each.") { kind, assetId, take };
        host.SetAction(command, async (ctx, ct) =>
        {
            var points = await ctx.Terminal.BusyAsync("Reading history", () => ctx.Api.GetHistoryAsync(ctx.Get(kind)!, ctx.Get(assetId)!, ctx.Get(take), ct));
            ctx.Show(points, PointsRenderer.Render);
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>promote &lt;validationAppId&gt; (--production &lt;appId&gt; | --space &lt;spaceId&gt;): POST /api/promotions.</summary>
    public static Command Promote(CommandHost host)
    {
        var app = new Argument<string>("validationAppId") { Description = "The app restored into a validation space and checked." };
        var production = new Option<string?>("--production") { Description = "The production app to replace (or republish over).", HelpName = "appId" };
        var space = new Option<string?>("--space") { Description = "A space without a production copy to put the app into.", HelpName = "spaceId" };
        var command = new Command("promote", "Promote a validated app into production.") { app, production, space };
        command.Validators.Add(r =>
        {
            if ((r.GetResult(production) is null) == (r.GetResult(space) is null))
            {
                r.AddError("Give --production <appId> (the app to replace) or --space <spaceId> (where to put it).");
            }
        });
        host.SetAction(command, async (ctx, ct) =>
        {
            var result = await ctx.Terminal.BusyAsync("Promoting", () => ctx.Api.PromoteAsync(ctx.Get(app)!, ctx.Get(production), ctx.Get(space), ct));
            ctx.Show(result, (console, r) =>
            {
                console.MarkupLine($"Promoted into [bold]{Format.Text(r.ProductionAppId)}[/] ({Format.Text(r.Method)}).");
                foreach (string change in r.Changes ?? [])
                {
                    console.MarkupLine($"  {Markup.Escape(change)}");
                }
            });
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>openapi: GET /api/openapi.json, the API's description (always JSON).</summary>
    public static Command OpenApi(CommandHost host)
    {
        var command = new Command("openapi", "Print the API's OpenAPI 3.1 document.");
        host.SetAction(command, async (ctx, ct) =>
        {
            var doc = await ctx.Api.GetOpenApiDocumentAsync(ct);
            ctx.Terminal.WriteJson(doc.Json);
            return ExitCodes.Ok;
        });
        return command;
    }
}
