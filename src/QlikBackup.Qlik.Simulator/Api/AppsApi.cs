using System.Text.Json.Nodes;
using QlikBackup.Qlik.Simulator.Model;

namespace QlikBackup.Qlik.Simulator.Api;

/// <summary>/api/v1/apps: attributes, create/update/delete, export/import (QVF via temp-contents), copy, publish, space, owner, object owner, scripts.</summary>
public static class AppsApi
{
    private const string Source = "com.qlik/engine";

    public static void Map(WebApplication app)
    {
        app.MapPost("/api/v1/apps", Create);
        app.MapGet("/api/v1/apps/{appId}", (HttpContext ctx, SimulatedTenant t, string appId)
            => Http.Json(t.Read(s => Present(s, ctx.Actor(), s.VisibleApp(ctx.Actor(), appId)))));
        app.MapPut("/api/v1/apps/{appId}", Update);
        app.MapDelete("/api/v1/apps/{appId}", Delete);
        app.MapPost("/api/v1/apps/{appId}/export", Export);
        app.MapPost("/api/v1/apps/import", Import);
        app.MapPost("/api/v1/apps/{appId}/copy", Copy);
        app.MapPost("/api/v1/apps/{appId}/publish", Publish);
        app.MapPut("/api/v1/apps/{appId}/publish", Republish);
        app.MapPut("/api/v1/apps/{appId}/space", MoveToSpace);
        app.MapDelete("/api/v1/apps/{appId}/space", (HttpContext ctx, SimulatedTenant t, string appId) => ChangeSpace(ctx, t, appId, null));
        app.MapPut("/api/v1/apps/{appId}/owner", ChangeOwner);
        app.MapPost("/api/v1/apps/{appId}/objects/{objectId}/actions/change-owner", ChangeObjectOwner);
        app.MapPost("/api/analytics/apps/{appId}/actions/restore", RestoreDeleted);
        AppScriptsApi.Map(app);
    }

    /// <summary>NxApp: <c>{attributes{...}, privileges[], create[]}</c> as seen by <paramref name="actor"/>.</summary>
    public static JsonObject Present(TenantState s, SimulatedActor actor, SimApp app)
    {
        var canEdit = s.CanEditApp(actor, app);
        var privileges = new JsonArray("read", "export", "exportdata");
        if (canEdit) foreach (var p in new[] { "update", "delete", "reload", "import", "publish", "duplicate", "change_owner", "change_space" }) privileges.Add(p);
        return new JsonObject
        {
            ["attributes"] = new JsonObject
            {
                ["id"] = app.Id,
                ["name"] = app.Name,
                ["description"] = app.Description,
                ["thumbnail"] = app.Thumbnail,
                ["lastReloadTime"] = Http.Fmt(app.LastReloadTime) ?? "",
                ["createdDate"] = Http.Fmt(app.CreatedDate),
                ["modifiedDate"] = Http.Fmt(app.ModifiedDate),
                ["owner"] = s.FindUser(app.OwnerId)?.Subject ?? "",
                ["ownerId"] = app.OwnerId,
                ["dynamicColor"] = "",
                ["published"] = app.Published,
                ["publishTime"] = Http.Fmt(app.PublishTime) ?? "",
                ["custom"] = new JsonObject(),
                ["hasSectionAccess"] = app.HasSectionAccess,
                ["encrypted"] = app.Encrypted,
                ["originAppId"] = app.OriginAppId ?? "",
                ["spaceId"] = app.SpaceId ?? "",
                ["usage"] = app.Usage,
                ["isDirectQueryMode"] = false,
                ["_resourcetype"] = "app",
            },
            ["privileges"] = privileges,
            ["create"] = new JsonArray(
                new JsonObject { ["resource"] = "sheet", ["canCreate"] = canEdit || !app.Published },
                new JsonObject { ["resource"] = "bookmark", ["canCreate"] = true }),
        };
    }

