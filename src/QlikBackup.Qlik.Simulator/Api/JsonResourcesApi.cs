using System.Text.Json.Nodes;
using QlikBackup.Qlik.Simulator.Model;

namespace QlikBackup.Qlik.Simulator.Api;

/// <summary>The JSON-shaped resources served through <see cref="JsonCollection"/>, plus their few action endpoints.</summary>
public static class JsonResourcesApi
{
    public static readonly JsonCollectionSpec ReloadTasks = new()
    {
        Kind = ResourceKinds.ReloadTasks, Path = "/api/v1/reload-tasks", IdParam = "taskId",
        Ops = CollectionOps.Crud | CollectionOps.Put, EventPrefix = "com.qlik.v1.reload-task", Source = "com.qlik/reload-tasks",
        CreateFields = ["appId", "autoReload", "autoReloadPartial", "endDateTime", "partial", "recurrence", "startDateTime", "timeZone", "type"],
        UpdateFields = ["appId", "autoReload", "autoReloadPartial", "endDateTime", "partial", "recurrence", "startDateTime", "state", "timeZone"],
        Required = ["appId"], CreatedField = null, UpdatedField = null,
        SortFields = ["id", "appId"],
        OnCreate = (c, d) =>
        {
            var app = RequireApp(c, d);
            d["userId"] = c.Actor.UserId;
            d["spaceId"] = app.SpaceId;
            d["state"] = "Enabled";
            d["partial"] ??= false;
            d["autoReload"] ??= false;
            d["autoReloadPartial"] ??= false;
            d["recurrence"] ??= new JsonArray();
            d["log"] = "";
            d["disabledCode"] = "";
            ValidateRecurrence(d);
        },
        OnUpdate = (c, d) =>
        {
            d["spaceId"] = RequireApp(c, d).SpaceId;
            if (d.Str("state") is { } st && st is not ("Enabled" or "Disabled" or "Completed"))
                throw QlikApiException.BadRequest("'state' must be Enabled, Disabled or Completed.");
            ValidateRecurrence(d);
        },
        Filter = (q, d) => Matches(q, "appId", d.Str("appId")) && Matches(q, "partial", d["partial"]?.ToJsonString()),
    };

    public static readonly JsonCollectionSpec Reloads = new()
    {
        Kind = ResourceKinds.Reloads, Path = "/api/v1/reloads", IdParam = "reloadId",
        Ops = CollectionOps.List | CollectionOps.Create | CollectionOps.Get, EventPrefix = null, Source = "com.qlik/reloads",
        CreateFields = ["appId", "partial"], Required = ["appId"], CreatedField = null, UpdatedField = null,
        SortFields = ["id", "appId", "creationTime"],
        // Reloads complete at once: the data payload is "reloaded" (unchanged bytes) and the app records the time.
        OnCreate = (c, d) =>
        {
            var app = RequireApp(c, d);
            c.State.RequireEdit(c.Actor, app);
            var now = Http.Fmt(c.Now);
            d["userId"] = c.Actor.UserId;
            d["type"] = "hub";
            d["status"] = "SUCCEEDED";
            d["partial"] ??= false;
            d["log"] = "Reload finished successfully.";
            d["creationTime"] = now;
            d["startTime"] = now;
            d["endTime"] = now;
            d["engineTime"] = now;
            app.LastReloadTime = c.Now;
            app.Document.AppProperties["qLastReloadTime"] = now;
            c.AppSaved(app);
            c.EmitApp("com.qlik.v1.app.reload.finished", app, new JsonObject { ["reloadId"] = d.Str("id"), ["status"] = "ok" });
            c.Emit("com.qlik.v1.reload.finished", "com.qlik/reloads", new JsonObject { ["id"] = d.Str("id"), ["appId"] = app.Id, ["status"] = "SUCCEEDED" },
                app.SpaceId, app.OwnerId, app.Id);
        },
        Filter = (q, d) => Matches(q, "appId", d.Str("appId")) && Matches(q, "partial", d["partial"]?.ToJsonString()),
    };

