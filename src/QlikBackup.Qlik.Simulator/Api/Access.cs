using QlikBackup.Qlik.Simulator.Model;

namespace QlikBackup.Qlik.Simulator.Api;

/// <summary>Who may see what: tenant admins see every space, members see their spaces, personal content is its owner's only.</summary>
public static class Access
{
    public static bool IsAdmin(this TenantState s, SimulatedActor actor) => s.FindUser(actor.UserId)?.IsTenantAdmin == true;

    public static void RequireAdmin(this TenantState s, SimulatedActor actor)
    {
        if (!s.IsAdmin(actor)) throw QlikApiException.Forbidden("This operation needs the TenantAdmin role.");
    }

    /// <summary>Roles of a user in a space, directly or through groups.</summary>
    public static IEnumerable<string> SpaceRoles(this TenantState s, string userId, string spaceId)
    {
        var groups = s.FindUser(userId)?.AssignedGroups ?? [];
        return s.SpaceAssignments
            .Where(a => a.SpaceId == spaceId && ((a.Type == "user" && a.AssigneeId == userId) || (a.Type == "group" && groups.Contains(a.AssigneeId))))
            .SelectMany(a => a.Roles)
            .Distinct();
    }

    public static bool CanSeeSpace(this TenantState s, SimulatedActor actor, SimSpace space)
        => space.OwnerId == actor.UserId || s.IsAdmin(actor) || s.SpaceRoles(actor.UserId, space.Id).Any();

    public static bool CanSeeApp(this TenantState s, SimulatedActor actor, SimApp app)
        => app.OwnerId == actor.UserId
           || (app.SpaceId is { } spaceId && s.FindSpace(spaceId) is { } space && s.CanSeeSpace(actor, space));

    /// <summary>Finds an app the caller can see; otherwise 404 (Qlik does not reveal the existence of hidden apps).</summary>
    public static SimApp VisibleApp(this TenantState s, SimulatedActor actor, string appId)
        => s.FindApp(appId) is { } app && s.CanSeeApp(actor, app) ? app : throw QlikApiException.NotFound("App", appId);

    public static SimSpace VisibleSpace(this TenantState s, SimulatedActor actor, string spaceId)
        => s.FindSpace(spaceId) is { } space && s.CanSeeSpace(actor, space) ? space : throw QlikApiException.NotFound("Space", spaceId);

    /// <summary>Owner, admin, or a space role that allows editing content.</summary>
    public static bool CanEditApp(this TenantState s, SimulatedActor actor, SimApp app)
        => app.OwnerId == actor.UserId || s.IsAdmin(actor)
           || (app.SpaceId is { } sp && s.SpaceRoles(actor.UserId, sp).Intersect(["producer", "contributor", "codeveloper", "facilitator", "publisher"]).Any());

    public static void RequireEdit(this TenantState s, SimulatedActor actor, SimApp app)
    {
        if (!s.CanEditApp(actor, app)) throw QlikApiException.Forbidden($"No permission to change app '{app.Id}'.");
    }
}