    private static async Task<IResult> Create(HttpContext ctx, SimulatedTenant t)
    {
        var attributes = await ReadAttributesAsync(ctx.Request);
        var name = attributes.RequiredString("name");
        var result = t.Write(ctx.Actor(), c =>
        {
            var spaceId = TargetSpace(c, attributes.OptionalString("spaceId"), "create apps in");
            var doc = new SimulatedAppDocument
            {
                Script = "///$tab Main\r\nSET ThousandSep=',';\r\nSET DecimalSep='.';\r\n",
                AppProperties = NewAppProperties(name, attributes.OptionalString("usage") ?? "ANALYTICS"),
            };
            var created = NewApp(c, name, attributes.OptionalString("description") ?? "", spaceId, doc);
            created.Usage = attributes.OptionalString("usage") ?? "ANALYTICS";
            return Present(c.State, c.Actor, created);
        });
        return Http.Json(result);
    }

    private static async Task<IResult> Update(HttpContext ctx, SimulatedTenant t, string appId)
    {
        var attributes = await ReadAttributesAsync(ctx.Request);
        return Http.Json(t.Write(ctx.Actor(), c =>
        {
            var app = c.State.VisibleApp(c.Actor, appId);
            c.State.RequireEdit(c.Actor, app);
            if (attributes.OptionalString("name") is { } name)
            {
                if (string.IsNullOrWhiteSpace(name)) throw QlikApiException.BadRequest("'name' must not be empty.");
                app.Name = name;
                app.Document.AppProperties["qTitle"] = name;
            }
            if (attributes.OptionalString("description") is { } description) app.Description = description;
            c.AppSaved(app);
            return Present(c.State, c.Actor, app);
        }));
    }

    /// <summary>
    /// Reference §15: an app older than 45 minutes is soft-deleted (kept 14 days, restorable with its id); a younger one is
    /// hard-deleted. Either way Qlik deletes its data alerts and subscriptions (sharing tasks) with it.
    /// </summary>
    private static IResult Delete(HttpContext ctx, SimulatedTenant t, string appId)
    {
        t.Write(ctx.Actor(), c =>
        {
            var app = c.State.VisibleApp(c.Actor, appId);
            c.State.RequireEdit(c.Actor, app);
            c.State.Apps.Remove(app);
            foreach (var kind in new[] { ResourceKinds.DataAlerts, ResourceKinds.SharingTasks })
                c.State.Resource(kind).RemoveAll(r => r["appId"]?.GetValue<string>() == app.Id);
            var soft = c.Now - app.CreatedDate > SoftDelete.HardDeleteBefore;
            // 2026 CloudEvents name: the only one that carries deleteType.
            c.EmitApp("com.qlik.app.deleted", app, new JsonObject { ["deleteType"] = soft ? "SOFT" : "HARD" });
            if (soft)
            {
                var deleted = new SimDeletedApp { App = app, DeletedAt = c.Now, PurgeAt = c.Now + SoftDelete.Window };
                c.State.DeletedApps.RemoveAll(d => d.App.Id == app.Id);
                c.State.DeletedApps.Add(deleted);
                c.EmitApp("com.qlik.app.softdeleted", app, new JsonObject { ["purgeAt"] = Http.Fmt(deleted.PurgeAt) });
            }
            else c.EmitApp("com.qlik.app.harddeleted", app);
        });
        return Results.Ok();
    }

