using System.Text.Json.Nodes;
using QlikBackup.Qlik.Simulator.Model;

namespace QlikBackup.Qlik.Simulator.Api;

[Flags]
public enum CollectionOps { None = 0, List = 1, Create = 2, Get = 4, Put = 8, Patch = 16, Delete = 32, Crud = List | Create | Get | Delete }

/// <summary>
/// Describes one JSON-shaped REST resource (reload-tasks, webhooks, data-connections, ...). <see cref="JsonCollection"/>
/// maps list/create/get/put/patch/delete for it with Qlik's paging, error shapes and audit events.
/// </summary>
public sealed record JsonCollectionSpec
{
    public required string Kind { get; init; }
    /// <summary>Collection path, e.g. /api/v1/reload-tasks.</summary>
    public required string Path { get; init; }
    /// <summary>Route parameter name as in Qlik's spec (taskId, qID, ...).</summary>
    public required string IdParam { get; init; }
    public required CollectionOps Ops { get; init; }
    public PageSpec Paging { get; init; } = new(CursorStyle.Next, 10, 100);
    public string ListProperty { get; init; } = "data";
    /// <summary>Audit event type prefix; ".created", ".updated", ".deleted" are appended (null: no generic events).</summary>
    public required string? EventPrefix { get; init; }
    public required string Source { get; init; }
    /// <summary>Fields a client may set on create.</summary>
    public string[] CreateFields { get; init; } = [];
    /// <summary>Fields a client may set with PUT (replace) or PATCH (default: <see cref="CreateFields"/>).</summary>
    public string[]? UpdateFields { get; init; }
    /// <summary>Fields never returned (secrets, passwords).</summary>
    public string[] WriteOnly { get; init; } = [];
    /// <summary>Fields that must be present on create.</summary>
    public string[] Required { get; init; } = [];
    public int CreateStatus { get; init; } = StatusCodes.Status201Created;
    /// <summary>Whether PUT answers 200 with the document (else 204).</summary>
    public bool PutReturnsBody { get; init; } = true;
    /// <summary>Timestamp fields the server maintains (null: the resource has none).</summary>
    public string? CreatedField { get; init; } = "createdAt";
    public string? UpdatedField { get; init; } = "updatedAt";
    /// <summary>Removes nested secrets before a document is returned.</summary>
    public Action<JsonObject>? Redact { get; init; }
    /// <summary>Server-side completion of a new document (owner, defaults, validation). Body fields are already copied.</summary>
    public Action<TenantChange, JsonObject>? OnCreate { get; init; }
    /// <summary>Validation / derived fields after PUT or PATCH.</summary>
    public Action<TenantChange, JsonObject>? OnUpdate { get; init; }
    public Action<TenantChange, JsonObject>? OnDelete { get; init; }
    /// <summary>Extra work on GET of one document (e.g. response headers) with the stored document.</summary>
    public Action<HttpContext, JsonObject>? OnGet { get; init; }
    /// <summary>Precondition checks before a PATCH is applied (e.g. 412 on a stale hash header).</summary>
    public Action<HttpContext, JsonObject>? BeforePatch { get; init; }
    /// <summary>List filter from query parameters.</summary>
    public Func<HttpRequest, JsonObject, bool>? Filter { get; init; }
    /// <summary>Fields accepted by the <c>sort</c> query parameter.</summary>
    public string[] SortFields { get; init; } = ["id", "name", "createdAt", "updatedAt"];
    public string? DefaultSort { get; init; }
    /// <summary>Extra top-level fields of the list response (e.g. totalCount).</summary>
    public Action<JsonObject, int>? DecorateList { get; init; }
}

public static class JsonCollection
{
    public static void Map(WebApplication app, JsonCollectionSpec spec)
    {
        var idField = ResourceKinds.IdField(spec.Kind);
        var item = $"{spec.Path}/{{{spec.IdParam}}}";

        if (spec.Ops.HasFlag(CollectionOps.List))
            app.MapGet(spec.Path, (HttpContext ctx, SimulatedTenant t) => List(ctx, t, spec, idField));
        if (spec.Ops.HasFlag(CollectionOps.Create))
            app.MapPost(spec.Path, async (HttpContext ctx, SimulatedTenant t) => Create(ctx, t, spec, idField, await ctx.Request.ReadJsonObjectAsync()));
        if (spec.Ops.HasFlag(CollectionOps.Get))
            app.MapGet(item, (HttpContext ctx, SimulatedTenant t) => Http.Json(Present(ctx.Request, spec, t.Read(s =>
            {
                var d = Find(s, spec, Id(ctx, spec));
                spec.OnGet?.Invoke(ctx, d);
                return d.DeepClone().AsObject();
            }))));
        if (spec.Ops.HasFlag(CollectionOps.Put))
            app.MapPut(item, async (HttpContext ctx, SimulatedTenant t) => Replace(ctx, t, spec, await ctx.Request.ReadJsonObjectAsync()));
        if (spec.Ops.HasFlag(CollectionOps.Patch))
            app.MapPatch(item, async (HttpContext ctx, SimulatedTenant t) => Patch(ctx, t, spec, await ctx.Request.ReadJsonAsync()));
        if (spec.Ops.HasFlag(CollectionOps.Delete))
            app.MapDelete(item, (HttpContext ctx, SimulatedTenant t) => Delete(ctx, t, spec));
    }

    public static string Id(HttpContext ctx, JsonCollectionSpec spec) => (string)ctx.Request.RouteValues[spec.IdParam]!;

