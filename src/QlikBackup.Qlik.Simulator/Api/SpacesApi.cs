using System.Text.Json.Nodes;
using QlikBackup.Qlik.Simulator.Model;

namespace QlikBackup.Qlik.Simulator.Api;

/// <summary>/api/v1/spaces and their assignments.</summary>
public static class SpacesApi
{
    private const string Source = "com.qlik/spaces";
    private static readonly PageSpec ListPaging = new(CursorStyle.Next, 10, 100);

    /// <summary>Roles assignable per space type.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> AssignableRoles = new Dictionary<string, string[]>
    {
        [SpaceTypes.Shared] = ["consumer", "contributor", "dataconsumer", "facilitator", "producer", "codeveloper"],
        [SpaceTypes.Managed] = ["consumer", "contributor", "dataconsumer", "facilitator", "operator", "publisher", "basicconsumer", "codeveloper"],
        [SpaceTypes.Data] = ["consumer", "dataconsumer", "datapreview", "facilitator", "operator", "producer"],
    };

    public static void Map(WebApplication app)
    {
        app.MapGet("/api/v1/spaces", List);
        app.MapPost("/api/v1/spaces", Create);
        app.MapGet("/api/v1/spaces/types", () => Http.Json(new JsonObject { ["data"] = new JsonArray(SpaceTypes.All.Select(x => (JsonNode)x).ToArray()) }));
        app.MapGet("/api/v1/spaces/{spaceId}", (HttpContext ctx, SimulatedTenant t, string spaceId)
            => Http.Json(t.Read(s => Present(ctx.Request, s, ctx.Actor(), s.VisibleSpace(ctx.Actor(), spaceId)))));
        app.MapPut("/api/v1/spaces/{spaceId}", Replace);
        app.MapPatch("/api/v1/spaces/{spaceId}", Patch);
        app.MapDelete("/api/v1/spaces/{spaceId}", Delete);

        const string assignments = "/api/v1/spaces/{spaceId}/assignments";
        app.MapGet(assignments, ListAssignments);
        app.MapPost(assignments, CreateAssignment);
        app.MapGet(assignments + "/{assignmentId}", (HttpContext ctx, SimulatedTenant t, string spaceId, string assignmentId)
            => Http.Json(t.Read(s => PresentAssignment(ctx.Request, s, FindAssignment(s, ctx.Actor(), spaceId, assignmentId)))));
        app.MapPut(assignments + "/{assignmentId}", UpdateAssignment);
        app.MapDelete(assignments + "/{assignmentId}", DeleteAssignment);
    }

    private static JsonObject Present(HttpRequest request, TenantState s, SimulatedActor actor, SimSpace space)
    {
        var roles = s.SpaceRoles(actor.UserId, space.Id).ToList();
        var canManage = CanManage(s, actor, space);
        var actions = new JsonArray("read");
        if (canManage) foreach (var a in new[] { "update", "delete", "create" }) actions.Add(a);
        return new JsonObject
        {
            ["id"] = space.Id,
            ["type"] = space.Type,
            ["ownerId"] = space.OwnerId,
            ["tenantId"] = s.Tenant.Id,
            ["name"] = space.Name,
            ["description"] = space.Description,
            ["meta"] = new JsonObject
            {
                ["actions"] = actions,
                ["roles"] = new JsonArray(roles.Select(r => (JsonNode)r).ToArray()),
                ["assignableRoles"] = new JsonArray(AssignableRoles[space.Type].Select(r => (JsonNode)r).ToArray()),
            },
            ["links"] = new JsonObject
            {
                ["self"] = new JsonObject { ["href"] = request.Href($"/api/v1/spaces/{space.Id}") },
                ["assignments"] = new JsonObject { ["href"] = request.Href($"/api/v1/spaces/{space.Id}/assignments") },
            },
            ["createdAt"] = Http.Fmt(space.CreatedAt),
            ["createdBy"] = space.CreatedBy,
            ["updatedAt"] = Http.Fmt(space.UpdatedAt),
        };
    }

    private static bool CanManage(TenantState s, SimulatedActor actor, SimSpace space)
        => space.OwnerId == actor.UserId || s.IsAdmin(actor) || s.SpaceRoles(actor.UserId, space.Id).Contains("facilitator");