    /// <summary>
    /// POST /api/analytics/apps/{appId}/actions/restore: a soft-deleted app comes back with the same id, in its space, as it
    /// was at deletion. 404 when unknown, never deleted, hard-deleted or past purgeAt; 403 unless Tenant Admin or the owner
    /// who can still edit in the (existing) space.
    /// </summary>
    private static IResult RestoreDeleted(HttpContext ctx, SimulatedTenant t, string appId)
        => Http.Json(t.Write(ctx.Actor(), c =>
        {
            var deleted = c.State.FindDeletedApp(appId);
            if (deleted is null || c.Now >= deleted.PurgeAt)
            {
                if (deleted is not null) c.State.DeletedApps.Remove(deleted); // purged
                throw QlikApiException.NotFound("Deleted app", appId);
            }
            var app = deleted.App;
            var spaceGone = app.SpaceId is { } sp && c.State.FindSpace(sp) is null;
            if (!c.State.IsAdmin(c.Actor) && (app.OwnerId != c.Actor.UserId || spaceGone || !c.State.CanEditApp(c.Actor, app)))
                throw QlikApiException.Forbidden($"No permission to restore app '{appId}'.");
            if (spaceGone) throw QlikApiException.NotFound("Space", app.SpaceId!);
            c.State.DeletedApps.Remove(deleted);
            c.State.Apps.Add(app);
            return Present(c.State, c.Actor, app);
        }));

    private static IResult Export(HttpContext ctx, SimulatedTenant t, string appId)
    {
        var noData = ctx.Request.QueryBool("NoData") ?? false;
        var tempId = t.Write(ctx.Actor(), c =>
        {
            var app = c.State.VisibleApp(c.Actor, appId);
            var bytes = QvfSerializer.Export(app.Document, c.Actor.UserId, noData);
            var temp = TempContentsApi.Add(c, app.Name + ".qvf", bytes);
            c.EmitApp("com.qlik.v1.app.exported", app, new JsonObject { ["noData"] = noData });
            return temp.Id;
        });
        ctx.Response.Headers.Location = $"/api/v1/temp-contents/{tempId}";
        return Results.StatusCode(StatusCodes.Status201Created);
    }

    private static async Task<IResult> Import(HttpContext ctx, SimulatedTenant t)
    {
        var request = ctx.Request;
        var mode = request.Query("mode") ?? "NEW";
        if (!string.Equals(mode, "NEW", StringComparison.OrdinalIgnoreCase))
            throw QlikApiException.BadRequest($"Import mode '{mode}' is not supported; use NEW.");
        var actor = ctx.Actor();
        byte[] qvf;
        if (request.Query("fileId") is { } fileId)
        {
            qvf = t.Read(s => TempContentsApi.Find(s, fileId).Content);
        }
        else
        {
            qvf = await request.ReadBytesAsync();
        }
        if (qvf.Length == 0) throw QlikApiException.BadRequest("The request body must contain the QVF file.");
        SimulatedAppDocument doc;
        try
        {
            doc = QvfSerializer.Import(qvf, actor.UserId, t.Time.GetUtcNow());
        }
        catch (InvalidDataException e)
        {
            throw new QlikApiException(400, "AppImport-InvalidFile", "Bad Request", e.Message);
        }
        return Http.Json(t.Write(actor, c =>
        {
            var spaceId = TargetSpace(c, request.Query("spaceId"), "import apps into");
            var name = request.Query("name") ?? doc.AppProperties.Str("qTitle") ?? "Imported app";
            doc.AppProperties["qTitle"] = name;
            var created = NewApp(c, name, "", spaceId, doc);
            return Present(c.State, c.Actor, created);
        }));
    }

    private static async Task<IResult> Copy(HttpContext ctx, SimulatedTenant t, string appId)
    {
        var attributes = await ReadAttributesAsync(ctx.Request, required: false);
        return Http.Json(t.Write(ctx.Actor(), c =>
        {
            var source = c.State.VisibleApp(c.Actor, appId);
            var spaceId = attributes.OptionalString("spaceId") is { } sp ? TargetSpace(c, sp, "copy apps into") : source.SpaceId is { } ss && c.State.FindSpace(ss)?.Type != SpaceTypes.Managed ? ss : null;
            var name = attributes.OptionalString("name") ?? source.Name;
            // Like Qlik: a copy holds what the copier can see, owned by the copier.
            var doc = QvfSerializer.Import(QvfSerializer.Export(source.Document, c.Actor.UserId, noData: false), c.Actor.UserId, c.Now);
            doc.AppProperties["qTitle"] = name;
            var created = NewApp(c, name, attributes.OptionalString("description") ?? source.Description, spaceId, doc);
            created.LastReloadTime = source.LastReloadTime;
            return Present(c.State, c.Actor, created);
        }));
    }

