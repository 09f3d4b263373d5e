using System.Globalization;
using System.Text.Json.Nodes;
using QlikBackup.Qlik.Simulator.Model;

namespace QlikBackup.Qlik.Simulator.Api;

/// <summary>/api/v1/audits: every change the simulator records, filterable as Qlik's audit service (TenantAdmin only).</summary>
public static class AuditsApi
{
    private static readonly PageSpec ListPaging = new(CursorStyle.Next, 10, 100);

    public static JsonObject Present(HttpRequest request, SimAuditEvent e) => new()
    {
        ["id"] = e.Id,
        ["eventId"] = e.EventId,
        ["eventType"] = e.EventType,
        ["eventTypeVersion"] = e.EventTypeVersion,
        ["eventTime"] = Http.Fmt(e.EventTime),
        ["source"] = e.Source,
        ["userId"] = e.UserId,
        ["tenantId"] = e.TenantId,
        ["contentType"] = e.ContentType,
        ["data"] = e.Data.DeepClone(),
        ["extensions"] = e.Extensions.DeepClone(),
        ["links"] = request.SelfLink($"/api/v1/audits/{e.Id}"),
    };

    public static void Map(WebApplication app)
    {
        app.MapGet("/api/v1/audits", List);
        app.MapGet("/api/v1/audits/types", (HttpContext ctx, SimulatedTenant t) => Names(ctx, t, s => EventTypes.All.Select(e => e.Name).Concat(s.Audits.Select(a => a.EventType))));
        app.MapGet("/api/v1/audits/sources", (HttpContext ctx, SimulatedTenant t) => Names(ctx, t, s => s.Audits.Select(a => a.Source)));
        app.MapGet("/api/v1/audits/settings", (HttpContext ctx, SimulatedTenant t) =>
        {
            t.Read(s => { s.RequireAdmin(ctx.Actor()); return 0; });
            return Http.Json(new JsonObject { ["data"] = new JsonObject { ["EventTTL"] = 90, ["ArchiveEnabled"] = false } });
        });
        app.MapGet("/api/v1/audits/{id}", (HttpContext ctx, SimulatedTenant t, string id) => Http.Json(t.Read(s =>
        {
            s.RequireAdmin(ctx.Actor());
            return Present(ctx.Request, s.Audits.FirstOrDefault(a => a.Id == id) ?? throw QlikApiException.NotFound("Audit event", id));
        })));
    }

    private static IResult Names(HttpContext ctx, SimulatedTenant t, Func<TenantState, IEnumerable<string>> names)
    {
        var list = t.Read(s =>
        {
            s.RequireAdmin(ctx.Actor());
            return names(s).Distinct().Order(StringComparer.Ordinal).Select(n => (JsonNode)n).ToArray();
        });
        return Http.Json(new JsonObject { ["data"] = new JsonArray(list), ["links"] = ctx.Request.SelfLink(ctx.Request.Path) });
    }

    private static IResult List(HttpContext ctx, SimulatedTenant t)
    {
        var q = ctx.Request;
        var (from, to) = ParseInterval(q.Query("eventTime"));
        var types = q.Query("eventType")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var sort = q.Query("sort") ?? "-eventTime";
        if (sort.TrimStart('+', '-') is not ("eventTime" or "source" or "eventType"))
            throw QlikApiException.BadRequest("'sort' must be eventTime, source or eventType (optionally prefixed by + or -).");
        var (rows, page) = t.Read(s =>
        {
            s.RequireAdmin(ctx.Actor());
            // Ties on eventTime keep insertion order, so paging is stable while new events arrive.
            var ordered = s.Audits.Select((e, i) => (e, i));
            var all = ordered
                .Where(x => types is null || types.Contains(x.e.EventType))
                .Where(x => JsonResourcesApi.Matches(q, "source", x.e.Source) && JsonResourcesApi.Matches(q, "userId", x.e.UserId) && JsonResourcesApi.Matches(q, "id", x.e.Id))
                .Where(x => (from is null || x.e.EventTime >= from) && (to is null || x.e.EventTime <= to))
                .SortBy(sort, new Dictionary<string, Func<(SimAuditEvent e, int i), IComparable?>>
                {
                    ["eventTime"] = x => (x.e.EventTime, x.i), ["source"] = x => (x.e.Source, x.i), ["eventType"] = x => (x.e.EventType, x.i),
                })
                .Select(x => x.e)
                .ToList();
            var p = Paging.Paginate(q, all, ListPaging, e => e.Id);
            return (p.Items.Select(e => (JsonNode)Present(q, e)).ToArray(), p);
        });
        return Http.Json(new JsonObject { ["data"] = new JsonArray(rows), ["links"] = page.Links });
    }

    /// <summary>ISO 8601 interval "start/end"; either side may be empty.</summary>
    private static (DateTimeOffset? From, DateTimeOffset? To) ParseInterval(string? raw)
    {
        if (raw is null) return (null, null);
        var parts = raw.Split('/');
        if (parts.Length != 2) throw QlikApiException.BadRequest("'eventTime' must be an interval 'start/end' (ISO 8601; either side may be empty).");
        return (Parse(parts[0]), Parse(parts[1]));

        static DateTimeOffset? Parse(string s)
            => s.Length == 0 ? null
                : DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var d) ? d
                : throw QlikApiException.BadRequest($"Invalid time '{s}' in 'eventTime'.");
    }
}