    public static JsonObject Find(TenantState s, JsonCollectionSpec spec, string id)
        => s.FindResource(spec.Kind, id) ?? throw QlikApiException.NotFound(spec.Kind, id);

    private static IResult List(HttpContext ctx, SimulatedTenant t, JsonCollectionSpec spec, string idField)
    {
        var sort = ctx.Request.Query("sort") ?? spec.DefaultSort;
        var all = t.Read(s => s.Resource(spec.Kind)
            .Where(d => spec.Filter?.Invoke(ctx.Request, d) ?? true)
            .SortBy(sort, spec.SortFields.ToDictionary(f => f, f => (Func<JsonObject, IComparable?>)(d => d[f]?.ToJsonString())))
            .Select(d => d.DeepClone().AsObject())
            .ToList());
        var page = Paging.Paginate(ctx.Request, all, spec.Paging, d => d.Str(idField)!);
        var body = new JsonObject
        {
            [spec.ListProperty] = new JsonArray(page.Items.Select(d => (JsonNode)Present(ctx.Request, spec, d)).ToArray()),
            ["links"] = page.Links,
        };
        spec.DecorateList?.Invoke(body, page.Total);
        return Http.Json(body);
    }

    private static IResult Create(HttpContext ctx, SimulatedTenant t, JsonCollectionSpec spec, string idField, JsonObject body)
    {
        foreach (var field in spec.Required)
            if (body[field] is null) throw QlikApiException.BadRequest($"'{field}' is required.");
        var doc = t.Write(ctx.Actor(), c =>
        {
            var d = new JsonObject { [idField] = idField == "qID" ? Ids.NewGuid() : Ids.NewObjectId() };
            foreach (var f in spec.CreateFields)
                if (body[f] is { } v) d[f] = v.DeepClone();
            d["tenantId"] = c.State.Tenant.Id;
            if (spec.CreatedField is { } cf) d[cf] = Http.Fmt(c.Now);
            if (spec.UpdatedField is { } uf) d[uf] = Http.Fmt(c.Now);
            spec.OnCreate?.Invoke(c, d);
            c.State.Resource(spec.Kind).Add(d);
            Emit(c, spec, "created", d);
            return d.DeepClone().AsObject();
        });
        return Http.Json(Present(ctx.Request, spec, doc), spec.CreateStatus);
    }

    private static IResult Replace(HttpContext ctx, SimulatedTenant t, JsonCollectionSpec spec, JsonObject body)
    {
        var doc = t.Write(ctx.Actor(), c =>
        {
            var d = Find(c.State, spec, Id(ctx, spec));
            foreach (var f in spec.UpdateFields ?? spec.CreateFields)
            {
                if (body[f] is { } v) d[f] = v.DeepClone();
                else d.Remove(f);
            }
            return Updated(c, spec, d);
        });
        return spec.PutReturnsBody ? Http.Json(Present(ctx.Request, spec, doc)) : Results.NoContent();
    }

    private static IResult Patch(HttpContext ctx, SimulatedTenant t, JsonCollectionSpec spec, JsonNode body)
    {
        var ops = JsonPatch.Parse(body);
        t.Write(ctx.Actor(), c =>
        {
            var d = Find(c.State, spec, Id(ctx, spec));
            spec.BeforePatch?.Invoke(ctx, d);
            var copy = d.DeepClone().AsObject();
            JsonPatch.Apply(copy, ops, spec.UpdateFields ?? spec.CreateFields);
            // Apply on a copy first so a rejected operation leaves the resource untouched.
            foreach (var key in d.Select(kv => kv.Key).ToList()) d.Remove(key);
            foreach (var (k, v) in copy.ToList()) { copy.Remove(k); d[k] = v; }
            return Updated(c, spec, d);
        });
        return Results.NoContent();
    }

    private static JsonObject Updated(TenantChange c, JsonCollectionSpec spec, JsonObject d)
    {
        if (spec.UpdatedField is { } uf) d[uf] = Http.Fmt(c.Now);
        spec.OnUpdate?.Invoke(c, d);
        Emit(c, spec, "updated", d);
        return d.DeepClone().AsObject();
    }

    private static IResult Delete(HttpContext ctx, SimulatedTenant t, JsonCollectionSpec spec)
    {
        t.Write(ctx.Actor(), c =>
        {
            var d = Find(c.State, spec, Id(ctx, spec));
            spec.OnDelete?.Invoke(c, d);
            c.State.Resource(spec.Kind).Remove(d);
            Emit(c, spec, "deleted", d);
        });
        return Results.NoContent();
    }

    private static void Emit(TenantChange c, JsonCollectionSpec spec, string verb, JsonObject d)
    {
        if (spec.EventPrefix is null) return;
        var id = d.Str(ResourceKinds.IdField(spec.Kind));
        var data = new JsonObject { ["id"] = id };
        if ((d.Str("name") ?? d.Str("qName")) is { } name) data["name"] = name;
        c.Emit($"{spec.EventPrefix}.{verb}", spec.Source, data, d.Str("spaceId") ?? d.Str("space"),
            d.Str("ownerId") ?? d.Str("userId") ?? d.Str("owner"), id);
    }

    private static JsonObject Present(HttpRequest request, JsonCollectionSpec spec, JsonObject d)
    {
        foreach (var f in spec.WriteOnly) d.Remove(f);
        spec.Redact?.Invoke(d);
        d["links"] = request.SelfLink($"{spec.Path}/{d.Str(ResourceKinds.IdField(spec.Kind))}");
        return d;
    }
}