    private static async Task<IResult> Publish(HttpContext ctx, SimulatedTenant t, string appId)
    {
        var body = await ctx.Request.ReadJsonObjectAsync();
        var spaceId = body.RequiredString("spaceId");
        var attributes = body["attributes"] as JsonObject ?? [];
        var data = body.OptionalString("data") ?? "source";
        if (data is not ("source" or "target")) throw QlikApiException.BadRequest("'data' must be source or target.");
        return Http.Json(t.Write(ctx.Actor(), c =>
        {
            var source = c.State.VisibleApp(c.Actor, appId);
            c.State.RequireEdit(c.Actor, source);
            var space = c.State.VisibleSpace(c.Actor, spaceId);
            if (space.Type != SpaceTypes.Managed) throw QlikApiException.BadRequest("Apps can only be published to a managed space.");
            var name = attributes.OptionalString("name") ?? source.Name;
            // Qlik lets a publish name the copy's source app (originAppId), so a restored copy can point at its real source.
            var origin = body.OptionalString("originAppId") is { } o ? c.State.VisibleApp(c.Actor, o) : source;
            var doc = PublishedContent(source, c);
            doc.AppProperties["qTitle"] = name;
            var published = NewApp(c, name, attributes.OptionalString("description") ?? source.Description, space.Id, doc, emitCreated: false);
            published.OwnerId = source.OwnerId;
            published.Published = true;
            published.PublishTime = c.Now;
            published.OriginAppId = origin.Id;
            published.LastReloadTime = source.LastReloadTime;
            c.EmitApp("com.qlik.v1.app.published", published, new JsonObject { ["originAppId"] = origin.Id });
            if (body.OptionalBool("moveApp") == true) c.State.Apps.Remove(source);
            return Present(c.State, c.Actor, published);
        }));
    }

    private static async Task<IResult> Republish(HttpContext ctx, SimulatedTenant t, string appId)
    {
        var body = await ctx.Request.ReadJsonObjectAsync();
        var targetId = body.RequiredString("targetId");
        var attributes = body["attributes"] as JsonObject ?? [];
        var keepTargetData = (body.OptionalString("data") ?? "source") == "target";
        var checkOrigin = body.OptionalBool("checkOriginAppId") ?? true;
        return Http.Json(t.Write(ctx.Actor(), c =>
        {
            var source = c.State.VisibleApp(c.Actor, appId);
            c.State.RequireEdit(c.Actor, source);
            var target = c.State.VisibleApp(c.Actor, targetId);
            if (!target.Published) throw QlikApiException.BadRequest($"App '{targetId}' is not a published app.");
            if (checkOrigin && target.OriginAppId != source.Id)
                throw QlikApiException.BadRequest($"App '{targetId}' was not published from app '{appId}'.");
            var content = PublishedContent(source, c);
            // Base (approved) content is replaced; community and private objects of the target stay.
            foreach (var stale in target.Document.Objects.Values.Where(o => o.Published && o.Approved).ToList())
                target.Document.Objects.Remove(stale.Id);
            foreach (var o in content.Objects.Values) target.Document.Objects[o.Id] = o;
            target.Document.Script = content.Script;
            if (!keepTargetData) target.Document.DataPayload = content.DataPayload;
            if (attributes.OptionalString("name") is { } name) target.Name = name;
            if (attributes.OptionalString("description") is { } description) target.Description = description;
            target.Document.AppProperties["qTitle"] = target.Name;
            target.PublishTime = c.Now;
            // Republishing from another app (checkOriginAppId false) makes it the copy's source.
            target.OriginAppId = source.Id;
            target.LastReloadTime = source.LastReloadTime;
            c.AppSaved(target);
            c.EmitApp("com.qlik.v1.app.published", target, new JsonObject { ["originAppId"] = source.Id });
            return Present(c.State, c.Actor, target);
        }));
    }