    private static void RequireManage(TenantState s, SimulatedActor actor, SimSpace space)
    {
        if (!CanManage(s, actor, space)) throw QlikApiException.Forbidden($"No permission to manage space '{space.Id}'.");
    }

    private static IResult List(HttpContext ctx, SimulatedTenant t)
    {
        var q = ctx.Request;
        var actor = ctx.Actor();
        var types = q.Query("type")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (types?.Any(x => !SpaceTypes.All.Contains(x)) == true) throw QlikApiException.BadRequest("'type' must be shared, managed or data.");
        var nameEq = ScimFilter.EqualsValue(q.Query("filter"), "name");
        var (items, page) = t.Read(s =>
        {
            var all = s.Spaces
                .Where(sp => s.CanSeeSpace(actor, sp))
                .Where(sp => types is null || types.Contains(sp.Type))
                .Where(sp => q.Query("name") is not { } n || sp.Name.Contains(n, StringComparison.OrdinalIgnoreCase))
                .Where(sp => nameEq is null || string.Equals(sp.Name, nameEq, StringComparison.OrdinalIgnoreCase))
                .Where(sp => JsonResourcesApi.Matches(q, "ownerId", sp.OwnerId))
                .SortBy(q.Query("sort"), new Dictionary<string, Func<SimSpace, IComparable?>>
                {
                    ["name"] = sp => sp.Name, ["createdAt"] = sp => sp.CreatedAt, ["updatedAt"] = sp => sp.UpdatedAt,
                })
                .ToList();
            var p = Paging.Paginate(q, all, ListPaging, sp => sp.Id);
            return (p.Items.Select(sp => (JsonNode)Present(q, s, actor, sp)).ToArray(), p);
        });
        return Http.Json(new JsonObject
        {
            ["data"] = new JsonArray(items),
            ["meta"] = new JsonObject { ["count"] = page.Total },
            ["links"] = page.Links,
        });
    }

    private static async Task<IResult> Create(HttpContext ctx, SimulatedTenant t)
    {
        var body = await ctx.Request.ReadJsonObjectAsync();
        var name = body.RequiredString("name");
        var type = body.RequiredString("type");
        if (!SpaceTypes.All.Contains(type)) throw QlikApiException.BadRequest("'type' must be shared, managed or data.");
        return Http.Json(t.Write(ctx.Actor(), c =>
        {
            RequireUniqueName(c.State, name, null);
            var space = new SimSpace
            {
                Id = Ids.NewObjectId(), Name = name, Type = type, Description = body.OptionalString("description") ?? "",
                OwnerId = c.Actor.UserId, CreatedBy = c.Actor.UserId, CreatedAt = c.Now, UpdatedAt = c.Now,
            };
            c.State.Spaces.Add(space);
            Emit(c, "com.qlik.space.created", space);
            return Present(ctx.Request, c.State, c.Actor, space);
        }), StatusCodes.Status201Created);
    }

    private static async Task<IResult> Replace(HttpContext ctx, SimulatedTenant t, string spaceId)
    {
        var body = await ctx.Request.ReadJsonObjectAsync();
        return Http.Json(t.Write(ctx.Actor(), c =>
        {
            var space = c.State.VisibleSpace(c.Actor, spaceId);
            RequireManage(c.State, c.Actor, space);
            Apply(c, space, body.OptionalString("name"), body.OptionalString("ownerId"), body.OptionalString("description"));
            return Present(ctx.Request, c.State, c.Actor, space);
        }));
    }

    private static async Task<IResult> Patch(HttpContext ctx, SimulatedTenant t, string spaceId)
    {
        var ops = JsonPatch.Parse(await ctx.Request.ReadJsonAsync());
        return Http.Json(t.Write(ctx.Actor(), c =>
        {
            var space = c.State.VisibleSpace(c.Actor, spaceId);
            RequireManage(c.State, c.Actor, space);
            var current = new JsonObject { ["name"] = space.Name, ["ownerId"] = space.OwnerId, ["description"] = space.Description };
            JsonPatch.Apply(current, ops, ["name", "ownerId", "description"]);
            Apply(c, space, current.Str("name"), current.Str("ownerId"), current.Str("description") ?? "");
            return Present(ctx.Request, c.State, c.Actor, space);
        }));
    }