    public static readonly JsonCollectionSpec Automations = new()
    {
        Kind = ResourceKinds.Automations, Path = "/api/v1/automations", IdParam = "id",
        Ops = CollectionOps.Crud | CollectionOps.Put, EventPrefix = "com.qlik.v1.automation", Source = "com.qlik/automations",
        Paging = new(CursorStyle.Next, 100, 200),
        // Automations belong to a space (2025+): spaceId is set on create and changed only by the change-space action.
        CreateFields = ["description", "name", "schedules", "spaceId", "state", "workspace"],
        UpdateFields = ["description", "name", "schedules", "state", "workspace"], Required = ["name"],
        SortFields = ["id", "name", "runMode", "state", "createdAt", "updatedAt"],
        OnCreate = (c, d) =>
        {
            if (d.Str("spaceId") is { } sp && c.State.FindSpace(sp) is null) throw QlikApiException.BadRequest($"Space '{sp}' does not exist.");
            d["ownerId"] = c.Actor.UserId;
            d["state"] ??= "available";
            d["workspace"] ??= new JsonObject();
            d["schedules"] ??= new JsonArray();
            d["executionToken"] = Ids.NewToken();
            d["lastRunStatus"] = "not started";
            d["connectorIds"] = new JsonArray();
            d["endpointIds"] = new JsonArray();
            d["snippetIds"] = new JsonArray();
            DeriveAutomation(d);
        },
        OnUpdate = (_, d) => DeriveAutomation(d),
        Filter = (q, d) => Matches(q, "ownerId", d.Str("ownerId")) && Matches(q, "spaceId", d.Str("spaceId")),
    };

    public static readonly JsonCollectionSpec AutomationConnections = new()
    {
        Kind = ResourceKinds.AutomationConnections, Path = "/api/v1/automation-connections", IdParam = "id",
        Ops = CollectionOps.Crud | CollectionOps.Put, EventPrefix = "com.qlik.v1.automation-connection", Source = "com.qlik/automations",
        Paging = new(CursorStyle.Next, 100, 200),
        CreateFields = ["connectorId", "name", "params", "spaceId"], UpdateFields = ["name", "params"], Required = ["name", "connectorId"],
        OnCreate = (c, d) =>
        {
            d["ownerId"] = c.Actor.UserId;
            d["isConnected"] = true;
            d["params"] ??= new JsonArray();
            if (d.Str("spaceId") is { } sp && c.State.FindSpace(sp) is null) throw QlikApiException.BadRequest($"Space '{sp}' does not exist.");
        },
        Redact = RedactParams,
    };

    public static readonly JsonCollectionSpec DataConnections = new()
    {
        Kind = ResourceKinds.DataConnections, Path = "/api/v1/data-connections", IdParam = "qID",
        Ops = CollectionOps.Crud | CollectionOps.Put | CollectionOps.Patch, EventPrefix = "com.qlik.v1.data-connection", Source = "com.qlik/data-connections",
        Paging = new(CursorStyle.Page, 32, 100), PutReturnsBody = false, CreatedField = "created", UpdatedField = "updated",
        CreateFields = ["datasourceID", "qArchitecture", "qConnectStatement", "qConnectionSecret", "qCredentialsID", "qCredentialsName",
            "qEngineObjectID", "qLogOn", "qName", "qPassword", "qSeparateCredentials", "qType", "qUsername", "space", "tags"],
        UpdateFields = ["datasourceID", "qArchitecture", "qConnectStatement", "qConnectionSecret", "qCredentialsID", "qCredentialsName",
            "qEngineObjectID", "qLogOn", "qName", "qPassword", "qSeparateCredentials", "qType", "qUsername", "space"],
        Required = ["qName", "qConnectStatement", "qType"],
        WriteOnly = ["qPassword", "qUsername"],
        SortFields = ["qName", "qType", "created", "updated"],
        OnCreate = (c, d) =>
        {
            d["user"] = c.Actor.UserId;
            d["qLogOn"] ??= "0";
            d["qSeparateCredentials"] ??= false;
            d["privileges"] = new JsonArray("read", "update", "delete", "list");
            ValidateConnection(c, d);
        },
        OnUpdate = ValidateConnection,
        Filter = (q, d) =>
        {
            if (q.QueryBool("personal") == true && d.Str("space") is not null) return false;
            if (q.QueryBool("ownedByMe") == true && d.Str("user") != q.HttpContext.Actor().UserId) return false;
            return Matches(q, "spaceId", d.Str("space")) && Matches(q, "userId", d.Str("user"));
        },
    };

