using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Xml;
using QlikBackup.Qlik.Simulator.Model;

namespace QlikBackup.Qlik.Simulator.Api;

/// <summary>/api/v1/users, /groups, /api-keys and /tenants.</summary>
public static class IdentityApi
{
    private static readonly PageSpec UserPaging = new(CursorStyle.Next, 20, 100);
    private static readonly PageSpec KeyPaging = new(CursorStyle.StartingAfter, 20, 100);

    public static readonly string[] KnownRoles =
        ["TenantAdmin", "AnalyticsAdmin", "DataAdmin", "Developer", "SharedSpaceCreator", "ManagedSpaceCreator", "DataSpaceCreator",
         "PrivateAnalyticsContentCreator", "DataServicesContributor", "AuditAdmin", "Steward"];

    public static string RoleId(string name) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("role:" + name)))[..24];

    private static JsonArray Roles(IEnumerable<string> names) => new(names.Select(n => (JsonNode)new JsonObject
    {
        ["id"] = RoleId(n), ["name"] = n, ["type"] = "default", ["level"] = n.EndsWith("Admin", StringComparison.Ordinal) ? "admin" : "user",
    }).ToArray());

    public static void Map(WebApplication app)
    {
        MapUsers(app);
        MapGroups(app);
        MapApiKeys(app);
        app.MapGet("/api/v1/tenants/me", (SimulatedTenant t) => Results.Redirect($"/api/v1/tenants/{t.TenantId}"));
        app.MapGet("/api/v1/tenants/{tenantId}", (HttpContext ctx, SimulatedTenant t, string tenantId) => Http.Json(t.Read(s =>
        {
            if (tenantId != s.Tenant.Id) throw QlikApiException.NotFound("Tenant", tenantId);
            return new JsonObject
            {
                ["id"] = s.Tenant.Id,
                ["name"] = s.Tenant.Name,
                ["hostnames"] = new JsonArray(s.Tenant.Hostname),
                ["datacenter"] = s.Tenant.Datacenter,
                ["status"] = "active",
                ["created"] = Http.Fmt(s.Tenant.CreatedAt),
                ["lastUpdated"] = Http.Fmt(s.Tenant.CreatedAt),
                ["createdByUser"] = "",
                ["enableAnalyticCreation"] = true,
                ["autoAssignCreateSharedSpacesRoleToProfessionals"] = true,
                ["autoAssignPrivateAnalyticsContentCreatorRoleToProfessionals"] = true,
                ["autoAssignDataServicesContributorRoleToProfessionals"] = true,
                ["links"] = ctx.Request.SelfLink($"/api/v1/tenants/{s.Tenant.Id}"),
            };
        })));
    }

    // ---- users ----

    private static JsonObject PresentUser(HttpRequest request, TenantState s, SimUser u) => new()
    {
        ["id"] = u.Id,
        ["tenantId"] = s.Tenant.Id,
        ["status"] = u.Status,
        ["subject"] = u.Subject,
        ["name"] = u.Name,
        ["email"] = u.Email,
        ["assignedRoles"] = Roles(u.AssignedRoles),
        ["assignedGroups"] = new JsonArray(u.AssignedGroups.Select(g => s.FindGroup(g)).OfType<SimGroup>().Select(g => (JsonNode)new JsonObject
        {
            ["id"] = g.Id, ["name"] = g.Name, ["providerType"] = g.ProviderType, ["assignedRoles"] = Roles(g.AssignedRoles),
        }).ToArray()),
        ["createdAt"] = Http.Fmt(u.CreatedAt),
        ["lastUpdatedAt"] = Http.Fmt(u.LastUpdatedAt),
        ["created"] = Http.Fmt(u.CreatedAt),
        ["lastUpdated"] = Http.Fmt(u.LastUpdatedAt),
        ["links"] = request.SelfLink($"/api/v1/users/{u.Id}"),
    };

    private static string?[]? UserAttribute(SimUser u, string name) => name.ToLowerInvariant() switch
    {
        "id" => [u.Id],
        "name" => [u.Name],
        "email" => [u.Email],
        "subject" => [u.Subject],
        "status" => [u.Status],
        "roles" or "assignedroles" or "assignedroles.name" => u.AssignedRoles.ToArray<string?>(),
        "assignedgroups.id" or "groups" => u.AssignedGroups.ToArray<string?>(),
        _ => null,
    };

    private static void MapUsers(WebApplication app)
    {
        app.MapGet("/api/v1/users", (HttpContext ctx, SimulatedTenant t) =>
        {
            var q = ctx.Request;
            var filter = ScimFilter.Parse(q.Query("filter"));
            var (rows, page) = t.Read(s =>
            {
                var all = s.Users
                    .Where(u => ScimFilter.Matches(filter, a => UserAttribute(u, a)))
                    .Where(u => JsonResourcesApi.Matches(q, "email", u.Email) && JsonResourcesApi.Matches(q, "subject", u.Subject)
                                && JsonResourcesApi.Matches(q, "status", u.Status) && (q.Query("role") is not { } r || u.AssignedRoles.Contains(r)))
                    .SortBy(q.Query("sort") ?? "+name", new Dictionary<string, Func<SimUser, IComparable?>>
                    {
                        ["name"] = u => u.Name, ["email"] = u => u.Email, ["subject"] = u => u.Subject, ["status"] = u => u.Status,
                        ["createdAt"] = u => u.CreatedAt, ["lastUpdatedAt"] = u => u.LastUpdatedAt,
                    })
                    .ToList();
                var p = Paging.Paginate(q, all, UserPaging, u => u.Id);
                return (p.Items.Select(u => (JsonNode)PresentUser(q, s, u)).ToArray(), p);
            });
            var body = new JsonObject { ["data"] = new JsonArray(rows), ["links"] = page.Links };
            if (q.QueryBool("totalResults") == true) body["totalResults"] = page.Total;
            return Http.Json(body);
        });
        app.MapGet("/api/v1/users/me", (HttpContext ctx, SimulatedTenant t)
            => Http.Json(t.Read(s => PresentUser(ctx.Request, s, s.FindUser(ctx.Actor().UserId) ?? throw QlikApiException.NotFound("User", ctx.Actor().UserId)))));
        app.MapGet("/api/v1/users/actions/count", (HttpContext ctx, SimulatedTenant t) => Http.Json(new JsonObject { ["total"] = t.Read(s => s.Users.Count) }));
        app.MapGet("/api/v1/users/{userId}", (HttpContext ctx, SimulatedTenant t, string userId)
            => Http.Json(t.Read(s => PresentUser(ctx.Request, s, s.FindUser(userId) ?? throw QlikApiException.NotFound("User", userId)))));
        app.MapPost("/api/v1/users", async (HttpContext ctx, SimulatedTenant t) =>
        {
            var body = await ctx.Request.ReadJsonObjectAsync();
            var subject = body.RequiredString("subject");
            var roles = RoleNames(body["assignedRoles"]);
            return Http.Json(t.Write(ctx.Actor(), c =>
            {
                c.State.RequireAdmin(c.Actor);
                if (c.State.Users.Any(u => u.Subject == subject)) throw QlikApiException.Conflict($"A user with subject '{subject}' already exists.");
                var status = body.OptionalString("status") ?? "invited";
                if (status is not ("invited" or "active" or "disabled")) throw QlikApiException.BadRequest("'status' must be invited, active or disabled.");
                var user = new SimUser
                {
                    Id = Ids.NewObjectId(), Subject = subject, Name = body.OptionalString("name") ?? subject, Email = body.OptionalString("email"),
                    Status = status, AssignedRoles = roles, CreatedAt = c.Now, LastUpdatedAt = c.Now,
                };
                c.State.Users.Add(user);
                c.Emit("com.qlik.v1.user.created", "com.qlik/users", new JsonObject { ["id"] = user.Id, ["name"] = user.Name, ["subject"] = user.Subject }, null, user.Id, user.Id);
                return PresentUser(ctx.Request, c.State, user);
            }), StatusCodes.Status201Created);
        });
        app.MapPatch("/api/v1/users/{userId}", async (HttpContext ctx, SimulatedTenant t, string userId) =>
        {
            var ops = JsonPatch.Parse(await ctx.Request.ReadJsonAsync());
            t.Write(ctx.Actor(), c =>
            {
                c.State.RequireAdmin(c.Actor);
                var user = c.State.FindUser(userId) ?? throw QlikApiException.NotFound("User", userId);
                var doc = new JsonObject
                {
                    ["name"] = user.Name, ["email"] = user.Email, ["status"] = user.Status,
                    ["assignedRoles"] = Roles(user.AssignedRoles),
                    ["assignedGroups"] = new JsonArray(user.AssignedGroups.Select(g => (JsonNode)new JsonObject { ["id"] = g }).ToArray()),
                };
                JsonPatch.Apply(doc, ops, ["name", "email", "status", "assignedRoles", "assignedGroups"]);
                var status = doc.Str("status");
                if (status is not ("active" or "disabled" or "invited" or "deleted")) throw QlikApiException.BadRequest("Invalid 'status'.");
                var groups = IdsOf(doc["assignedGroups"], "assignedGroups");
                if (groups.FirstOrDefault(g => c.State.FindGroup(g) is null) is { } missing) throw QlikApiException.BadRequest($"Group '{missing}' does not exist.");
                user.Name = doc.Str("name") ?? user.Name;
                user.Email = doc.Str("email");
                user.Status = status;
                user.AssignedRoles = RoleNames(doc["assignedRoles"]);
                user.AssignedGroups = groups;
                user.LastUpdatedAt = c.Now;
                c.Emit("com.qlik.v1.user.updated", "com.qlik/users", new JsonObject { ["id"] = user.Id, ["name"] = user.Name }, null, user.Id, user.Id);
            });
            return Results.NoContent();
        });
        app.MapDelete("/api/v1/users/{userId}", (HttpContext ctx, SimulatedTenant t, string userId) =>
        {
            t.Write(ctx.Actor(), c =>
            {
                c.State.RequireAdmin(c.Actor);
                var user = c.State.FindUser(userId) ?? throw QlikApiException.NotFound("User", userId);
                if (user.Id == c.Actor.UserId) throw QlikApiException.BadRequest("You cannot delete yourself.");
                c.State.Users.Remove(user);
                c.State.SpaceAssignments.RemoveAll(a => a.Type == "user" && a.AssigneeId == user.Id);
                c.State.ApiKeys.RemoveAll(k => k.Sub == user.Id);
                c.Emit("com.qlik.v1.user.deleted", "com.qlik/users", new JsonObject { ["id"] = user.Id, ["name"] = user.Name }, null, user.Id, user.Id);
            });
            return Results.NoContent();
        });
    }

    /// <summary>Role references are <c>[{name}]</c> or <c>[{id}]</c> (ids as served by the API).</summary>
    private static List<string> RoleNames(JsonNode? node)
    {
        if (node is null) return [];
        if (node is not JsonArray array) throw QlikApiException.BadRequest("'assignedRoles' must be an array of {id} or {name}.");
        return array.Select(r =>
        {
            var name = r.Str("name") ?? KnownRoles.FirstOrDefault(k => RoleId(k) == r.Str("id"));
            return name is not null && KnownRoles.Contains(name) ? name : throw QlikApiException.BadRequest($"Unknown role {r?.ToJsonString()}.");
        }).Distinct().ToList();
    }

    private static List<string> IdsOf(JsonNode? node, string name) => node switch
    {
        null => [],
        JsonArray a => a.Select(x => x.Str("id") ?? throw QlikApiException.BadRequest($"'{name}' entries need an id.")).Distinct().ToList(),
        _ => throw QlikApiException.BadRequest($"'{name}' must be an array."),
    };

    // ---- groups ----

    private static JsonObject PresentGroup(HttpRequest request, TenantState s, SimGroup g) => new()
    {
        ["id"] = g.Id,
        ["tenantId"] = s.Tenant.Id,
        ["name"] = g.Name,
        ["status"] = g.Status,
        ["providerType"] = g.ProviderType,
        ["assignedRoles"] = Roles(g.AssignedRoles),
        ["createdAt"] = Http.Fmt(g.CreatedAt),
        ["lastUpdatedAt"] = Http.Fmt(g.LastUpdatedAt),
        ["links"] = request.SelfLink($"/api/v1/groups/{g.Id}"),
    };

    private static void MapGroups(WebApplication app)
    {
        app.MapGet("/api/v1/groups", (HttpContext ctx, SimulatedTenant t) =>
        {
            var q = ctx.Request;
            var filter = ScimFilter.Parse(q.Query("filter"));
            var (rows, page) = t.Read(s =>
            {
                var all = s.Groups
                    .Where(g => ScimFilter.Matches(filter, a => a.ToLowerInvariant() switch
                    {
                        "id" => [g.Id], "name" => [g.Name], "status" => [g.Status], _ => null,
                    }))
                    .SortBy(q.Query("sort"), new Dictionary<string, Func<SimGroup, IComparable?>>
                    {
                        ["name"] = g => g.Name, ["createdAt"] = g => g.CreatedAt, ["lastUpdatedAt"] = g => g.LastUpdatedAt,
                    })
                    .ToList();
                var p = Paging.Paginate(q, all, UserPaging, g => g.Id);
                return (p.Items.Select(g => (JsonNode)PresentGroup(q, s, g)).ToArray(), p);
            });
            var body = new JsonObject { ["data"] = new JsonArray(rows), ["links"] = page.Links };
            if (q.QueryBool("totalResults") == true) body["totalResults"] = page.Total;
            return Http.Json(body);
        });
        app.MapGet("/api/v1/groups/{groupId}", (HttpContext ctx, SimulatedTenant t, string groupId)
            => Http.Json(t.Read(s => PresentGroup(ctx.Request, s, s.FindGroup(groupId) ?? throw QlikApiException.NotFound("Group", groupId)))));
        app.MapPost("/api/v1/groups", async (HttpContext ctx, SimulatedTenant t) =>
        {
            var body = await ctx.Request.ReadJsonObjectAsync();
            var name = body.RequiredString("name");
            var roles = RoleNames(body["assignedRoles"]);
            return Http.Json(t.Write(ctx.Actor(), c =>
            {
                c.State.RequireAdmin(c.Actor);
                if (c.State.Groups.Any(g => string.Equals(g.Name, name, StringComparison.OrdinalIgnoreCase)))
                    throw QlikApiException.Conflict($"A group named '{name}' already exists.");
                var group = new SimGroup
                {
                    Id = Ids.NewObjectId(), Name = name, Status = body.OptionalString("status") ?? "active", ProviderType = "custom",
                    AssignedRoles = roles, CreatedAt = c.Now, LastUpdatedAt = c.Now,
                };
                c.State.Groups.Add(group);
                c.Emit("com.qlik.v1.group.created", "com.qlik/groups", new JsonObject { ["id"] = group.Id, ["name"] = name }, null, null, group.Id);
                return PresentGroup(ctx.Request, c.State, group);
            }), StatusCodes.Status201Created);
        });
        app.MapPatch("/api/v1/groups/{groupId}", async (HttpContext ctx, SimulatedTenant t, string groupId) =>
        {
            var ops = JsonPatch.Parse(await ctx.Request.ReadJsonAsync());
            t.Write(ctx.Actor(), c =>
            {
                c.State.RequireAdmin(c.Actor);
                var group = c.State.FindGroup(groupId) ?? throw QlikApiException.NotFound("Group", groupId);
                var doc = new JsonObject { ["assignedRoles"] = Roles(group.AssignedRoles) };
                JsonPatch.Apply(doc, ops, ["assignedRoles"]);
                group.AssignedRoles = RoleNames(doc["assignedRoles"]);
                group.LastUpdatedAt = c.Now;
                c.Emit("com.qlik.v1.group.updated", "com.qlik/groups", new JsonObject { ["id"] = group.Id, ["name"] = group.Name }, null, null, group.Id);
            });
            return Results.NoContent();
        });
        app.MapDelete("/api/v1/groups/{groupId}", (HttpContext ctx, SimulatedTenant t, string groupId) =>
        {
            t.Write(ctx.Actor(), c =>
            {
                c.State.RequireAdmin(c.Actor);
                var group = c.State.FindGroup(groupId) ?? throw QlikApiException.NotFound("Group", groupId);
                c.State.Groups.Remove(group);
                foreach (var u in c.State.Users) u.AssignedGroups.Remove(group.Id);
                c.State.SpaceAssignments.RemoveAll(a => a.Type == "group" && a.AssigneeId == group.Id);
                c.Emit("com.qlik.v1.group.deleted", "com.qlik/groups", new JsonObject { ["id"] = group.Id, ["name"] = group.Name }, null, null, group.Id);
            });
            return Results.NoContent();
        });
    }

    // ---- api keys ----

    private static JsonObject PresentKey(TenantState s, SimApiKey k) => new()
    {
        ["id"] = k.Id,
        ["tenantId"] = s.Tenant.Id,
        ["description"] = k.Description,
        ["sub"] = k.Sub,
        ["subType"] = k.SubType,
        ["status"] = k.Status,
        ["expiry"] = Http.Fmt(k.Expiry),
        ["created"] = Http.Fmt(k.Created),
        ["createdByUser"] = k.CreatedByUser,
        ["lastUpdated"] = Http.Fmt(k.LastUpdated),
    };

    private static SimApiKey VisibleKey(TenantState s, SimulatedActor actor, string id)
        => s.ApiKeys.FirstOrDefault(k => k.Id == id && (k.Sub == actor.UserId || s.IsAdmin(actor))) ?? throw QlikApiException.NotFound("API key", id);

    private static void MapApiKeys(WebApplication app)
    {
        app.MapGet("/api/v1/api-keys", (HttpContext ctx, SimulatedTenant t) =>
        {
            var q = ctx.Request;
            var actor = ctx.Actor();
            var (rows, page) = t.Read(s =>
            {
                var now = t.Time.GetUtcNow();
                foreach (var k in s.ApiKeys.Where(k => k.Status == "active" && k.Expiry <= now)) k.Status = "expired";
                var admin = s.IsAdmin(actor);
                var all = s.ApiKeys
                    .Where(k => admin || k.Sub == actor.UserId)
                    .Where(k => JsonResourcesApi.Matches(q, "sub", k.Sub) && JsonResourcesApi.Matches(q, "status", k.Status)
                                && JsonResourcesApi.Matches(q, "createdByUser", k.CreatedByUser))
                    .SortBy(q.Query("sort") ?? "-created", new Dictionary<string, Func<SimApiKey, IComparable?>>
                    {
                        ["created"] = k => k.Created, ["createdByUser"] = k => k.CreatedByUser, ["description"] = k => k.Description,
                        ["expiry"] = k => k.Expiry, ["status"] = k => k.Status, ["sub"] = k => k.Sub,
                    })
                    .ToList();
                var p = Paging.Paginate(q, all, KeyPaging, k => k.Id);
                return (p.Items.Select(k => (JsonNode)PresentKey(s, k)).ToArray(), p);
            });
            return Http.Json(new JsonObject { ["data"] = new JsonArray(rows), ["links"] = page.Links });
        });
        app.MapGet("/api/v1/api-keys/{id}", (HttpContext ctx, SimulatedTenant t, string id)
            => Http.Json(t.Read(s => PresentKey(s, VisibleKey(s, ctx.Actor(), id)))));
        app.MapPost("/api/v1/api-keys", async (HttpContext ctx, SimulatedTenant t) =>
        {
            var body = await ctx.Request.ReadJsonObjectAsync();
            var description = body.RequiredString("description");
            var expiry = ParseExpiry(body.OptionalString("expiry"));
            return Http.Json(t.Write(ctx.Actor(), c =>
            {
                var sub = body.OptionalString("sub") ?? c.Actor.UserId;
                if (sub != c.Actor.UserId) c.State.RequireAdmin(c.Actor);
                if (c.State.FindUser(sub) is null) throw QlikApiException.BadRequest($"User '{sub}' does not exist.");
                var key = new SimApiKey
                {
                    Id = Ids.NewObjectId(), Token = Ids.NewToken(), Sub = sub, SubType = body.OptionalString("subType") ?? "user",
                    Description = description, Expiry = c.Now + expiry, Created = c.Now, LastUpdated = c.Now, CreatedByUser = c.Actor.UserId,
                };
                c.State.ApiKeys.Add(key);
                c.Emit("com.qlik.v1.api-key.created", "com.qlik/api-keys", new JsonObject { ["id"] = key.Id, ["sub"] = sub }, null, sub, key.Id);
                var result = PresentKey(c.State, key);
                result["token"] = key.Token; // only ever shown here
                return result;
            }), StatusCodes.Status201Created);
        });
        app.MapPatch("/api/v1/api-keys/{id}", async (HttpContext ctx, SimulatedTenant t, string id) =>
        {
            var ops = JsonPatch.Parse(await ctx.Request.ReadJsonAsync());
            t.Write(ctx.Actor(), c =>
            {
                var key = VisibleKey(c.State, c.Actor, id);
                var doc = new JsonObject { ["description"] = key.Description };
                JsonPatch.Apply(doc, ops, ["description"]);
                key.Description = doc.Str("description") ?? "";
                key.LastUpdated = c.Now;
            });
            return Results.NoContent();
        });
        app.MapDelete("/api/v1/api-keys/{id}", (HttpContext ctx, SimulatedTenant t, string id) =>
        {
            t.Write(ctx.Actor(), c =>
            {
                var key = VisibleKey(c.State, c.Actor, id);
                c.State.ApiKeys.Remove(key);
                c.Emit("com.qlik.v1.api-key.deleted", "com.qlik/api-keys", new JsonObject { ["id"] = key.Id, ["sub"] = key.Sub }, null, key.Sub, key.Id);
            });
            return Results.NoContent();
        });
    }

    /// <summary>ISO 8601 duration (P7D, PT12H); default 30 days.</summary>
    private static TimeSpan ParseExpiry(string? raw)
    {
        if (raw is null) return TimeSpan.FromDays(30);
        try
        {
            var span = XmlConvert.ToTimeSpan(raw);
            return span > TimeSpan.Zero ? span : throw QlikApiException.BadRequest("'expiry' must be a positive ISO 8601 duration.");
        }
        catch (FormatException)
        {
            throw QlikApiException.BadRequest("'expiry' must be an ISO 8601 duration such as P30D.");
        }
    }
}