    private static void Apply(TenantChange c, SimSpace space, string? name, string? ownerId, string? description)
    {
        if (name is not null)
        {
            if (string.IsNullOrWhiteSpace(name)) throw QlikApiException.BadRequest("'name' must not be empty.");
            RequireUniqueName(c.State, name, space.Id);
            space.Name = name;
        }
        if (ownerId is not null)
        {
            if (c.State.FindUser(ownerId) is null) throw QlikApiException.BadRequest($"User '{ownerId}' does not exist.");
            space.OwnerId = ownerId;
        }
        if (description is not null) space.Description = description;
        space.UpdatedAt = c.Now;
        Emit(c, "com.qlik.space.updated", space);
    }

    private static IResult Delete(HttpContext ctx, SimulatedTenant t, string spaceId)
    {
        t.Write(ctx.Actor(), c =>
        {
            var space = c.State.VisibleSpace(c.Actor, spaceId);
            RequireManage(c.State, c.Actor, space);
            var holdsContent = c.State.Apps.Any(a => a.SpaceId == space.Id)
                || c.State.Resource(ResourceKinds.DataConnections).Any(d => d.Str("space") == space.Id)
                || c.State.Resource(ResourceKinds.AutomationConnections).Any(d => d.Str("spaceId") == space.Id);
            if (holdsContent) throw new QlikApiException(412, "SPACE-412", "Precondition Failed", $"Space '{space.Id}' is not empty.");
            c.State.SpaceAssignments.RemoveAll(a => a.SpaceId == space.Id);
            c.State.Spaces.Remove(space);
            Emit(c, "com.qlik.space.deleted", space);
        });
        return Results.NoContent();
    }

    private static void RequireUniqueName(TenantState s, string name, string? exceptId)
    {
        if (s.Spaces.Any(x => x.Id != exceptId && string.Equals(x.Name, name, StringComparison.OrdinalIgnoreCase)))
            throw QlikApiException.Conflict($"A space named '{name}' already exists.");
    }

    private static void Emit(TenantChange c, string type, SimSpace space)
        => c.Emit(type, Source, new JsonObject { ["id"] = space.Id, ["name"] = space.Name, ["type"] = space.Type }, space.Id, space.OwnerId, space.Id);

    // ---- assignments ----

    private static JsonObject PresentAssignment(HttpRequest request, TenantState s, SimSpaceAssignment a) => new()
    {
        ["id"] = a.Id,
        ["type"] = a.Type,
        ["assigneeId"] = a.AssigneeId,
        ["roles"] = new JsonArray(a.Roles.Select(r => (JsonNode)r).ToArray()),
        ["spaceId"] = a.SpaceId,
        ["tenantId"] = s.Tenant.Id,
        ["createdAt"] = Http.Fmt(a.CreatedAt),
        ["createdBy"] = a.CreatedBy,
        ["updatedAt"] = Http.Fmt(a.UpdatedAt),
        ["updatedBy"] = a.UpdatedBy,
        ["links"] = new JsonObject
        {
            ["self"] = new JsonObject { ["href"] = request.Href($"/api/v1/spaces/{a.SpaceId}/assignments/{a.Id}") },
            ["space"] = new JsonObject { ["href"] = request.Href($"/api/v1/spaces/{a.SpaceId}") },
        },
    };

    private static SimSpaceAssignment FindAssignment(TenantState s, SimulatedActor actor, string spaceId, string assignmentId)
    {
        s.VisibleSpace(actor, spaceId);
        return s.SpaceAssignments.FirstOrDefault(a => a.SpaceId == spaceId && a.Id == assignmentId)
               ?? throw QlikApiException.NotFound("Assignment", assignmentId);
    }

    private static IResult ListAssignments(HttpContext ctx, SimulatedTenant t, string spaceId)
    {
        var q = ctx.Request;
        var (items, page) = t.Read(s =>
        {
            s.VisibleSpace(ctx.Actor(), spaceId);
            var all = s.SpaceAssignments
                .Where(a => a.SpaceId == spaceId && JsonResourcesApi.Matches(q, "type", a.Type) && JsonResourcesApi.Matches(q, "assigneeId", a.AssigneeId))
                .ToList();
            var p = Paging.Paginate(q, all, ListPaging, a => a.Id);
            return (p.Items.Select(a => (JsonNode)PresentAssignment(q, s, a)).ToArray(), p);
        });
        return Http.Json(new JsonObject { ["data"] = new JsonArray(items), ["meta"] = new JsonObject { ["count"] = page.Total }, ["links"] = page.Links });
    }

