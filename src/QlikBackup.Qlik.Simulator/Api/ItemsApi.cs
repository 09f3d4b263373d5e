using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using QlikBackup.Qlik.Simulator.Model;

namespace QlikBackup.Qlik.Simulator.Api;

/// <summary>/api/v1/items: the catalog, derived from apps and automations (items are not created directly).</summary>
public static class ItemsApi
{
    private static readonly PageSpec ListPaging = new(CursorStyle.Next, 10, 100);

    private sealed record Item(string Id, string Name, string Description, string ResourceType, string ResourceSubType, string ResourceId,
        string OwnerId, string? SpaceId, string? SpaceType, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, JsonObject Attributes, long Size, bool Published);

    /// <summary>Stable item id for a resource (Qlik item ids differ from resource ids).</summary>
    public static string ItemId(string resourceType, string resourceId)
        => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"item:{resourceType}:{resourceId}")))[..24];

    public static void Map(WebApplication app)
    {
        app.MapGet("/api/v1/items", List);
        app.MapGet("/api/v1/items/{itemId}", (HttpContext ctx, SimulatedTenant t, string itemId) => Http.Json(t.Read(s =>
        {
            var item = Items(s, ctx.Actor()).FirstOrDefault(i => i.Id == itemId) ?? throw QlikApiException.NotFound("Item", itemId);
            return Present(ctx.Request, s, item);
        })));
        app.MapGet("/api/v1/items/{itemId}/publisheditems", (HttpContext ctx, SimulatedTenant t, string itemId) =>
        {
            var (all, rows) = t.Read(s =>
            {
                var items = Items(s, ctx.Actor()).ToList();
                var item = items.FirstOrDefault(i => i.Id == itemId) ?? throw QlikApiException.NotFound("Item", itemId);
                var published = items.Where(i => i.ResourceType == "app" && s.FindApp(i.ResourceId)?.OriginAppId == item.ResourceId).ToList();
                var page = Paging.Paginate(ctx.Request, published, ListPaging, i => i.Id);
                return (page, page.Items.Select(i => (JsonNode)Present(ctx.Request, s, i)).ToArray());
            });
            return Http.Json(new JsonObject { ["data"] = new JsonArray(rows), ["links"] = all.Links });
        });
    }

    private static IEnumerable<Item> Items(TenantState s, SimulatedActor actor)
    {
        foreach (var app in s.Apps.Where(a => s.CanSeeApp(actor, a)))
        {
            var spaceType = app.SpaceId is null ? "personal" : s.FindSpace(app.SpaceId)?.Type;
            var attributes = new JsonObject
            {
                ["id"] = app.Id,
                ["name"] = app.Name,
                ["description"] = app.Description,
                ["createdDate"] = Http.Fmt(app.CreatedDate),
                ["modifiedDate"] = Http.Fmt(app.ModifiedDate),
                ["lastReloadTime"] = Http.Fmt(app.LastReloadTime) ?? "",
                ["owner"] = s.FindUser(app.OwnerId)?.Subject ?? "",
                ["ownerId"] = app.OwnerId,
                ["published"] = app.Published,
                ["publishTime"] = Http.Fmt(app.PublishTime) ?? "",
                ["originAppId"] = app.OriginAppId ?? "",
                ["spaceId"] = app.SpaceId ?? "",
                ["usage"] = app.Usage,
                ["hasSectionAccess"] = app.HasSectionAccess,
                ["encrypted"] = app.Encrypted,
                ["_resourcetype"] = "app",
            };
            yield return new Item(ItemId("app", app.Id), app.Name, app.Description, "app", "", app.Id, app.OwnerId, app.SpaceId, spaceType,
                app.CreatedDate, app.ModifiedDate, attributes, app.Document.DataPayload.LongLength, app.Published);
        }
        var admin = s.IsAdmin(actor);
        foreach (var a in s.Resource(ResourceKinds.Automations))
        {
            var owner = a.Str("ownerId") ?? "";
            if (!admin && owner != actor.UserId) continue;
            var created = DateTimeOffset.Parse(a.Str("createdAt")!, System.Globalization.CultureInfo.InvariantCulture);
            var updated = DateTimeOffset.Parse(a.Str("updatedAt")!, System.Globalization.CultureInfo.InvariantCulture);
            var attributes = new JsonObject
            {
                ["id"] = a.Str("id"), ["name"] = a.Str("name"), ["state"] = a.Str("state"), ["runMode"] = a.Str("runMode"), ["ownerId"] = owner,
            };
            yield return new Item(ItemId("automation", a.Str("id")!), a.Str("name") ?? "", a.Str("description") ?? "", "automation", "",
                a.Str("id")!, owner, null, "personal", created, updated, attributes, 0, false);
        }
    }

    private static JsonObject Present(HttpRequest request, TenantState s, Item i)
    {
        var o = new JsonObject
        {
            ["id"] = i.Id,
            ["name"] = i.Name,
            ["description"] = i.Description,
            ["resourceType"] = i.ResourceType,
            ["resourceSubType"] = i.ResourceSubType,
            ["resourceId"] = i.ResourceId,
            ["resourceLink"] = "",
            ["resourceAttributes"] = i.Attributes.DeepClone(),
            ["resourceCustomAttributes"] = null,
            ["resourceCreatedAt"] = Http.Fmt(i.CreatedAt),
            ["resourceUpdatedAt"] = Http.Fmt(i.UpdatedAt),
            ["resourceSize"] = new JsonObject { ["appFile"] = i.Size, ["appMemory"] = i.Size },
            ["ownerId"] = i.OwnerId,
            ["creatorId"] = i.OwnerId,
            ["updaterId"] = i.OwnerId,
            ["tenantId"] = s.Tenant.Id,
            ["isFavorited"] = false,
            ["collectionIds"] = new JsonArray(),
            ["meta"] = new JsonObject { ["tags"] = new JsonArray(), ["collections"] = new JsonArray(), ["actions"] = new JsonArray("read") },
            ["createdAt"] = Http.Fmt(i.CreatedAt),
            ["updatedAt"] = Http.Fmt(i.UpdatedAt),
            ["links"] = request.SelfLink($"/api/v1/items/{i.Id}"),
        };
        if (i.SpaceId is not null) o["spaceId"] = i.SpaceId;
        return o;
    }

    private static IResult List(HttpContext ctx, SimulatedTenant t)
    {
        var q = ctx.Request;
        var actor = ctx.Actor();
        // resourceType accepts "app,automation" and subtype syntax "app[qvd]"; the subtype part is ignored here.
        var types = q.Query("resourceType")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(x => x.Split('[')[0]).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var resourceIds = q.Query("resourceIds")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (resourceIds is { Length: > 100 }) throw QlikApiException.BadRequest("'resourceIds' takes at most 100 ids.");
        if (resourceIds is not null && types is null) throw QlikApiException.BadRequest("'resourceIds' needs 'resourceType'.");
        var spaceId = q.Query("spaceId");
        var spaceTypes = q.Query("spaceType")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var shared = q.QueryBool("shared");
        var (rows, page) = t.Read(s =>
        {
            var all = Items(s, actor)
                .Where(i => types is null || types.Contains(i.ResourceType))
                .Where(i => resourceIds is null || resourceIds.Contains(i.ResourceId))
                .Where(i => JsonResourcesApi.Matches(q, "resourceId", i.ResourceId) && JsonResourcesApi.Matches(q, "id", i.Id))
                .Where(i => spaceId is null || (spaceId == "personal" ? i.SpaceId is null && i.OwnerId == actor.UserId : i.SpaceId == spaceId))
                .Where(i => spaceTypes is null || spaceTypes.Contains(i.SpaceType))
                .Where(i => shared is null || shared == (i.SpaceId is not null))
                .Where(i => JsonResourcesApi.Matches(q, "ownerId", i.OwnerId) && JsonResourcesApi.Matches(q, "createdByUserId", i.OwnerId))
                .Where(i => q.Query("notOwnerId") is not { } n || i.OwnerId != n)
                .Where(i => q.Query("notCreatedByUserId") is not { } n || i.OwnerId != n)
                .Where(i => JsonResourcesApi.Matches(q, "name", i.Name))
                .Where(i => q.Query("query") is not { } text || i.Name.Contains(text, StringComparison.OrdinalIgnoreCase))
                .SortBy(q.Query("sort"), new Dictionary<string, Func<Item, IComparable?>>
                {
                    ["name"] = i => i.Name, ["createdAt"] = i => i.CreatedAt, ["updatedAt"] = i => i.UpdatedAt, ["recentlyUsed"] = i => i.UpdatedAt,
                })
                .ToList();
            var p = Paging.Paginate(q, all, ListPaging, i => i.Id);
            return (p.Items.Select(i => (JsonNode)Present(q, s, i)).ToArray(), p);
        });
        return Http.Json(new JsonObject { ["data"] = new JsonArray(rows), ["links"] = page.Links });
    }
}