    /// <summary>What a publish carries: the publisher-visible objects, as approved base content owned by the app owner.</summary>
    private static SimulatedAppDocument PublishedContent(SimApp source, TenantChange c)
    {
        var doc = QvfSerializer.Import(QvfSerializer.Export(source.Document, c.Actor.UserId, noData: false), source.OwnerId, c.Now);
        foreach (var o in doc.Objects.Values.Where(o => o.ObjectClass != SimObjectClass.Variable))
        {
            o.Published = true;
            o.Approved = true;
            o.PublishTime = c.Now;
        }
        return doc;
    }

    private static async Task<IResult> MoveToSpace(HttpContext ctx, SimulatedTenant t, string appId)
    {
        var spaceId = (await ctx.Request.ReadJsonObjectAsync()).RequiredString("spaceId");
        return ChangeSpace(ctx, t, appId, spaceId);
    }

    private static IResult ChangeSpace(HttpContext ctx, SimulatedTenant t, string appId, string? spaceId)
        => Http.Json(t.Write(ctx.Actor(), c =>
        {
            var app = c.State.VisibleApp(c.Actor, appId);
            c.State.RequireEdit(c.Actor, app);
            if (app.Published) throw QlikApiException.BadRequest("A published app cannot be moved out of its managed space.");
            app.SpaceId = spaceId is null ? null : TargetSpace(c, spaceId, "move apps into");
            c.AppSaved(app);
            return Present(c.State, c.Actor, app);
        }));

    private static async Task<IResult> ChangeOwner(HttpContext ctx, SimulatedTenant t, string appId)
    {
        var ownerId = (await ctx.Request.ReadJsonObjectAsync()).RequiredString("ownerId");
        return Http.Json(t.Write(ctx.Actor(), c =>
        {
            var app = c.State.VisibleApp(c.Actor, appId);
            if (app.OwnerId != c.Actor.UserId && !c.State.IsAdmin(c.Actor)) throw QlikApiException.Forbidden("Only the owner or a tenant admin can change the app owner.");
            if (c.State.FindUser(ownerId) is null) throw QlikApiException.BadRequest($"User '{ownerId}' does not exist.");
            app.OwnerId = ownerId;
            c.AppSaved(app);
            return Present(c.State, c.Actor, app);
        }));
    }

    private static async Task<IResult> ChangeObjectOwner(HttpContext ctx, SimulatedTenant t, string appId, string objectId)
    {
        var ownerId = (await ctx.Request.ReadJsonObjectAsync()).RequiredString("ownerId");
        return Http.Json(t.Write(ctx.Actor(), c =>
        {
            var app = c.State.VisibleApp(c.Actor, appId);
            // An admin may reassign any object, including private ones it cannot read (that is what this endpoint is for).
            if (!app.Document.Objects.TryGetValue(objectId, out var o) || (!o.IsVisibleTo(c.Actor.UserId) && !c.State.IsAdmin(c.Actor)))
                throw QlikApiException.NotFound("Object", objectId);
            if (o.OwnerId != c.Actor.UserId && app.OwnerId != c.Actor.UserId && !c.State.IsAdmin(c.Actor))
                throw QlikApiException.Forbidden("Only the object owner, the app owner or a tenant admin can change the object owner.");
            if (c.State.FindUser(ownerId) is null) throw QlikApiException.BadRequest($"User '{ownerId}' does not exist.");
            o.OwnerId = ownerId;
            o.ModifiedDate = c.Now;
            c.AppSaved(app);
            c.EmitApp("com.qlik.v1.app.object.owner.changed", app, new JsonObject { ["objectId"] = o.Id, ["newOwnerId"] = ownerId });
            return new JsonObject
            {
                ["attributes"] = new JsonObject
                {
                    ["id"] = o.Id,
                    ["name"] = ObjectTitle(o),
                    ["ownerId"] = o.OwnerId,
                    ["objectType"] = o.QType,
                    ["genericType"] = GenericType(o.ObjectClass),
                    ["approved"] = o.Approved,
                    ["published"] = o.Published,
                    ["publishedAt"] = Http.Fmt(o.PublishTime) ?? "",
                    ["createdAt"] = Http.Fmt(o.CreatedDate),
                    ["updatedAt"] = Http.Fmt(o.ModifiedDate),
                    ["description"] = "",
                },
                ["privileges"] = new JsonArray("read", "update", "delete", "change_owner"),
            };
        }));
    }