    public static readonly JsonCollectionSpec Webhooks = new()
    {
        Kind = ResourceKinds.Webhooks, Path = "/api/v1/webhooks", IdParam = "id",
        Ops = CollectionOps.Crud | CollectionOps.Put | CollectionOps.Patch, EventPrefix = "com.qlik.v1.webhook", Source = "com.qlik/webhooks",
        Paging = new(CursorStyle.Next, 20, 100), DefaultSort = null,
        CreateFields = ["checkCertificateRevocation", "description", "enabled", "eventTypes", "filter", "headers", "level", "name", "secret", "url"],
        Required = ["name", "url"], WriteOnly = ["secret"],
        OnCreate = (c, d) =>
        {
            d["ownerId"] = c.Actor.UserId;
            d["createdByUserId"] = c.Actor.UserId;
            d["updatedByUserId"] = c.Actor.UserId;
            d["origin"] = "api";
            d["enabled"] ??= false;
            d["level"] ??= "tenant";
            d["eventTypes"] ??= new JsonArray();
            d["checkCertificateRevocation"] ??= true;
            ValidateWebhook(d);
        },
        OnUpdate = (c, d) =>
        {
            d["updatedByUserId"] = c.Actor.UserId;
            ValidateWebhook(d);
        },
        Filter = (q, d) => Matches(q, "enabled", d["enabled"]?.ToJsonString()) && Matches(q, "level", d.Str("level"))
            && Matches(q, "name", d.Str("name")) && Matches(q, "url", d.Str("url")) && Matches(q, "ownerId", d.Str("ownerId"))
            && (q.Query("eventTypes") is not { } types || types.Split(',').All(t => d["eventTypes"]?.AsArray().Any(e => e?.GetValue<string>() == t) == true)),
    };

    public static readonly JsonCollectionSpec IdentityProviders = new()
    {
        Kind = ResourceKinds.IdentityProviders, Path = "/api/v1/identity-providers", IdParam = "id",
        Ops = CollectionOps.Crud | CollectionOps.Patch, EventPrefix = "com.qlik.v1.identity-provider", Source = "com.qlik/identity-providers",
        Paging = new(CursorStyle.Next, 20, 100), CreatedField = "created", UpdatedField = "lastUpdated",
        CreateFields = ["clockToleranceSec", "createNewUsersOnLogin", "description", "interactive", "options", "pendingOptions",
            "postLogoutRedirectUri", "protocol", "provider", "skipVerify", "tenantIds"],
        UpdateFields = ["active", "clockToleranceSec", "createNewUsersOnLogin", "description", "interactive", "options", "pendingOptions", "postLogoutRedirectUri"],
        Required = ["protocol", "provider"],
        OnCreate = (c, d) =>
        {
            c.State.RequireAdmin(c.Actor);
            d["active"] = false;
            d["interactive"] ??= true;
            d["tenantIds"] ??= new JsonArray(c.State.Tenant.Id);
            d["meta"] = new JsonObject();
        },
        Redact = d => { foreach (var key in new[] { "options", "pendingOptions" }) if (d[key] is JsonObject o) o.Remove("clientSecret"); },
        // Qlik guards IdP changes with an optimistic hash: GET returns QLIK-IDP-POPTS, PATCH must echo it (else 412).
        OnGet = (ctx, d) => ctx.Response.Headers["QLIK-IDP-POPTS"] = IdpOptionsHash(d),
        BeforePatch = (ctx, d) =>
        {
            if (ctx.Request.Headers["QLIK-IDP-POPTS-MATCH"].ToString() != IdpOptionsHash(d))
                throw new QlikApiException(412, "IDP-412", "Precondition Failed", "Missing QLIK-IDP-POPTS-MATCH header, or it does not match the current configuration.");
        },
        Filter = (q, d) => Matches(q, "active", d["active"]?.ToJsonString()),
    };