    private static async Task<IResult> CreateAssignment(HttpContext ctx, SimulatedTenant t, string spaceId)
    {
        var body = await ctx.Request.ReadJsonObjectAsync();
        var type = body.OptionalString("type") ?? "user";
        var assigneeId = body.RequiredString("assigneeId");
        var roles = body.OptionalStrings("roles") ?? throw QlikApiException.BadRequest("'roles' is required.");
        return Http.Json(t.Write(ctx.Actor(), c =>
        {
            var space = c.State.VisibleSpace(c.Actor, spaceId);
            RequireManage(c.State, c.Actor, space);
            if (type is not ("user" or "group")) throw QlikApiException.BadRequest("'type' must be user or group.");
            if (type == "user" ? c.State.FindUser(assigneeId) is null : c.State.FindGroup(assigneeId) is null)
                throw QlikApiException.BadRequest($"The {type} '{assigneeId}' does not exist.");
            ValidateRoles(space, roles);
            if (c.State.SpaceAssignments.Any(a => a.SpaceId == spaceId && a.AssigneeId == assigneeId))
                throw QlikApiException.Conflict($"'{assigneeId}' is already assigned to space '{spaceId}'.");
            var assignment = new SimSpaceAssignment
            {
                Id = Ids.NewObjectId(), SpaceId = spaceId, Type = type, AssigneeId = assigneeId, Roles = roles,
                CreatedAt = c.Now, CreatedBy = c.Actor.UserId, UpdatedAt = c.Now, UpdatedBy = c.Actor.UserId,
            };
            c.State.SpaceAssignments.Add(assignment);
            EmitAssignment(c, "created", space, assignment);
            return PresentAssignment(ctx.Request, c.State, assignment);
        }), StatusCodes.Status201Created);
    }

    private static async Task<IResult> UpdateAssignment(HttpContext ctx, SimulatedTenant t, string spaceId, string assignmentId)
    {
        var roles = (await ctx.Request.ReadJsonObjectAsync()).OptionalStrings("roles") ?? throw QlikApiException.BadRequest("'roles' is required.");
        return Http.Json(t.Write(ctx.Actor(), c =>
        {
            var a = FindAssignment(c.State, c.Actor, spaceId, assignmentId);
            var space = c.State.FindSpace(spaceId)!;
            RequireManage(c.State, c.Actor, space);
            ValidateRoles(space, roles);
            a.Roles = roles;
            a.UpdatedAt = c.Now;
            a.UpdatedBy = c.Actor.UserId;
            EmitAssignment(c, "updated", space, a);
            return PresentAssignment(ctx.Request, c.State, a);
        }));
    }

    private static IResult DeleteAssignment(HttpContext ctx, SimulatedTenant t, string spaceId, string assignmentId)
    {
        t.Write(ctx.Actor(), c =>
        {
            var a = FindAssignment(c.State, c.Actor, spaceId, assignmentId);
            var space = c.State.FindSpace(spaceId)!;
            RequireManage(c.State, c.Actor, space);
            c.State.SpaceAssignments.Remove(a);
            EmitAssignment(c, "deleted", space, a);
        });
        return Results.NoContent();
    }

    private static void ValidateRoles(SimSpace space, List<string> roles)
    {
        if (roles.Count == 0) throw QlikApiException.BadRequest("'roles' must not be empty.");
        var bad = roles.Where(r => !AssignableRoles[space.Type].Contains(r)).ToList();
        if (bad.Count > 0) throw QlikApiException.BadRequest($"Roles not valid in a {space.Type} space: {string.Join(", ", bad)}.");
    }

    private static void EmitAssignment(TenantChange c, string verb, SimSpace space, SimSpaceAssignment a)
        => c.Emit($"com.qlik.space.assignment.{verb}", Source,
            new JsonObject { ["id"] = a.Id, ["spaceId"] = space.Id, ["assigneeId"] = a.AssigneeId, ["type"] = a.Type, ["roles"] = new JsonArray(a.Roles.Select(r => (JsonNode)r).ToArray()) },
            space.Id, space.OwnerId, space.Id);
}