    private static string GenericType(SimObjectClass cls) => cls switch
    {
        SimObjectClass.Bookmark => "genericBookmark",
        SimObjectClass.Measure => "genericMeasure",
        SimObjectClass.Dimension => "genericDimension",
        SimObjectClass.Variable => "genericVariable",
        _ => "genericObject",
    };

    private static string ObjectTitle(SimulatedObject o)
    {
        var props = o.ObjectClass == SimObjectClass.GenericObject ? o.Properties["qProperty"] : o.Properties;
        return props?["qMetaDef"].Str("title") ?? props.Str("qName") ?? o.Id;
    }

    /// <summary>Creates an app owned by the actor; emits app.created (Qlik's event for create, import and copy).</summary>
    private static SimApp NewApp(TenantChange c, string name, string description, string? spaceId, SimulatedAppDocument doc, bool emitCreated = true)
    {
        var app = new SimApp
        {
            Id = Ids.NewGuid(), Name = name, Description = description, OwnerId = c.Actor.UserId, SpaceId = spaceId,
            CreatedDate = c.Now, ModifiedDate = c.Now, Document = doc,
        };
        app.ScriptVersions.Add(new SimScriptVersion { ScriptId = Ids.NewObjectId(), Script = doc.Script, ModifiedTime = c.Now, ModifierId = c.Actor.UserId });
        c.State.Apps.Add(app);
        if (emitCreated) c.EmitApp("com.qlik.v1.app.created", app);
        return app;
    }

    public static JsonObject NewAppProperties(string title, string usage = "ANALYTICS") => new()
    {
        ["qTitle"] = title,
        ["qLastReloadTime"] = "",
        ["qMigrationHash"] = "",
        ["qSavedInProductVersion"] = "12.2473.0",
        ["description"] = "",
        ["qThumbnail"] = new JsonObject(),
        ["qHasSectionAccess"] = false,
        ["qUsage"] = usage,
    };

    /// <summary>Validates a target space for new/moved apps: null = personal; managed spaces only take published apps.</summary>
    private static string? TargetSpace(TenantChange c, string? spaceId, string what)
    {
        if (string.IsNullOrEmpty(spaceId)) return null;
        var space = c.State.VisibleSpace(c.Actor, spaceId);
        if (space.Type == SpaceTypes.Managed) throw QlikApiException.BadRequest($"Cannot {what} a managed space; publish the app instead.");
        if (space.OwnerId != c.Actor.UserId && !c.State.IsAdmin(c.Actor)
            && !c.State.SpaceRoles(c.Actor.UserId, space.Id).Intersect(["producer", "codeveloper", "contributor"]).Any())
            throw QlikApiException.Forbidden($"No permission to {what} space '{space.Id}'.");
        return space.Id;
    }

    private static async Task<JsonObject> ReadAttributesAsync(HttpRequest request, bool required = true)
    {
        if (!required && request.ContentLength is 0 or null && !request.Headers.ContainsKey("Transfer-Encoding")) return [];
        var body = await request.ReadJsonObjectAsync();
        return body["attributes"] switch
        {
            JsonObject a => a,
            null when !required => [],
            _ => throw QlikApiException.BadRequest("The request body must contain an 'attributes' object."),
        };
    }
}