    public static readonly JsonCollectionSpec DataAlerts = new()
    {
        Kind = ResourceKinds.DataAlerts, Path = "/api/v1/data-alerts", IdParam = "alertId",
        Ops = CollectionOps.Crud | CollectionOps.Patch, EventPrefix = "com.qlik.v1.data-alert", Source = "com.qlik/data-alerts",
        Paging = new(CursorStyle.Offset, 20, 100), ListProperty = "tasks", CreateStatus = StatusCodes.Status202Accepted,
        CreatedField = "dateCreated", UpdatedField = "lastUpdated",
        CreateFields = ["appId", "bookmarkId", "conditionId", "description", "enabled", "name", "recipients", "scheduleOptions", "sheetId", "throttling", "triggerType"],
        UpdateFields = ["bookmarkId", "conditionId", "description", "enabled", "name", "recipients", "scheduleOptions", "sheetId", "throttling", "triggerType"],
        Required = ["appId", "name", "conditionId"],
        SortFields = ["id", "name", "dateCreated", "lastUpdated"],
        OnCreate = (c, d) =>
        {
            RequireApp(c, d);
            d["ownerId"] = c.Actor.UserId;
            d["ownerName"] = c.State.FindUser(c.Actor.UserId)?.Name;
            d["enabled"] ??= true;
            d["status"] = "ACTIVE";
            d["triggerType"] ??= "RELOAD";
        },
        Filter = (q, d) => Matches(q, "appID", d.Str("appId")) && Matches(q, "ownerId", d.Str("ownerId")),
        DecorateList = (body, total) => { body["totalCount"] = total; body["currentPageCount"] = body["tasks"]!.AsArray().Count; },
    };

    public static readonly JsonCollectionSpec SharingTasks = new()
    {
        Kind = ResourceKinds.SharingTasks, Path = "/api/v1/sharing-tasks", IdParam = "taskId",
        Ops = CollectionOps.Crud | CollectionOps.Patch, EventPrefix = "com.qlik.v1.sharing-task", Source = "com.qlik/sharing-tasks",
        Paging = new(CursorStyle.Offset, 20, 100), ListProperty = "sharingTasks", CreatedField = "dateCreated", UpdatedField = "lastUpdated",
        CreateFields = ["appName", "dataConnectionID", "description", "distributionListId", "emailContent", "enabled", "executeOnCreation", "expiration",
            "message", "name", "recipients", "retentionPolicy", "scheduleOptions", "sharePointFolder", "spaceId", "startTime", "state", "subType",
            "tags", "templates", "transportChannels", "trigger", "type"],
        Required = ["name", "type", "templates"],
        SortFields = ["id", "name", "dateCreated", "lastUpdated"],
        OnCreate = (c, d) =>
        {
            // The app is named inside the templates (chartData/sheetData/... appId), as in Qlik's report templates.
            var appId = FindAppId(d["templates"]) ?? throw QlikApiException.BadRequest("The templates must reference an appId.");
            if (c.State.FindApp(appId) is null) throw QlikApiException.BadRequest($"App '{appId}' does not exist.");
            d["appId"] = appId;
            d["owner"] = c.Actor.UserId;
            d["createdBy"] = c.Actor.UserId;
            d["ownerName"] = c.State.FindUser(c.Actor.UserId)?.Name;
            d["enabled"] ??= true;
            d["statusCode"] = "ok";
        },
        Filter = (q, d) => Matches(q, "appid", d.Str("appId")) && Matches(q, "owner", d.Str("owner")) && Matches(q, "type", d.Str("type")),
        DecorateList = (body, total) => { body["totalCount"] = total; body["currentPageCount"] = body["sharingTasks"]!.AsArray().Count; },
    };

    public static void Map(WebApplication app)
    {
        foreach (var spec in new[] { ReloadTasks, Reloads, Automations, AutomationConnections, DataConnections, Webhooks, IdentityProviders, DataAlerts, SharingTasks })
            JsonCollection.Map(app, spec);

        app.MapGet("/api/v1/webhooks/event-types", () => Http.Json(new JsonObject
        {
            ["data"] = new JsonArray(EventTypes.All.Select(e => (JsonNode)new JsonObject
            {
                ["name"] = e.Name, ["title"] = e.Title, ["description"] = e.Title, ["levels"] = new JsonArray("tenant", "user"),
            }).ToArray()),
        }));

        MapAutomationActions(app);
        MapAutomationConnectionActions(app);
    }

