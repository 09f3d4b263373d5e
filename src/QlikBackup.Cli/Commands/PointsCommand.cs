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
        var owner = new Option<string?>("--owner") { Description = "Owner: a user id, or a user's name as backed up.", HelpName = "user" };
        var space = new Option<string?>("--space") { Description = "Space: an id, or a space's name as backed up.", HelpName = "space" };
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
        var all = new Option<bool>("--all") { Description = "Every matching point: follow the pages (--take points each) to the end." };
        var command = new Command("points", "Search recovery points.") { name, owner, space, kind, asset, from, to, take, all };
        host.SetAction(command, async (ctx, ct) =>
        {
            string? ownerId = await ResolveAsync(ctx, ctx.Get(owner), "User", "--owner", ct);
            string? spaceId = await ResolveAsync(ctx, ctx.Get(space), "Space", "--space", ct);
            var query = new PointQuery(ctx.Get(kind), ctx.Get(asset), ctx.Get(name), ownerId, spaceId, ctx.Get(from), ctx.Get(to), ctx.Get(take));
            ApiResponse<IReadOnlyList<RecoveryPoint>> points = await ctx.Terminal.BusyAsync("Searching recovery points", () => ctx.Api.SearchPointsAsync(query, ct));
            if (ctx.Get(all))
            {
                points = await AllPagesAsync(ctx, query, points, ct);
            }

            ctx.Show(points, PointsRenderer.Render);
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The first page and every following one (X-Continuation), as one list and one JSON array.</summary>
    static async Task<ApiResponse<IReadOnlyList<RecoveryPoint>>> AllPagesAsync(
        CommandContext ctx, PointQuery query, ApiResponse<IReadOnlyList<RecoveryPoint>> first, CancellationToken ct)
    {
        var points = new List<RecoveryPoint>(first.Value);
        var json = new System.Text.Json.Nodes.JsonArray();
        void AddJson(string text)
        {
            foreach (var node in System.Text.Json.Nodes.JsonNode.Parse(text)!.AsArray())
            {
                json.Add(node?.DeepClone());
            }
        }

        AddJson(first.Json);
        for (string? next = first.Continuation; next is not null;)
        {
            var page = await ctx.Api.SearchPointsAsync(query with { Continuation = next }, ct);
            points.AddRange(page.Value);
            AddJson(page.Json);
            next = page.Continuation;
        }

        return new ApiResponse<IReadOnlyList<RecoveryPoint>>(points, json.ToJsonString());
    }

    /// <summary>
    /// An id as given, or the id of the one backed-up user or space with that exact name (its recovery points know it).
    /// Several with that name are an error listing their ids.
    /// </summary>
    static async Task<string?> ResolveAsync(CommandContext ctx, string? value, string kind, string option, CancellationToken ct)
    {
        if (value is null || LooksLikeId(value))
        {
            return value;
        }

        var found = await ctx.Api.SearchPointsAsync(new PointQuery(Kind: kind, Name: value, Take: 1000), ct);
        var ids = found.Value.Where(p => string.Equals(p.Name, value, StringComparison.OrdinalIgnoreCase) && p.AssetId is not null)
            .Select(p => p.AssetId!).Distinct().ToList();
        return ids switch
        {
            [string id] => id,
            // No such name: then it is an id (Qlik ids are not only hex or GUIDs).
            [] => value,
            _ => throw new ApiProblemException(System.Net.HttpStatusCode.Conflict, $"Several {kind.ToLowerInvariant()}s are named '{value}'",
                $"Pass one of their ids to {option}: {string.Join(", ", ids)}."),
        };
    }

    /// <summary>Qlik ids: 24 hex digits (users, spaces) or a GUID.</summary>
    static bool LooksLikeId(string value) =>
        (value.Length == 24 && value.All(char.IsAsciiHexDigit)) || Guid.TryParse(value, out _);
}