    private static void MapAutomationActions(WebApplication app)
    {
        const string item = "/api/v1/automations/{id}";
        app.MapPost(item + "/actions/enable", (HttpContext ctx, SimulatedTenant t) => SetAutomationState(ctx, t, "available"));
        app.MapPost(item + "/actions/disable", (HttpContext ctx, SimulatedTenant t) => SetAutomationState(ctx, t, "disabled"));
        app.MapPost(item + "/actions/copy", async (HttpContext ctx, SimulatedTenant t) =>
        {
            var name = (await ctx.Request.ReadJsonObjectAsync()).RequiredString("name");
            var id = t.Write(ctx.Actor(), c =>
            {
                var copy = JsonCollection.Find(c.State, Automations, JsonCollection.Id(ctx, Automations)).DeepClone().AsObject();
                copy["id"] = Ids.NewObjectId();
                copy["name"] = name;
                copy["ownerId"] = c.Actor.UserId;
                copy["executionToken"] = Ids.NewToken();
                copy["createdAt"] = copy["updatedAt"] = Http.Fmt(c.Now);
                c.State.Resource(ResourceKinds.Automations).Add(copy);
                c.Emit("com.qlik.v1.automation.created", Automations.Source, new JsonObject { ["id"] = copy.Str("id"), ["name"] = name }, null, c.Actor.UserId, copy.Str("id"));
                return copy.Str("id");
            });
            return Http.Json(new JsonObject { ["id"] = id }, StatusCodes.Status201Created);
        });
        // "move" is the older name of change-owner.
        MapChangeOwner(app, item + "/actions/move", Automations);
        MapChangeOwner(app, item + "/actions/change-owner", Automations);
        MapChangeSpace(app, item + "/actions/change-space", Automations);
    }

    /// <summary>Qlik's change-owner action of automations and automation connections: body {userId}.</summary>
    private static void MapChangeOwner(WebApplication app, string path, JsonCollectionSpec spec)
        => app.MapPost(path, async (HttpContext ctx, SimulatedTenant t) =>
        {
            var userId = (await ctx.Request.ReadJsonObjectAsync()).RequiredString("userId");
            ChangeField(ctx, t, spec, "ownerId", userId, s => s.FindUser(userId) is not null, "User");
            return Results.NoContent();
        });

    /// <summary>Qlik's change-space action of automations and automation connections: body {spaceId}.</summary>
    private static void MapChangeSpace(WebApplication app, string path, JsonCollectionSpec spec)
        => app.MapPost(path, async (HttpContext ctx, SimulatedTenant t) =>
        {
            var spaceId = (await ctx.Request.ReadJsonObjectAsync()).RequiredString("spaceId");
            ChangeField(ctx, t, spec, "spaceId", spaceId, s => s.FindSpace(spaceId) is not null, "Space");
            return Results.NoContent();
        });

    private static void MapAutomationConnectionActions(WebApplication app)
    {
        const string item = "/api/v1/automation-connections/{id}";
        app.MapPost(item + "/actions/check", (HttpContext ctx, SimulatedTenant t) => Http.Json(new JsonObject
        {
            ["isConnected"] = t.Read(s => JsonCollection.Find(s, AutomationConnections, JsonCollection.Id(ctx, AutomationConnections))["isConnected"]?.GetValue<bool>() ?? false),
        }));
        MapChangeOwner(app, item + "/actions/change-owner", AutomationConnections);
        MapChangeSpace(app, item + "/actions/change-space", AutomationConnections);
    }

    private static IResult SetAutomationState(HttpContext ctx, SimulatedTenant t, string state)
    {
        ChangeField(ctx, t, Automations, "state", state, _ => true, "");
        return Results.NoContent();
    }

    private static void ChangeField(HttpContext ctx, SimulatedTenant t, JsonCollectionSpec spec, string field, string value,
        Func<TenantState, bool> valid, string what)
        => t.Write(ctx.Actor(), c =>
        {
            var d = JsonCollection.Find(c.State, spec, JsonCollection.Id(ctx, spec));
            if (!valid(c.State)) throw QlikApiException.BadRequest($"{what} '{value}' does not exist.");
            d[field] = value;
            d["updatedAt"] = Http.Fmt(c.Now);
            c.Emit($"{spec.EventPrefix}.updated", spec.Source, new JsonObject { ["id"] = d.Str("id"), [field] = value }, d.Str("spaceId"), d.Str("ownerId"), d.Str("id"));
        });

    private static SimApp RequireApp(TenantChange c, JsonObject d)
    {
        var appId = d.Str("appId") ?? throw QlikApiException.BadRequest("'appId' is required.");
        return c.State.FindApp(appId) is { } app && c.State.CanSeeApp(c.Actor, app)
            ? app
            : throw QlikApiException.BadRequest($"App '{appId}' does not exist or is not accessible.");
    }

    private static void ValidateRecurrence(JsonObject d)
    {
        if (d["recurrence"] is not JsonArray rules) throw QlikApiException.BadRequest("'recurrence' must be an array of RRULE strings.");
        foreach (var r in rules)
            if (r is not JsonValue v || !v.TryGetValue<string>(out var s) || !s.Contains("FREQ=", StringComparison.Ordinal))
                throw QlikApiException.BadRequest("Each 'recurrence' entry must be an RRULE string (e.g. RRULE:FREQ=DAILY;BYHOUR=2).");
    }

    private static void DeriveAutomation(JsonObject d)
    {
        if (d.Str("state") is not ("available" or "unavailable" or "disabled"))
            throw QlikApiException.BadRequest("'state' must be available, unavailable or disabled.");
        d["runMode"] = d["schedules"] is JsonArray { Count: > 0 } ? "scheduled" : "manual";
    }

    private static void ValidateConnection(TenantChange c, JsonObject d)
    {
        var space = d.Str("space");
        if (space is not null && c.State.FindSpace(space) is null) throw QlikApiException.BadRequest($"Space '{space}' does not exist.");
        var name = d.Str("qName");
        var id = d.Str("qID");
        if (c.State.Resource(ResourceKinds.DataConnections).Any(o => o.Str("qID") != id && o.Str("qName") == name && o.Str("space") == space))
            throw QlikApiException.Conflict($"A data connection named '{name}' already exists in this space.");
    }

    private static void ValidateWebhook(JsonObject d)
    {
        if (!Uri.TryCreate(d.Str("url"), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw QlikApiException.BadRequest("'url' must be an absolute http(s) URL.");
        if (d["eventTypes"] is not JsonArray types) throw QlikApiException.BadRequest("'eventTypes' must be an array.");
        foreach (var t in types)
            if (t is not JsonValue v || !v.TryGetValue<string>(out var name) || !EventTypes.IsKnown(name))
                throw QlikApiException.BadRequest($"Unknown event type {t?.ToJsonString()}.");
        if (d.Str("level") is not ("tenant" or "user")) throw QlikApiException.BadRequest("'level' must be tenant or user.");
    }

    private static void RedactParams(JsonObject d)
    {
        // Connection secrets (passwords, tokens) are write-only in Qlik.
        if (d["params"] is JsonArray ps)
            foreach (var p in ps.OfType<JsonObject>())
                if (p.Str("name") is { } n && (n.Contains("password", StringComparison.OrdinalIgnoreCase) || n.Contains("secret", StringComparison.OrdinalIgnoreCase) || n.Contains("token", StringComparison.OrdinalIgnoreCase)))
                    p.Remove("value");
    }

    private static string IdpOptionsHash(JsonObject d)
    {
        var text = (d["options"]?.ToJsonString() ?? "") + "|" + (d["pendingOptions"]?.ToJsonString() ?? "");
        return new Guid(System.Security.Cryptography.MD5.HashData(System.Text.Encoding.UTF8.GetBytes(text))).ToString();
    }

    private static string? FindAppId(JsonNode? node) => node switch
    {
        JsonObject o => o.Str("appId") ?? o.Select(kv => FindAppId(kv.Value)).FirstOrDefault(x => x is not null),
        JsonArray a => a.Select(FindAppId).FirstOrDefault(x => x is not null),
        _ => null,
    };

    /// <summary>True when the query parameter is absent or equals the value (case-insensitive).</summary>
    public static bool Matches(HttpRequest q, string name, string? value)
        => q.Query(name) is not { } wanted || string.Equals(wanted, value, StringComparison.OrdinalIgnoreCase);
}
